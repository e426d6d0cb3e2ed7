"""Nodes: the password encrypted at rest (`nodes.password` → `nodes.password_encrypted`).

Existing passwords are encrypted with the key derived from the API's secret key
(`core.security.SecretBox`): the one given by `core.migrate.upgrade(..., secret_key=...)` (what
`miniredis migrate`, `miniredis up` and the tests pass), else MINIREDIS_SECRET_KEY from the
environment. The downgrade decrypts them back into `nodes.password`.

Revision ID: 0004
Revises: 0003_node_events
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from miniredis_api.core.config import get_settings
from miniredis_api.core.security import SecretBox

revision = "0004"
down_revision = "0003_node_events"
branch_labels = None
depends_on = None

nodes = sa.table(
    "nodes",
    sa.column("id", sa.String),
    sa.column("password", sa.String),
    sa.column("password_encrypted", sa.Text),
)


def _box() -> SecretBox:
    secret = context.config.attributes.get("secret_key") or get_settings().secret_key
    return SecretBox(str(secret))


def upgrade() -> None:
    with op.batch_alter_table("nodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_encrypted", sa.Text(), nullable=True))
    box, connection = _box(), op.get_bind()
    for node_id, password in connection.execute(sa.select(nodes.c.id, nodes.c.password)).all():
        connection.execute(nodes.update().where(nodes.c.id == node_id).values(password_encrypted=box.encrypt(password)))
    with op.batch_alter_table("nodes", schema=None) as batch_op:
        batch_op.alter_column("password_encrypted", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("password")


def downgrade() -> None:
    with op.batch_alter_table("nodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password", sa.String(length=128), nullable=True))
    box, connection = _box(), op.get_bind()
    for node_id, token in connection.execute(sa.select(nodes.c.id, nodes.c.password_encrypted)).all():
        connection.execute(nodes.update().where(nodes.c.id == node_id).values(password=box.decrypt(token)))
    with op.batch_alter_table("nodes", schema=None) as batch_op:
        batch_op.alter_column("password", existing_type=sa.String(length=128), nullable=False)
        batch_op.drop_column("password_encrypted")
