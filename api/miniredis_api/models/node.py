"""Nodes: the desired state (memory, policy, running) plus the last observed phase and endpoint."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from miniredis_api.core.db import Base
from miniredis_api.models.auth import new_id


class Node(Base):
    __tablename__ = "nodes"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(63))
    memory: Mapped[int] = mapped_column(BigInteger)
    eviction_policy: Mapped[str] = mapped_column(String(32), default="noeviction")
    running: Mapped[bool] = mapped_column(Boolean, default=True)
    persistence: Mapped[str] = mapped_column(String(8), default="none", server_default="none")
    """none, rdb or aof (schemas.node.Persistence); fixed at creation."""
    password_encrypted: Mapped[str] = mapped_column(Text)
    """The node's password, encrypted (`core.security.SecretBox`); never stored in the clear."""
    phase: Mapped[str] = mapped_column(String(16), default="Pending")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    host: Mapped[str | None] = mapped_column(String(255), nullable=True)
    port: Mapped[int | None] = mapped_column(Integer, nullable=True)
