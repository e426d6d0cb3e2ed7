"""`GET /api/tenants/{tid}/nodes/{nid}/events`: failures and restarts recorded by the local runtime's
supervisor (persisted in `node_events`, with when and why) merged with the node's commands from the
audit log, newest first; on SQLite and PostgreSQL, with real node processes."""

from __future__ import annotations

import datetime as dt
import os
import signal
import uuid
from typing import Any

import sqlalchemy as sa

from miniredis_api.core.db import sync_url
from tests.api.conftest import Api, stop_api
from tests.api.test_flow import wait_for
from tests.api.test_runtime import _pid_of


def _events(api: Api, headers: dict[str, str], tid: str, nid: str, **params: Any) -> dict[str, Any]:
    response = api.client.get(f"/api/tenants/{tid}/nodes/{nid}/events", headers=headers, params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def _kill_and_wait_restart(api: Api, headers: dict[str, str], tid: str, nid: str, restarts: int) -> None:
    os.kill(_pid_of(api, nid), signal.SIGKILL)
    assert wait_for(
        lambda: (
            api.client.get(f"/api/tenants/{tid}/nodes/{nid}", headers=headers).json() | {"ok": None}
            and api.client.get(f"/api/tenants/{tid}/nodes/{nid}", headers=headers).json()["restarts"] == restarts
            and api.client.get(f"/api/tenants/{tid}/nodes/{nid}", headers=headers).json()["phase"] == "Running"
        ),
        timeout=15,
    ), "the killed node was not restarted"


def test_events_failures_restarts_and_commands(api: Api) -> None:
    owner_email = f"ev-{uuid.uuid4().hex[:8]}@example.com"
    owner = api.signup(owner_email)
    tid = api.tenant(owner, name=f"ev-{uuid.uuid4().hex[:6]}")
    nid = api.node(owner, tid, memory="2mb")["id"]
    assert _events(api, owner, tid, nid) == {"items": [], "total": 0}

    assert api.exec(owner, tid, nid, "SET greeting hello").status_code == 200
    assert api.exec(owner, tid, nid, "MGET a b c").status_code == 200
    before_kill = dt.datetime.now(dt.UTC)
    _kill_and_wait_restart(api, owner, tid, nid, restarts=1)
    assert api.exec(owner, tid, nid, "INCRBY counter not-a-number").json()["reply"]["type"] == "error"

    page = _events(api, owner, tid, nid)
    kinds = [item["kind"] for item in page["items"]]
    assert page["total"] == 5 and kinds == ["command", "restarted", "failed", "command", "command"], kinds
    incr, restarted, failed, mget, set_ = page["items"]
    # newest first, every item with its time
    stamps = [dt.datetime.fromisoformat(item["created_at"]) for item in page["items"]]
    assert stamps == sorted(stamps, reverse=True)
    assert all(item["updated_at"] and item["node_id"] == nid for item in page["items"])
    # the supervisor's events: when and why
    assert "SIGKILL" in failed["message"] and dt.datetime.fromisoformat(failed["created_at"]) >= before_kill
    assert restarted["message"] == "restarted after a crash (restart 1)"
    assert failed["command"] is None and failed["actor"] is None
    # commands from the audit log: name, key count, outcome, who; never values
    assert set_["command"] == "SET" and set_["key_count"] == 1 and set_["outcome"] == "ok"
    assert set_["actor"] == owner_email and set_["message"] == "CLI ran SET on 1 key — ok"
    assert mget["key_count"] == 3 and mget["message"] == "CLI ran MGET on 3 keys — ok"
    assert incr["outcome"] == "error" and "hello" not in str(page)

    # pagination over the merged list
    second = _events(api, owner, tid, nid, limit=2, offset=1)
    assert second["total"] == 5 and [item["id"] for item in second["items"]] == [restarted["id"], failed["id"]]

    # a viewer sees failures and restarts, not the audit log's commands (admins and owners only)
    viewer_email = f"viewer-{uuid.uuid4().hex[:8]}@example.com"
    viewer = api.signup(viewer_email)
    added = api.client.post(
        f"/api/tenants/{tid}/members", json={"email": viewer_email, "role": "viewer"}, headers=owner
    )
    assert added.status_code == 201, added.text
    seen = _events(api, viewer, tid, nid)
    assert [item["kind"] for item in seen["items"]] == ["restarted", "failed"] and seen["total"] == 2

    # another tenant's user, no credentials, an unknown node: nothing shown
    stranger = api.signup()
    assert api.client.get(f"/api/tenants/{tid}/nodes/{nid}/events", headers=stranger).status_code == 404
    assert api.client.get(f"/api/tenants/{tid}/nodes/{nid}/events").status_code == 401
    unknown = str(uuid.uuid4())
    assert api.client.get(f"/api/tenants/{tid}/nodes/{unknown}/events", headers=owner).status_code == 404
    assert (
        api.client.get(f"/api/tenants/{tid}/nodes/{nid}/events", headers=owner, params={"limit": 0}).status_code == 422
    )

    # deleting the node deletes its events (the rows, not only the view)
    assert _event_rows(api, nid) == 2
    assert api.client.delete(f"/api/tenants/{tid}/nodes/{nid}", headers=owner).status_code == 204
    assert _event_rows(api, nid) == 0


def _event_rows(api: Api, nid: str) -> int:
    engine = sa.create_engine(sync_url(api.settings.sqlalchemy_url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT count(*) FROM node_events WHERE node_id = :id")
            return int(connection.execute(query, {"id": nid}).scalar_one())
    finally:
        engine.dispose()


def test_events_persist_across_an_api_restart(sqlite_api_factory: Any) -> None:
    first = sqlite_api_factory(stop_nodes=False)
    email = "events-restart@example.com"
    owner = first.signup(email)
    tid = first.tenant(owner)
    nid = first.node(owner, tid, memory="2mb")["id"]
    _kill_and_wait_restart(first, owner, tid, nid, restarts=1)
    pid = _pid_of(first, nid)
    stop_api(first)  # written at shutdown at the latest
    os.kill(pid, signal.SIGKILL)  # the node dies while no API watches it

    second = sqlite_api_factory(settings=first.settings)
    owner = second.login(email)
    assert wait_for(
        lambda: second.client.get(f"/api/tenants/{tid}/nodes/{nid}", headers=owner).json()["phase"] == "Running",
        timeout=15,
    )
    items = _events(second, owner, tid, nid)["items"]
    assert [item["kind"] for item in items] == ["restarted", "restarted", "failed"], items
    assert items[0]["message"] == "restarted: its process was gone when the API started"
