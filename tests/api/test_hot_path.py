"""The exec hot path's shortcuts keep their promises: cached principals still honour revocation,
tenant deletion and role changes at once; audit records written in the background are never lost
on a clean stop; request metrics keep their route labels."""

from __future__ import annotations

import sqlite3
from typing import Any

from tests.api.conftest import Api


def test_role_changes_and_removal_apply_at_once(api: Api) -> None:
    owner = api.signup()
    tid = api.tenant(owner)
    node = api.node(owner, tid)
    email = f"m-{tid[:8]}@example.com"
    member = api.signup(email)
    api.client.post(f"/api/tenants/{tid}/members", json={"email": email, "role": "member"}, headers=owner)
    uid = next(
        m["user_id"]
        for m in api.client.get(f"/api/tenants/{tid}/members", headers=owner).json()["items"]
        if m["email"] == email
    )
    assert api.exec(member, tid, node["id"], "SET k v").status_code == 200
    api.client.patch(f"/api/tenants/{tid}/members/{uid}", json={"role": "viewer"}, headers=owner)
    assert api.exec(member, tid, node["id"], "SET k v").status_code == 403
    assert api.exec(member, tid, node["id"], "GET k").status_code == 200
    api.client.delete(f"/api/tenants/{tid}/members/{uid}", headers=owner)
    assert api.exec(member, tid, node["id"], "GET k").status_code == 404


def test_deleting_a_tenant_refuses_its_keys_at_once(api: Api) -> None:
    owner = api.signup()
    tid = api.tenant(owner)
    key = api.client.post(f"/api/tenants/{tid}/api-keys", json={"name": "ci", "role": "member"}, headers=owner).json()
    bearer = {"Authorization": f"Bearer {key['key']}"}
    assert api.client.get(f"/api/tenants/{tid}/nodes", headers=bearer).status_code == 200  # now cached
    assert api.client.delete(f"/api/tenants/{tid}", headers=owner).status_code == 204
    assert api.client.get(f"/api/tenants/{tid}/nodes", headers=bearer).status_code == 401


def test_audit_is_readable_at_once_and_survives_a_clean_stop(sqlite_api_factory: Any) -> None:
    api: Api = sqlite_api_factory()
    owner = api.signup()
    tid = api.tenant(owner)
    node = api.node(owner, tid)
    for i in range(20):
        assert api.exec(owner, tid, node["id"], f"SET k{i} v").status_code == 200
    assert api.exec(owner, tid, node["id"], "SHUTDOWN").status_code == 403
    records = api.client.get(f"/api/tenants/{tid}/audit?limit=100", headers=owner).json()
    assert records["total"] == 21
    for i in range(30):
        api.exec(owner, tid, node["id"], f"GET k{i}")
    api.server.should_exit = True  # stop right after the last reply: the queue is written on the way out
    api.thread.join(30)
    database = api.settings.sqlalchemy_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT command, outcome, key_count FROM audit_records WHERE tenant_id = ?", (tid,)
        ).fetchall()
    assert len(rows) == 51
    assert rows.count(("get", "ok", 1)) == 30 and rows.count(("shutdown", "refused", None)) == 1


def test_request_metrics_are_labelled_by_route(api: Api) -> None:
    owner = api.signup()
    tid = api.tenant(owner)
    api.client.get(f"/api/tenants/{tid}/nodes", headers=owner)
    api.client.get("/api/no-such-thing")
    text = api.client.get("/metrics").text
    assert 'route="/api/tenants/{tid}/nodes",status="200"' in text
    assert 'route="unmatched",status="404"' in text
