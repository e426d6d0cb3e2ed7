"""Audit records of commands run through the exec endpoint: who, which command, on which node, how
many keys. Never argument values."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from miniredis_api.core.db import Base
from miniredis_api.models.auth import new_id


class AuditRecord(Base):
    __tablename__ = "audit_records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(36), index=True)
    node_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    api_key_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    command: Mapped[str] = mapped_column(String(64))
    key_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    """ok, error (the node answered an error), refused (guard rail), timeout."""
    elapsed_ms: Mapped[float] = mapped_column(Float, default=0.0)
    allowed: Mapped[bool] = mapped_column(Boolean, default=True)
