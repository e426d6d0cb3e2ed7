"""Node passwords at rest: encrypted in `nodes.password_encrypted` with a key derived from the API's
secret key; reveal and rotate still answer the password; the 0004 migration encrypts existing rows
and its downgrade decrypts them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from miniredis_api.core.db import sync_url
from miniredis_api.core.migrate import downgrade, upgrade
from miniredis_api.core.security import SecretBox, SecretKeyMismatch
from tests.api.conftest import SECRET, Api, new_pg_database


def _stored(url: str, node_id: str) -> str:
    engine = sa.create_engine(sync_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            row = connection.execute(sa.text("SELECT * FROM nodes WHERE id = :id"), {"id": node_id}).mappings().one()
    finally:
        engine.dispose()
    assert "password" not in row  # the clear-text column is gone
    return str(row["password_encrypted"])


def test_password_encrypted_at_rest_reveal_and_rotate(api: Api) -> None:
    owner = api.signup()
    tid = api.tenant(owner)
    node = api.node(owner, tid)
    base = f"/api/tenants/{tid}/nodes/{node['id']}"
    password = api.client.get(f"{base}/password", headers=owner).json()["password"]
    stored = _stored(api.settings.sqlalchemy_url, node["id"])
    assert password not in stored and stored != password
    assert SecretBox(api.settings.secret_key).decrypt(stored) == password
    assert redis.Redis(*api.reach(node["endpoint"]), password=password).ping()

    rotated = api.client.post(f"{base}/password", headers=owner)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["password"]
    assert new != password
    assert api.client.get(f"{base}/password", headers=owner).json()["password"] == new
    stored = _stored(api.settings.sqlalchemy_url, node["id"])
    assert new not in stored and SecretBox(api.settings.secret_key).decrypt(stored) == new
    assert redis.Redis(*api.reach(node["endpoint"]), password=new).ping()
    assert api.exec(owner, tid, node["id"], "PING").json()["reply"]["value"] == "PONG"  # exec decrypts too
    assert api.client.delete(f"/api/tenants/{tid}", headers=owner).status_code == 204


def test_secret_box_refuses_another_key() -> None:
    # A plaintext long enough not to turn up in the random token by chance ("pw" did, 1 in ~100).
    plaintext = "node-password-0123456789"
    token = SecretBox(SECRET).encrypt(plaintext)
    assert plaintext not in token and SecretBox(SECRET).decrypt(token) == plaintext
    with pytest.raises(SecretKeyMismatch):
        SecretBox(SECRET + "-other").decrypt(token)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_migration_encrypts_existing_passwords_and_downgrade_decrypts(backend: str, tmp_path: Path) -> None:
    url = new_pg_database() if backend == "postgres" else f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0003_node_events", secret_key=SECRET)
    now = dt.datetime.now(dt.UTC)
    engine = sa.create_engine(sync_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO tenants (id, name, created_at, updated_at) VALUES ('t1', 't', :now, :now)"),
                {"now": now},
            )
            for node_id, password in (("n1", "first-secret-password"), ("n2", "second-secret-password")):
                connection.execute(
                    sa.text(
                        "INSERT INTO nodes (id, tenant_id, name, memory, eviction_policy, running, persistence,"
                        " password, phase, created_at, updated_at) VALUES (:id, 't1', :id, 1048576, 'noeviction',"
                        " false, 'none', :pw, 'Stopped', :now, :now)"
                    ),
                    {"id": node_id, "pw": password, "now": now},
                )
        upgrade(url, secret_key=SECRET)
        box = SecretBox(SECRET)
        with engine.connect() as connection:
            rows: dict[str, str] = {
                r[0]: r[1] for r in connection.execute(sa.text("SELECT id, password_encrypted FROM nodes"))
            }
        assert "first-secret-password" not in rows["n1"] and box.decrypt(rows["n1"]) == "first-secret-password"
        assert box.decrypt(rows["n2"]) == "second-secret-password"
        downgrade(url, "0003_node_events", secret_key=SECRET)
        with engine.connect() as connection:
            plain: dict[str, str] = {r[0]: r[1] for r in connection.execute(sa.text("SELECT id, password FROM nodes"))}
        assert plain == {"n1": "first-secret-password", "n2": "second-secret-password"}
        upgrade(url, secret_key=SECRET)  # and forward again
    finally:
        engine.dispose()
