"""Nodes: a persistence mode (none, rdb or aof), fixed at creation.

Existing nodes get `none`, except when `MINIREDIS_NODE_PERSISTENCE` (the former API-wide switch that
started every node with `--appendonly yes`) is set at migration time: they then get `aof`, so nodes
that kept their data across stops keep doing so.

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("persistence", sa.String(length=8), server_default="none", nullable=False))
    if os.environ.get("MINIREDIS_NODE_PERSISTENCE", "").strip().lower() in ("1", "true", "yes", "on"):
        op.execute("UPDATE nodes SET persistence = 'aof'")


def downgrade() -> None:
    with op.batch_alter_table("nodes", schema=None) as batch_op:
        batch_op.drop_column("persistence")
