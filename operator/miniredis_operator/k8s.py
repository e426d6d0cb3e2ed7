"""The only module that talks to the Kubernetes API for the operator's own requests.

kopf watches MiniRedisNodes, patches their status and posts events through its own client; everything
else (children, pods, Secrets) goes through `Kube`, an aiohttp client built from the same
`kopf.ConnectionInfo` the operator's login handler returns, so both use one set of credentials.
"""

from __future__ import annotations

import base64
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import kopf


@dataclass(frozen=True)
class Kind:
    """A resource's URL coordinates: group ('' for core), version and plural."""

    group: str
    version: str
    plural: str

    def url(self, namespace: str, name: str | None = None, subresource: str | None = None) -> str:
        base = f"/api/{self.version}" if not self.group else f"/apis/{self.group}/{self.version}"
        path = f"{base}/namespaces/{namespace}/{self.plural}"
        if name is not None:
            path += f"/{name}"
            if subresource is not None:
                path += f"/{subresource}"
        return path


SECRETS = Kind("", "v1", "secrets")
SERVICES = Kind("", "v1", "services")
PODS = Kind("", "v1", "pods")
STATEFULSETS = Kind("apps", "v1", "statefulsets")
PERSISTENTVOLUMECLAIMS = Kind("", "v1", "persistentvolumeclaims")
MINIREDISNODES = Kind("miniredis.io", "v1alpha1", "miniredisnodes")


class KubeError(Exception):
    """A request the API server refused, with its HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


def _ssl_context(info: kopf.ConnectionInfo) -> ssl.SSLContext | bool:
    if not info.server.startswith("https"):
        return False
    if info.insecure:
        return False
    context = ssl.create_default_context(
        cafile=str(info.ca_path) if info.ca_path else None,
        cadata=(info.ca_data.decode() if isinstance(info.ca_data, bytes) else info.ca_data) if info.ca_data else None,
    )
    if info.certificate_path and info.private_key_path:
        context.load_cert_chain(str(info.certificate_path), str(info.private_key_path))
    return context


# Replaced sessions kept open (their requests may still be running) before the oldest is closed.
STALE_SESSIONS_KEPT = 4


class Kube:
    """A small async Kubernetes client: get, create, patch, delete, and two idempotent helpers."""

    def __init__(self) -> None:
        self._info: kopf.ConnectionInfo | None = None
        self._session: aiohttp.ClientSession | None = None
        self._stale: list[aiohttp.ClientSession] = []

    @property
    def connected(self) -> bool:
        """Whether the login handler has given credentials."""
        return self._info is not None

    def connect(self, info: kopf.ConnectionInfo) -> None:
        """Use these credentials from the next request on (called by the login handler, which
        kopf calls again whenever it re-authenticates: the same credentials change nothing)."""
        if info == self._info:
            return
        self._info = info
        if self._session is not None:
            # Requests may still be in flight on it (a probe, a patch): closing it now would
            # fail them with "Connector is closed". It is closed at shutdown, or once a few
            # newer sessions have replaced it (long idle by then).
            self._stale.append(self._session)
            self._session = None

    async def close(self) -> None:
        while self._stale:
            await self._stale.pop().close()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _client(self) -> aiohttp.ClientSession:
        while len(self._stale) > STALE_SESSIONS_KEPT:
            await self._stale.pop(0).close()
        if self._info is None:
            raise KubeError(0, "not logged in to Kubernetes yet")
        if self._session is None or self._session.closed:
            headers = {"Accept": "application/json"}
            if self._info.token:
                headers["Authorization"] = f"{self._info.scheme or 'Bearer'} {self._info.token}"
            elif self._info.username and self._info.password:
                raw = f"{self._info.username}:{self._info.password}".encode()
                headers["Authorization"] = f"Basic {base64.b64encode(raw).decode()}"
            connector = aiohttp.TCPConnector(ssl=_ssl_context(self._info))
            self._session = aiohttp.ClientSession(
                base_url=self._info.server.rstrip("/"),
                headers=headers,
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=30),
            )
        return self._session

    async def _request(
        self, method: str, path: str, *, json: Any = None, content_type: str = "application/json"
    ) -> dict[str, Any] | None:
        headers = {"Content-Type": content_type} if json is not None else {}
        try:
            async with (await self._client()).request(method, path, json=json, headers=headers) as response:
                if response.status == 404:
                    return None
                if response.status >= 400:
                    text = await response.text()
                    raise KubeError(response.status, text[:500])
                data = await response.json(content_type=None)
                return data if isinstance(data, dict) else {}
        except (aiohttp.ClientError, TimeoutError) as error:
            # A connection-level failure is a Kubernetes error like any other to the handlers
            # (they log it and retry on their next run), not an exception kopf backs off from
            # for a minute.
            raise KubeError(0, f"{type(error).__name__}: {error}") from error

    async def get(self, kind: Kind, namespace: str, name: str) -> dict[str, Any] | None:
        """The object, or None when it does not exist."""
        return await self._request("GET", kind.url(namespace, name))

    async def create(self, kind: Kind, body: Mapping[str, Any]) -> dict[str, Any]:
        namespace = str(body["metadata"]["namespace"])
        created = await self._request("POST", kind.url(namespace), json=dict(body))
        if created is None:
            raise KubeError(404, f"namespace {namespace} not found")
        return created

    async def patch(
        self, kind: Kind, namespace: str, name: str, patch: Mapping[str, Any], *, subresource: str | None = None
    ) -> dict[str, Any] | None:
        """A JSON merge patch; None when the object does not exist."""
        return await self._request(
            "PATCH",
            kind.url(namespace, name, subresource),
            json=dict(patch),
            content_type="application/merge-patch+json",
        )

    async def delete(self, kind: Kind, namespace: str, name: str) -> bool:
        """Delete the object; False when it was already gone."""
        return await self._request("DELETE", kind.url(namespace, name)) is not None

    async def apply(self, kind: Kind, body: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """Create the object, or merge-patch the existing one to match `body`; True when created."""
        meta = body["metadata"]
        existing = await self.get(kind, meta["namespace"], meta["name"])
        if existing is None:
            return await self.create(kind, body), True
        patched = await self.patch(kind, meta["namespace"], meta["name"], body)
        return (patched if patched is not None else await self.create(kind, body)), patched is None

    async def ensure(self, kind: Kind, body: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """Create the object unless it exists; an existing one is returned untouched (True when created)."""
        meta = body["metadata"]
        existing = await self.get(kind, meta["namespace"], meta["name"])
        if existing is not None:
            return existing, False
        return await self.create(kind, body), True

    async def secret_value(self, namespace: str, name: str, key: str) -> str | None:
        """One decoded value of a Secret's data; None when the Secret or the key is missing."""
        secret = await self.get(SECRETS, namespace, name)
        if secret is None:
            return None
        data = secret.get("data") or {}
        if key in data:
            return base64.b64decode(data[key]).decode()
        string_data = secret.get("stringData") or {}
        return str(string_data[key]) if key in string_data else None
