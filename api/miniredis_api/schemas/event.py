"""What `GET /api/tenants/{tid}/nodes/{nid}/events` returns: one shape for every kind of event."""

from __future__ import annotations

from typing import Literal

from miniredis_api.schemas.common import Timestamps

EventKind = Literal["failed", "restarted", "restart_failed", "command"]


class NodeEventPublic(Timestamps):
    """A failure or restart recorded by the runtime's supervisor, or a command run through exec.

    `created_at` is when it happened. Commands carry `command`, `key_count`, `outcome` and who ran
    them (`actor`: the user's email or `API key <name>`); never argument values."""

    id: str
    node_id: str
    kind: EventKind
    message: str
    """In words: why the process died, how the restart went, or which command ran."""
    command: str | None = None
    key_count: int | None = None
    outcome: str | None = None
    """ok, error, refused or timeout (commands)."""
    actor: str | None = None
