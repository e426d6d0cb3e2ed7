"""Alembic environment: migrates the database named by MiniRedis settings (or `sqlalchemy.url`
given by `miniredis_api.core.migrate`). Batch mode keeps ALTERs portable to SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

import miniredis_api.models  # noqa: F401 - registers every table
from miniredis_api.core.config import get_settings
from miniredis_api.core.db import Base, sync_url

config = context.config
url = config.get_main_option("sqlalchemy.url") or sync_url(get_settings().sqlalchemy_url)


def run_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
