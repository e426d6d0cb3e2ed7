"""Node events the runtime's supervisor records: a node process that died (and why), a restart, a
restart that failed. Commands run from the CLI are in `audit_records`; `GET .../events` shows both."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from miniredis_api.core.db import Base
from miniredis_api.models.auth import new_id


class NodeEvent(Base):
    __tablename__ = "node_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(36), index=True)
    node_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """failed (the process died), restarted, restart_failed."""
    message: Mapped[str] = mapped_column(Text)
    """What happened and why, in words (exit status, signal, log tail)."""
