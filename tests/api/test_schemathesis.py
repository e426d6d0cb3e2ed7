"""Property-based run over the OpenAPI document (schemathesis) against a real uvicorn on PostgreSQL:
no request may produce a 5xx. Path ids point at a real tenant and node (except for deletions), so
the generated bodies reach the services and the node, not only the 404 path. Bounded: a few
examples per operation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.api.conftest import Api, make_settings, new_pg_database, start_api, stop_api, with_admin


@pytest.fixture(scope="module")
def st_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    api: Api = with_admin(
        start_api(
            make_settings(
                tmp,
                new_pg_database(),
                exec_timeout_seconds=2.0,
                max_nodes_per_tenant=4,
                login_attempts_per_minute=100000,
            )
        )
    )
    owner = api.signup()
    tid = api.tenant(owner)
    nid = api.node(owner, tid, memory="2mb")["id"]
    user_id = api.client.get("/api/auth/me", headers=owner).json()["id"]
    kid = api.client.post(f"/api/tenants/{tid}/api-keys", json={"name": "k"}, headers=owner).json()["id"]
    yield {"api": api, "headers": owner, "ids": {"tid": tid, "nid": nid, "user_id": user_id, "kid": kid}}
    stop_api(api)


@pytest.fixture(scope="module")
def st_schema(st_api: dict[str, Any]) -> Any:
    return schemathesis.openapi.from_url(st_api["api"].url + "/openapi.json")


def test_no_server_errors(st_api: dict[str, Any], st_schema: Any) -> None:
    """Every operation, a few generated cases each (schemathesis's pytest plugin does not load under
    this pytest, so the cases are drawn through hypothesis directly)."""
    failures: list[str] = []
    calls: list[int] = []
    operations = [result.ok() for result in st_schema.get_all_operations()]
    assert len(operations) >= 30

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def run(case: Any) -> None:
            deleting = case.method.upper() == "DELETE" and case.path in (
                "/api/tenants/{tid}",
                "/api/tenants/{tid}/nodes/{nid}",
                "/api/tenants/{tid}/members/{user_id}",
            )
            if case.path_parameters and not deleting:
                for name, value in st_api["ids"].items():
                    if name in case.path_parameters:
                        case.path_parameters[name] = value
            response = case.call(headers=st_api["headers"])
            calls.append(response.status_code)
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except Exception as error:  # collect, so one run reports every failing operation
                failures.append(
                    f"{case.method} {case.path}: {response.status_code} {response.text[:200]} ({error!r:.200})"
                )

        run()
    assert not failures, "\n".join(failures)
    assert len(calls) >= 100 and any(200 <= code < 300 for code in calls)
