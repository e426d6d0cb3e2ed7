"""Running Alembic from code (`miniredis migrate`, `miniredis up`, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from miniredis_api.core.db import sync_url

API_DIR = Path(__file__).resolve().parents[2]


def alembic_config(url: str, secret_key: str | None = None) -> Config:
    """`secret_key`: the API's secret key, for migrations that encrypt or decrypt stored secrets
    (node passwords); without it they read MINIREDIS_SECRET_KEY from the environment."""
    config = Config(str(API_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(API_DIR / "alembic"))
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    if secret_key is not None:
        config.attributes["secret_key"] = secret_key
    return config


def upgrade(url: str, revision: str = "head", *, secret_key: str | None = None) -> None:
    """Bring the database at `url` to `revision`; creates the SQLite file's folder if needed."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url, secret_key), revision)


def downgrade(url: str, revision: str, *, secret_key: str | None = None) -> None:
    """Take the database at `url` back to `revision`."""
    command.downgrade(alembic_config(url, secret_key), revision)
