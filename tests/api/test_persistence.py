"""A node's `persistence` (none, rdb, aof) through the API with real node processes, on SQLite and
PostgreSQL: stop then start, a SIGKILL and the supervisor's restart, deletion removing the files.

Crash semantics, as these tests pin them down:
* `aof` (appendfsync everysec): every acknowledged write reaches the kernel before its reply, so a
  SIGKILL loses nothing (a power loss may lose up to about one second).
* `rdb`: a restart after SIGKILL loads the last snapshot: the one taken on the last stop (SIGTERM), or
  by the save rules `900 1 300 10 60 10000`; writes after it are lost.
* `none`: nothing survives a stop or a crash.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.api.conftest import Api
from tests.api.test_flow import wait_for


def _node_dir(api: Api, nid: str) -> Path:
    return Path(api.settings.var_dir).resolve() / "local-runtime" / "nodes" / nid


def _pid_of(api: Api, nid: str) -> int:
    state = json.loads((Path(api.settings.var_dir) / "local-runtime" / "state.json").read_text())
    return int(state["nodes"][nid]["pid"])


def _client(api: Api, owner: dict[str, str], tid: str, node: dict[str, Any]) -> redis.Redis:
    password = api.client.get(f"/api/tenants/{tid}/nodes/{node['id']}/password", headers=owner).json()["password"]
    view = api.client.get(f"/api/tenants/{tid}/nodes/{node['id']}", headers=owner).json()
    return redis.Redis(*api.reach(view["endpoint"]), password=password, socket_timeout=5)


def _write(client: redis.Redis, prefix: str, count: int) -> None:
    with client.pipeline(transaction=False) as pipe:
        for i in range(count):
            pipe.set(f"{prefix}:{i}", f"value-{i}")
        assert all(pipe.execute())


def _count(client: redis.Redis, prefix: str, count: int) -> int:
    values = client.mget([f"{prefix}:{i}" for i in range(count)])
    return sum(1 for i, value in enumerate(values) if value == f"value-{i}".encode())


def _stop_start(api: Api, owner: dict[str, str], tid: str, nid: str) -> dict[str, Any]:
    stopped = api.client.post(f"/api/tenants/{tid}/nodes/{nid}/stop", headers=owner)
    assert stopped.status_code == 200 and stopped.json()["phase"] == "Stopped"
    started = api.client.post(f"/api/tenants/{tid}/nodes/{nid}/start", headers=owner)
    assert started.status_code == 200 and started.json()["phase"] == "Running", started.text
    result: dict[str, Any] = started.json()
    return result


def _crash(api: Api, owner: dict[str, str], tid: str, nid: str) -> None:
    """SIGKILL the node process and wait until the supervisor has restarted it."""
    pid = _pid_of(api, nid)
    os.kill(pid, signal.SIGKILL)

    def restarted() -> bool:
        view = api.client.get(f"/api/tenants/{tid}/nodes/{nid}", headers=owner).json()
        return bool(view["phase"] == "Running" and view["restarts"] >= 1 and _pid_of(api, nid) != pid)

    assert wait_for(restarted, timeout=15, every=0.1), "the supervisor did not restart the killed node"


def test_persistence_is_validated_and_shown(api: Api) -> None:
    owner = api.signup()
    tid = api.tenant(owner, "persist-validation")
    bad = api.client.post(
        f"/api/tenants/{tid}/nodes", json={"name": "bad", "memory": "8mb", "persistence": "disk"}, headers=owner
    )
    assert bad.status_code == 422
    default = api.node(owner, tid, running=False)
    assert default["persistence"] == "none" and default["data_kept_when_stopped"] is False
    aof = api.node(owner, tid, persistence="aof", running=False)
    assert aof["persistence"] == "aof" and aof["data_kept_when_stopped"] is True
    listed = api.client.get(f"/api/tenants/{tid}/nodes", headers=owner).json()["items"]
    assert {n["name"]: n["persistence"] for n in listed} == {default["name"]: "none", aof["name"]: "aof"}
    change = api.client.patch(f"/api/tenants/{tid}/nodes/{aof['id']}", json={"persistence": "rdb"}, headers=owner)
    assert change.status_code == 409 and "fixed at creation" in change.json()["detail"]
    same = api.client.patch(f"/api/tenants/{tid}/nodes/{aof['id']}", json={"persistence": "aof"}, headers=owner)
    assert same.status_code == 200


@pytest.mark.parametrize("mode", ["aof", "rdb"])
def test_persistent_node_keeps_data_across_stop_crash_and_loses_files_on_delete(api: Api, mode: str) -> None:
    owner = api.signup()
    tid = api.tenant(owner, f"persist-{mode}")
    node = api.node(owner, tid, persistence=mode)
    nid = node["id"]
    assert node["persistence"] == mode and node["data_kept_when_stopped"] is True
    directory = _node_dir(api, nid)
    assert directory.is_dir()

    client = _client(api, owner, tid, node)
    _write(client, "before-stop", 300)
    client.close()
    _stop_start(api, owner, tid, nid)
    assert (directory / ("appendonlydir" if mode == "aof" else "dump.rdb")).exists()
    client = _client(api, owner, tid, node)
    assert _count(client, "before-stop", 300) == 300

    _write(client, "before-crash", 300)
    client.close()
    _crash(api, owner, tid, nid)
    client = _client(api, owner, tid, node)
    assert _count(client, "before-stop", 300) == 300
    if mode == "aof":
        assert _count(client, "before-crash", 300) == 300  # every acknowledged write
    else:
        assert _count(client, "before-crash", 300) == 0  # written after the last snapshot
    client.close()

    deleted = api.client.delete(f"/api/tenants/{tid}/nodes/{nid}", headers=owner)
    assert deleted.status_code == 204
    assert not directory.exists()


def test_node_without_persistence_starts_empty(api: Api) -> None:
    owner = api.signup()
    tid = api.tenant(owner, "persist-none")
    node = api.node(owner, tid)
    nid = node["id"]
    client = _client(api, owner, tid, node)
    _write(client, "k", 50)
    assert client.save()  # a manual snapshot does not make a `none` node persistent
    client.close()
    stopped = api.client.post(f"/api/tenants/{tid}/nodes/{nid}/stop", headers=owner).json()
    assert stopped["data_kept_when_stopped"] is False
    assert api.client.post(f"/api/tenants/{tid}/nodes/{nid}/start", headers=owner).json()["phase"] == "Running"
    client = _client(api, owner, tid, node)
    assert client.dbsize() == 0
    _write(client, "k", 50)
    client.close()
    _crash(api, owner, tid, nid)
    client = _client(api, owner, tid, node)
    assert client.dbsize() == 0
    client.close()
    assert api.client.delete(f"/api/tenants/{tid}/nodes/{nid}", headers=owner).status_code == 204
    assert not _node_dir(api, nid).exists()
