"""The exec endpoint: redis-cli quoting, typed RESP3 replies, guard rails, truncation, audit."""

from __future__ import annotations

from typing import Any

import pytest

from miniredis_api.services.commandline import UnbalancedQuotes, split_args
from miniredis_api.services.resp import Budget, parse, to_json
from tests.api.conftest import Api

pytestmark = pytest.mark.kubernetes_too


@pytest.mark.parametrize(
    ("line", "args"),
    [
        ("SET k v", ["SET", "k", "v"]),
        ('  SET  "hello world"  x ', ["SET", "hello world", "x"]),
        (r'SET k "a\nb\t\x41\"q\\"', ["SET", "k", 'a\nb\tA"q\\']),
        (r"SET k 'it\'s \n raw'", ["SET", "k", "it's \\n raw"]),
        ('SET k ""', ["SET", "k", ""]),
        ("", []),
    ],
)
def test_split_args_like_redis_cli(line: str, args: list[str]) -> None:
    assert split_args(line) == args


@pytest.mark.parametrize("line", ['SET "unterminated', "SET 'x", 'SET "a"b'])
def test_split_args_unbalanced(line: str) -> None:
    with pytest.raises(UnbalancedQuotes):
        split_args(line)


def test_resp3_types_kept() -> None:
    raw = b"%2\r\n+ok\r\n#t\r\n$3\r\nkey\r\n~2\r\n,3.5\r\n(123456789012345678901234\r\n"
    value, used = parse(raw)
    assert used == len(raw)
    body = to_json(value, Budget(items=100, string_bytes=100))
    assert body["type"] == "map"
    assert body["pairs"][0] == {"key": {"type": "simple", "value": "ok"}, "value": {"type": "boolean", "value": True}}
    assert body["pairs"][1]["value"]["type"] == "set"
    assert [i["type"] for i in body["pairs"][1]["value"]["items"]] == ["double", "bignum"]
    binary = to_json(("string", b"\xff\x00"), Budget(items=1, string_bytes=10))
    assert binary == {"type": "string", "value": "/wA=", "base64": True}


@pytest.fixture(scope="module")
def node(api: Api) -> tuple[Api, dict[str, str], str, str]:
    owner = api.signup()
    tid = api.tenant(owner)
    return api, owner, tid, api.node(owner, tid, memory=api.mem("4mb"))["id"]


@pytest.mark.parametrize(
    "command",
    [
        "SHUTDOWN",
        "DEBUG SLEEP 0",
        "MONITOR",
        "SUBSCRIBE ch",
        "CONFIG SET maxmemory 1",
        "CONFIG SET requirepass x",
        "SELECT 1",
        "MULTI",
        "HELLO 2",
        "CLIENT PAUSE 100",
    ],
)
def test_guard_rails(node: Any, command: str) -> None:
    api, owner, tid, nid = node
    response = api.exec(owner, tid, nid, command)
    assert response.status_code == 403 and "refused" in response.json()["detail"]
    assert api.exec(owner, tid, nid, "PING").json()["reply"]["value"] == "PONG"


def test_bad_requests(node: Any) -> None:
    api, owner, tid, nid = node
    url = f"/api/tenants/{tid}/nodes/{nid}/exec"
    assert api.client.post(url, json={"command": ""}, headers=owner).status_code == 400
    assert api.client.post(url, json={"command": 'GET "x'}, headers=owner).status_code == 400
    assert api.client.post(url, json={}, headers=owner).status_code == 422
    assert api.client.post(url, json={"command": "PING", "args": ["PING"]}, headers=owner).status_code == 422


def test_large_reply_truncated(node: Any) -> None:
    api, owner, tid, nid = node
    api.client.post(
        f"/api/tenants/{tid}/nodes/{nid}/exec", json={"args": ["RPUSH", "big", *map(str, range(1500))]}, headers=owner
    )
    result = api.exec(owner, tid, nid, "LRANGE big 0 -1").json()
    assert result["truncated"] is True and len(result["reply"]["items"]) == 1000
    assert api.exec(owner, tid, nid, "LLEN big").json()["reply"] == {
        "type": "integer",
        "value": 1500,
        "base64": False,
        "items": None,
        "pairs": None,
    }


def test_audit_records_names_not_values(node: Any) -> None:
    api, owner, tid, nid = node
    api.exec(owner, tid, nid, "SET secret-key secret-value")
    api.exec(owner, tid, nid, "SHUTDOWN")
    records = api.client.get(f"/api/tenants/{tid}/audit", headers=owner).json()["items"]
    shutdown, set_ = records[0], records[1]
    assert shutdown["command"] == "shutdown" and shutdown["outcome"] == "refused"
    assert set_["command"] == "set" and set_["outcome"] == "ok" and set_["node_id"] == nid
    assert set_["key_count"] in (1, None)  # None while the node has no COMMAND INFO
    assert "secret" not in str(records)
