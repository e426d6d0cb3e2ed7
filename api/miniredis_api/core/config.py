"""Settings: one typed pydantic-settings class, read from the environment (prefix `MINIREDIS_`).

A few names are shared with the rest of the platform and read without the prefix as well
(`REDIS_PORT_START`, `REDIS_PORT_END`, `GATEWAY_PORT`). Outside development the class refuses
to start with the insecure default secret. Every field is documented in `api/README.md`.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

INSECURE_SECRET = "changethis-insecure-development-secret"
UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1024,
    "m": 1000**2,
    "mb": 1024**2,
    "g": 1000**3,
    "gb": 1024**3,
    "ki": 1024,
    "kib": 1024,
    "mi": 1024**2,
    "mib": 1024**2,
    "gi": 1024**3,
    "gib": 1024**3,
}
_SIZE = re.compile(r"^\s*(\d+)\s*([a-zA-Z]*)\s*$")


def parse_memory(value: int | str) -> int:
    """Bytes from an int or a size string: `40mb` (Redis units, 1024-based), `64Mi`, `1gb`, `1000`."""
    if isinstance(value, bool):
        raise ValueError("memory must be a number of bytes or a size such as '40mb' or '64Mi'")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("memory must not be negative")
        return value
    match = _SIZE.match(value)
    if match is None or match.group(2).lower() not in UNITS:
        raise ValueError(f"invalid memory size {value!r}: use bytes or a size such as '40mb' or '64Mi'")
    return int(match.group(1)) * UNITS[match.group(2).lower()]


def _env(name: str) -> AliasChoices:
    return AliasChoices(f"MINIREDIS_{name}", name)


class Settings(BaseSettings):
    """Every setting of the API; see api/README.md for the table of environment variables."""

    model_config = SettingsConfigDict(env_prefix="MINIREDIS_", env_file=None, extra="ignore", populate_by_name=True)

    environment: Literal["development", "test", "production"] = "development"
    """`production` (or `test`) refuses the insecure default secret key."""
    secret_key: str = INSECURE_SECRET
    """Signs access tokens (HS256). Set a long random value outside development."""
    database_url: str = ""
    """SQLAlchemy URL. Empty: SQLite at `<var_dir>/miniredis.db`. PostgreSQL: `postgresql+psycopg://...`."""
    var_dir: Path = Path("var")
    """Where the SQLite database, the local runtime's state file and node directories live."""

    auth: Literal["builtin", "firebase"] = "builtin"
    """`builtin`: email + password accounts. `firebase`: Firebase ID tokens exchanged at /api/auth/firebase."""
    firebase_project_id: str | None = None
    """The Firebase project id (required when auth=firebase)."""
    firebase_api_key: str = ""
    """The Firebase Web API key the dashboard signs in with (public; empty with the Auth emulator)."""
    firebase_auth_domain: str = ""
    """The Firebase auth domain for the dashboard. Empty: `<project id>.firebaseapp.com`."""
    signup_open: bool = True
    """Whether anyone may sign up. The first account may always sign up; it becomes the platform admin."""
    access_token_minutes: int = Field(default=15, ge=1)
    refresh_token_days: int = Field(default=30, ge=1)
    login_attempts_per_minute: int = Field(default=10, ge=1)
    """Sign-in attempts allowed per email and per client address each minute before 429."""

    runtime: Literal["local", "kubernetes"] = "local"
    """Where nodes run. `local`: one OS process per node on this machine. `kubernetes`: one MiniRedisNode
    resource per node, run by the MiniRedis operator (settings `kubernetes_*`)."""
    node_bind: str = "127.0.0.1"
    """Address node processes listen on (local runtime)."""
    node_host: str = ""
    """Host name shown to clients in a node's endpoint. Empty: `node_bind` (or 127.0.0.1 for 0.0.0.0)."""
    redis_port_start: int = Field(default=6000, ge=1, le=65535, validation_alias=_env("REDIS_PORT_START"))
    redis_port_end: int = Field(default=6999, ge=1, le=65535, validation_alias=_env("REDIS_PORT_END"))
    node_command: str = ""
    """Command that starts a node; empty: `<this python> -m miniredis_node`."""
    node_persistence: bool = False
    """Deprecated: nodes created without a `persistence` field get `aof` (the default is `none`)."""
    node_start_timeout_seconds: float = 10.0
    restart_backoff_seconds: float = 0.5
    """First delay before restarting a crashed node; doubles per consecutive crash."""
    restart_backoff_max_seconds: float = 30.0

    kubernetes_api_url: str = ""
    """Kubernetes API server URL used without credentials (tests, `kubectl proxy`). Empty: the pod's
    service account, else `~/.kube/config` (as the operator logs in)."""
    kubernetes_namespace: str = ""
    """Namespace of the MiniRedisNodes and password Secrets. Empty: the pod's own namespace, else `default`."""
    kubernetes_node_image: str = ""
    """`spec.image` of new MiniRedisNodes. Empty: the operator's default node image."""
    kubernetes_service_type: Literal["ClusterIP", "NodePort", "LoadBalancer"] = "ClusterIP"
    """`spec.service.type` of new MiniRedisNodes."""
    kubernetes_storage_class: str = ""
    """`spec.persistence.storageClassName` of nodes with persistence. Empty: the cluster's default class."""
    kubernetes_exec_address: str = ""
    """Where the API connects to a node, as a template over the endpoint in its status: `{host}`,
    `{port}`, `{name}` (the resource), `{namespace}`; e.g. `127.0.0.1:{port}` through a port-forward.
    Empty: the endpoint itself (the Service's cluster DNS name)."""
    kubernetes_wait_seconds: float = Field(default=10.0, ge=0)
    """How long create, start and stop wait for the operator to report the new phase before answering
    with the phase reached so far."""
    kubernetes_max_nodes: int = Field(default=1000, ge=1)
    """How many nodes this API keeps in the cluster (the capacity reported by the overview)."""

    default_node_memory: int | str = "40mb"
    max_nodes_per_tenant: int = 10
    max_memory_per_tenant: int | str = "1gb"
    max_memory_per_node: int | str = "256mb"

    sample_interval_seconds: float = Field(default=5.0, gt=0)
    history_fine_hours: float = 24.0
    """How long samples are kept at full resolution; older ones are kept as 5-minute averages."""
    history_coarse_days: float = 7.0
    exec_timeout_seconds: float = Field(default=5.0, gt=0)
    exec_max_items: int = 1000
    """Replies with more elements (in total) are truncated and flagged."""
    exec_max_string_bytes: int = 65536

    gateway_host: str = Field(default="127.0.0.1", validation_alias=_env("GATEWAY_HOST"))
    gateway_port: int = Field(default=8080, validation_alias=_env("GATEWAY_PORT"))
    cors_origins: list[str] = ["http://localhost:5173", "http://127.0.0.1:5173"]
    dashboard_dir: Path = Path("frontend/dist")
    """Built dashboard served at `/` when the folder exists."""

    @field_validator("default_node_memory", "max_memory_per_tenant", "max_memory_per_node", mode="after")
    @classmethod
    def _memory(cls, value: int | str) -> int:
        return parse_memory(value)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.environment != "development" and self.secret_key == INSECURE_SECRET:
            raise ValueError("MINIREDIS_SECRET_KEY must be set to a secret value outside development")
        if self.environment != "development" and len(self.secret_key) < 32:
            raise ValueError("MINIREDIS_SECRET_KEY must be at least 32 characters outside development")
        if self.redis_port_end < self.redis_port_start:
            raise ValueError("REDIS_PORT_END must be >= REDIS_PORT_START")
        if self.auth == "firebase" and not self.firebase_project_id:
            raise ValueError("MINIREDIS_FIREBASE_PROJECT_ID is required when MINIREDIS_AUTH=firebase")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.var_dir / 'miniredis.db').resolve()}"

    @property
    def advertised_host(self) -> str:
        if self.node_host:
            return self.node_host
        return "127.0.0.1" if self.node_bind in ("0.0.0.0", "::", "") else self.node_bind

    @property
    def node_argv(self) -> list[str]:
        return self.node_command.split() if self.node_command else [sys.executable, "-m", "miniredis_node"]

    # typed views of the memory fields (validated to int above)
    @property
    def default_memory(self) -> int:
        return int(self.default_node_memory)

    @property
    def tenant_memory_quota(self) -> int:
        return int(self.max_memory_per_tenant)

    @property
    def node_memory_quota(self) -> int:
        return int(self.max_memory_per_node)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
