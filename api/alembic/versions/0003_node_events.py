"""Node events: failures and restarts recorded by the runtime's supervisor.

Revision ID: 0003_node_events
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_node_events"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "node_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("node_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_node_events")),
    )
    with op.batch_alter_table("node_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_node_events_node_id"), ["node_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_node_events_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("node_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_node_events_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_node_events_node_id"))
    op.drop_table("node_events")
