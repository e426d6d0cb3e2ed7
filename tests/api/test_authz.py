"""The authorization matrix, endpoint by endpoint: another tenant's user gets 404, a viewer 403 on
anything beyond reading, an expired token, a revoked or expired API key and no credentials 401 —
and none of them changes anything."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import pytest

from miniredis_api.core.security import create_access_token
from tests.api.conftest import SECRET, Api

# (method, path, body, allowed for a viewer)
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, bool]] = [
    ("GET", "/api/tenants/{tid}", None, True),
    ("PATCH", "/api/tenants/{tid}", {"name": "renamed"}, False),
    ("DELETE", "/api/tenants/{tid}", None, False),
    ("GET", "/api/tenants/{tid}/members", None, True),
    ("POST", "/api/tenants/{tid}/members", {"email": "someone@example.com", "role": "viewer"}, False),
    ("PATCH", "/api/tenants/{tid}/members/{owner_id}", {"role": "viewer"}, False),
    ("DELETE", "/api/tenants/{tid}/members/{owner_id}", None, False),
    ("GET", "/api/tenants/{tid}/api-keys", None, False),
    ("POST", "/api/tenants/{tid}/api-keys", {"name": "k"}, False),
    ("DELETE", "/api/tenants/{tid}/api-keys/{kid}", None, False),
    ("POST", "/api/tenants/{tid}/nodes", {"name": "intruder", "memory": "2mb"}, False),
    ("GET", "/api/tenants/{tid}/nodes", None, True),
    ("GET", "/api/tenants/{tid}/nodes/{nid}", None, True),
    ("PATCH", "/api/tenants/{tid}/nodes/{nid}", {"memory": "4mb"}, False),
    ("DELETE", "/api/tenants/{tid}/nodes/{nid}", None, False),
    ("POST", "/api/tenants/{tid}/nodes/{nid}/start", None, False),
    ("POST", "/api/tenants/{tid}/nodes/{nid}/stop", None, False),
    ("POST", "/api/tenants/{tid}/nodes/{nid}/exec", {"command": "SET k changed"}, False),
    ("GET", "/api/tenants/{tid}/nodes/{nid}/password", None, False),
    ("POST", "/api/tenants/{tid}/nodes/{nid}/password", None, False),
    ("GET", "/api/tenants/{tid}/nodes/{nid}/metrics", None, True),
]
IDS = [f"{m} {p}" for m, p, _, _ in ENDPOINTS]


@dataclass
class World:
    api: Api
    owner: dict[str, str]
    tid: str
    nid: str
    kid: str
    owner_id: str
    viewer: dict[str, str]
    viewer_key: dict[str, str]
    outsider: dict[str, str]
    expired: dict[str, str]
    revoked_key: dict[str, str]
    expired_key: dict[str, str]
    password: str

    def snapshot(self) -> Any:
        c, h = self.api.client, self.owner
        node = c.get(f"/api/tenants/{self.tid}/nodes/{self.nid}", headers=h).json()
        return (
            c.get(f"/api/tenants/{self.tid}", headers=h).json()["name"],
            c.get(f"/api/tenants/{self.tid}/members", headers=h).json()["total"],
            [(k["id"], k["revoked_at"]) for k in c.get(f"/api/tenants/{self.tid}/api-keys", headers=h).json()["items"]],
            c.get(f"/api/tenants/{self.tid}/nodes", headers=h).json()["total"],
            (node["memory"], node["running"], node["phase"]),
            c.get(f"/api/tenants/{self.tid}/nodes/{self.nid}/password", headers=h).json()["password"],
            self.api.exec(h, self.tid, self.nid, "GET k").json()["reply"]["value"],
        )


@pytest.fixture(scope="module")
def world(api: Api) -> World:
    c = api.client
    owner = api.signup()
    owner_id = c.get("/api/auth/me", headers=owner).json()["id"]
    tid = api.tenant(owner)
    nid = api.node(owner, tid, name="target", memory="2mb")["id"]
    api.exec(owner, tid, nid, "SET k original")
    viewer_email = f"viewer-{tid[:8]}@example.com"
    viewer = api.signup(viewer_email)
    c.post(f"/api/tenants/{tid}/members", json={"email": viewer_email, "role": "viewer"}, headers=owner)
    keys = {}
    for name, role, expires in (
        ("live", "viewer", None),
        ("revoked", "owner", None),
        ("expiring", "owner", dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)),
    ):
        body: dict[str, Any] = {"name": name, "role": role}
        if expires:
            body["expires_at"] = expires.isoformat()
        keys[name] = c.post(f"/api/tenants/{tid}/api-keys", json=body, headers=owner).json()
    c.delete(f"/api/tenants/{tid}/api-keys/{keys['revoked']['id']}", headers=owner)
    outsider = api.signup()
    api.tenant(outsider, name="elsewhere")
    expired = create_access_token(subject=owner_id, secret_key=SECRET, expires_in=dt.timedelta(seconds=-5))
    time.sleep(1.2)  # let the expiring key expire
    password = c.get(f"/api/tenants/{tid}/nodes/{nid}/password", headers=owner).json()["password"]
    return World(
        api=api,
        owner=owner,
        tid=tid,
        nid=nid,
        kid=keys["live"]["id"],
        owner_id=owner_id,
        viewer=viewer,
        viewer_key={"Authorization": f"Bearer {keys['live']['key']}"},
        outsider=outsider,
        expired={"Authorization": f"Bearer {expired}"},
        revoked_key={"Authorization": f"Bearer {keys['revoked']['key']}"},
        expired_key={"Authorization": f"Bearer {keys['expiring']['key']}"},
        password=password,
    )


def _call(world: World, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]) -> int:
    url = path.format(tid=world.tid, nid=world.nid, kid=world.kid, owner_id=world.owner_id)
    return world.api.client.request(method, url, json=body, headers=headers).status_code


@pytest.mark.parametrize(("method", "path", "body", "viewer_ok"), ENDPOINTS, ids=IDS)
def test_matrix(world: World, method: str, path: str, body: dict[str, Any] | None, viewer_ok: bool) -> None:
    before = world.snapshot()
    for who in ("expired", "revoked_key", "expired_key"):
        assert _call(world, method, path, body, getattr(world, who)) == 401, who
    assert _call(world, method, path, body, {}) == 401, "no credentials"
    assert _call(world, method, path, body, world.outsider) == 404, "another tenant's user"
    for who in ("viewer", "viewer_key"):
        code = _call(world, method, path, body, getattr(world, who))
        if viewer_ok:
            assert code == 200, who
        else:
            assert code == 403, f"{who} got {code}"
    assert world.snapshot() == before


def test_viewer_may_run_read_only_commands(world: World) -> None:
    reply = world.api.exec(world.viewer, world.tid, world.nid, "GET k")
    assert reply.status_code == 200 and reply.json()["reply"]["value"] == "original"
    assert world.api.exec(world.viewer_key, world.tid, world.nid, "DBSIZE").status_code == 200
    assert world.api.exec(world.viewer, world.tid, world.nid, "FLUSHALL").status_code == 403


def test_outsider_sees_nothing_in_lists(world: World) -> None:
    assert world.tid not in {
        t["id"] for t in world.api.client.get("/api/tenants", headers=world.outsider).json()["items"]
    }
    overview = world.api.client.get("/api/monitoring/overview", headers=world.outsider).json()
    assert world.tid not in {t["tenant_id"] for t in overview["tenants"]}
    assert world.api.client.get("/api/monitoring/overview").status_code == 401
