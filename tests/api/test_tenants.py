"""Tenants, members and roles, API keys, quotas and pagination."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from miniredis_api.core.config import parse_memory
from tests.api.conftest import Api


def test_tenant_crud_and_quotas_shown(api: Api) -> None:
    owner = api.signup()
    created = api.client.post("/api/tenants", json={"name": "acme"}, headers=owner).json()
    assert created["role"] == "owner" and created["created_at"] and created["updated_at"]
    tid = created["id"]
    detail = api.client.get(f"/api/tenants/{tid}", headers=owner).json()
    assert detail["quotas"] == {"max_nodes": 10, "max_memory": 1024**3, "max_node_memory": 256 * 1024**2}
    assert detail["usage"] == {"nodes": 0, "memory": 0}
    renamed = api.client.patch(f"/api/tenants/{tid}", json={"name": "acme-2"}, headers=owner).json()
    assert renamed["name"] == "acme-2"
    # quotas are the platform admin's
    assert api.client.patch(f"/api/tenants/{tid}", json={"quotas": {"max_nodes": 1}}, headers=owner).status_code == 403
    changed = api.client.patch(f"/api/tenants/{tid}", json={"quotas": {"max_nodes": 1}}, headers=api.admin).json()
    assert changed["quotas"]["max_nodes"] == 1
    assert api.client.get("/api/tenants", headers=owner).json()["total"] == 1
    assert api.client.delete(f"/api/tenants/{tid}", headers=owner).status_code == 204
    assert api.client.get(f"/api/tenants/{tid}", headers=owner).status_code == 404


def test_pagination(api: Api) -> None:
    owner = api.signup()
    ids = [api.tenant(owner, name=f"t{i}") for i in range(5)]
    page = api.client.get("/api/tenants", params={"limit": 2, "offset": 1}, headers=owner).json()
    assert page["total"] == 5 and [t["id"] for t in page["items"]] == ids[1:3]
    assert api.client.get("/api/tenants", params={"limit": 0}, headers=owner).status_code == 422


def test_members_and_roles(api: Api) -> None:
    owner = api.signup()
    tid = api.tenant(owner)
    email = f"m-{uuid.uuid4().hex[:8]}@example.com"
    member = api.signup(email)
    added = api.client.post(f"/api/tenants/{tid}/members", json={"email": email, "role": "viewer"}, headers=owner)
    assert added.status_code == 201 and added.json()["role"] == "viewer"
    uid = added.json()["user_id"]
    assert api.client.post(f"/api/tenants/{tid}/members", json={"email": email}, headers=owner).status_code == 409
    assert (
        api.client.post(f"/api/tenants/{tid}/members", json={"email": "none@example.com"}, headers=owner).status_code
        == 404
    )
    me = api.client.get("/api/auth/me", headers=member).json()
    assert me["tenants"] == [{"tenant_id": tid, "tenant_name": "team", "role": "viewer"}]
    # a viewer reads but does not manage
    assert api.client.get(f"/api/tenants/{tid}/members", headers=member).json()["total"] == 2
    assert (
        api.client.patch(f"/api/tenants/{tid}/members/{uid}", json={"role": "admin"}, headers=member).status_code == 403
    )
    promoted = api.client.patch(f"/api/tenants/{tid}/members/{uid}", json={"role": "admin"}, headers=owner)
    assert promoted.json()["role"] == "admin"
    # an admin may not grant owner; the last owner cannot leave
    owner_id = api.client.get("/api/auth/me", headers=owner).json()["id"]
    assert (
        api.client.patch(f"/api/tenants/{tid}/members/{uid}", json={"role": "owner"}, headers=member).status_code == 403
    )
    assert api.client.delete(f"/api/tenants/{tid}/members/{owner_id}", headers=owner).status_code == 409
    assert api.client.delete(f"/api/tenants/{tid}/members/{uid}", headers=owner).status_code == 204
    assert api.client.get(f"/api/tenants/{tid}", headers=member).status_code == 404


def test_api_keys(api: Api) -> None:
    owner = api.signup()
    tid = api.tenant(owner)
    created = api.client.post(f"/api/tenants/{tid}/api-keys", json={"name": "ci", "role": "member"}, headers=owner)
    assert created.status_code == 201
    key = created.json()
    assert key["key"].startswith("mrk_" + key["prefix"]) and key["last_used_at"] is None
    bearer = {"Authorization": f"Bearer {key['key']}"}
    # works like a user token, limited to its tenant
    assert api.client.get(f"/api/tenants/{tid}", headers=bearer).json()["role"] == "member"
    assert api.client.get("/api/tenants", headers=bearer).json()["total"] == 1
    assert api.client.post("/api/tenants", json={"name": "x"}, headers=bearer).status_code == 403
    other = api.tenant(api.signup())
    assert api.client.get(f"/api/tenants/{other}", headers=bearer).status_code == 404
    listed = api.client.get(f"/api/tenants/{tid}/api-keys", headers=owner).json()
    assert listed["total"] == 1 and "key" not in listed["items"][0] and listed["items"][0]["last_used_at"]
    revoked = api.client.delete(f"/api/tenants/{tid}/api-keys/{key['id']}", headers=owner).json()
    assert revoked["revoked_at"] is not None
    assert api.client.get(f"/api/tenants/{tid}", headers=bearer).status_code == 401
    # a key with the viewer role cannot create keys; a past expiry is refused
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    assert (
        api.client.post(
            f"/api/tenants/{tid}/api-keys", json={"name": "old", "expires_at": past}, headers=owner
        ).status_code
        == 400
    )


def test_quotas_enforced(api: Api) -> None:
    owner = api.signup()
    tid = api.tenant(owner)
    api.client.patch(
        f"/api/tenants/{tid}",
        json={"quotas": {"max_nodes": 1, "max_memory": "12mb", "max_node_memory": "10mb"}},
        headers=api.admin,
    )
    too_big = api.client.post(f"/api/tenants/{tid}/nodes", json={"name": "big", "memory": "11mb"}, headers=owner)
    assert too_big.status_code == 409 and "max_node_memory" in too_big.json()["detail"]
    node = api.node(owner, tid, name="one", memory="8mb")
    second = api.client.post(f"/api/tenants/{tid}/nodes", json={"name": "two", "memory": "1mb"}, headers=owner)
    assert second.status_code == 409 and "max_nodes" in second.json()["detail"]
    api.client.patch(f"/api/tenants/{tid}", json={"quotas": {"max_nodes": 5}}, headers=api.admin)
    third = api.client.post(f"/api/tenants/{tid}/nodes", json={"name": "three", "memory": "6mb"}, headers=owner)
    assert third.status_code == 409 and "max_memory" in third.json()["detail"]
    resize = api.client.patch(f"/api/tenants/{tid}/nodes/{node['id']}", json={"memory": "64Mi"}, headers=owner)
    assert resize.status_code == 409 and "max_node_memory" in resize.json()["detail"]
    detail = api.client.get(f"/api/tenants/{tid}", headers=owner).json()
    assert detail["usage"] == {"nodes": 1, "memory": 8 * 1024 * 1024}
    ok = api.client.patch(
        f"/api/tenants/{tid}/nodes/{node['id']}",
        json={"memory": "10mb", "eviction_policy": "allkeys-lfu"},
        headers=owner,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["memory"] == 10 * 1024 * 1024 and ok.json()["eviction_policy"] == "allkeys-lfu"
    config = api.exec(owner, tid, node["id"], "CONFIG GET maxmemory").json()["reply"]
    assert str(10 * 1024 * 1024) in str(config)
    assert api.client.delete(f"/api/tenants/{tid}", headers=owner).status_code == 204  # nodes first, then data


def _concurrent_creates(api: Api, headers: dict[str, str], tid: str, count: int, memory: str) -> list[httpx.Response]:
    """`count` node creates fired at once, one connection each, released together by a barrier."""
    barrier = threading.Barrier(count)

    def create(index: int) -> httpx.Response:
        with httpx.Client(base_url=api.url, timeout=60) as client:
            barrier.wait()
            return client.post(
                f"/api/tenants/{tid}/nodes", json={"name": f"race-{index}", "memory": memory}, headers=headers
            )

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(create, range(count)))


@pytest.mark.parametrize(
    ("quota", "memory", "allowed", "name"),
    [({"max_nodes": 3}, "1mb", 3, "max_nodes"), ({"max_memory": "20mb"}, "8mb", 2, "max_memory")],
)
def test_quota_holds_under_concurrent_creates(
    api: Api, quota: dict[str, Any], memory: str, allowed: int, name: str
) -> None:
    owner = api.signup()
    tid = api.tenant(owner)
    assert api.client.patch(f"/api/tenants/{tid}", json={"quotas": quota}, headers=api.admin).status_code == 200
    responses = _concurrent_creates(api, owner, tid, 8, memory)
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * allowed + [409] * (8 - allowed), [r.text for r in responses]
    assert all(name in r.json()["detail"] for r in responses if r.status_code == 409)
    listed = api.client.get(f"/api/tenants/{tid}/nodes", headers=owner).json()
    assert listed["total"] == allowed
    usage = api.client.get(f"/api/tenants/{tid}", headers=owner).json()["usage"]
    assert usage == {"nodes": allowed, "memory": allowed * parse_memory(memory)}
    assert api.client.delete(f"/api/tenants/{tid}", headers=owner).status_code == 204
