"""The database: an async SQLAlchemy engine (aiosqlite or psycopg 3) and the declarative base.

One engine per application (`Database`), created from settings; sessions are handed to routes
by the `SessionDep` dependency. The schema is owned by Alembic (`api/alembic`), never by
`create_all`, so SQLite and PostgreSQL run the same migrations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on both backends (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Every table: `created_at` and `updated_at` (UTC), always present."""

    metadata = MetaData(naming_convention=NAMING)

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)


def async_url(url: str) -> str:
    """The async driver URL for a configured URL (`sqlite:` → aiosqlite, `postgresql:` → psycopg)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return str(parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False))
    if backend == "postgresql":
        return str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return url


def sync_url(url: str) -> str:
    """The sync driver URL Alembic uses (`sqlite:` stays, `postgresql:` → psycopg)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return str(parsed.set(drivername="sqlite").render_as_string(hide_password=False))
    if backend == "postgresql":
        return str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _in_transaction(dbapi_connection: Any) -> bool:
    """Whether the driver connection has a transaction open (True when the driver cannot tell)."""
    driver = getattr(dbapi_connection, "_connection", None)
    in_transaction = getattr(driver, "in_transaction", None)  # aiosqlite (sqlite3's flag, no I/O)
    if isinstance(in_transaction, bool):
        return in_transaction
    status = getattr(getattr(driver, "info", None), "transaction_status", None)  # psycopg 3, no I/O
    if status is not None:
        return int(status) != 0  # 0 is IDLE
    return True


def _reset_on_return(dbapi_connection: Any, _record: Any, reset_state: Any) -> None:
    """The pool's reset-on-return, minus the redundant rollback.

    A Session rolls its transaction back when it closes, and the pool would then roll back once
    more: a thread hop with aiosqlite, a round trip with PostgreSQL, on every request. Roll back
    only when the driver says a transaction is still open (anything else is already clean)."""
    if reset_state.terminate_only or _in_transaction(dbapi_connection):
        dbapi_connection.rollback()


class Database:
    """The engine and session factory of one application."""

    def __init__(self, url: str) -> None:
        self.url = async_url(url)
        self.is_sqlite = make_url(self.url).get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"pool_reset_on_return": None}  # see _reset_on_return
        if not self.is_sqlite:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        event.listen(self.engine.sync_engine, "reset", _reset_on_return)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
