"""compose.yaml validated against the Compose specification (no Docker engine here), and the
`miniredis` command: migrate, create-admin, settings, openapi, nodes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import compose_spec
import pytest
import yaml

from tests.api.conftest import SECRET

REPO = Path(__file__).resolve().parents[2]


def test_compose_file_is_valid() -> None:
    text = (REPO / "compose.yaml").read_text()
    compose = compose_spec.PyCompose.from_yaml(text)  # raises on anything the spec does not allow
    compose.validate()
    assert set(compose.service_names()) == {"db", "api", "dashboard"}
    raw = yaml.safe_load(text)
    api = raw["services"]["api"]
    env = api["environment"]
    assert (
        env["MINIREDIS_DATABASE_URL"].startswith("postgresql+psycopg://")
        and "@db:5432/" in env["MINIREDIS_DATABASE_URL"]
    )
    assert (
        f"{env['REDIS_PORT_START']}-{env['REDIS_PORT_END']}:{env['REDIS_PORT_START']}-{env['REDIS_PORT_END']}"
        in api["ports"]
    )
    assert api["depends_on"]["db"]["condition"] == "service_healthy"


def test_compose_validator_rejects_mistakes() -> None:
    with pytest.raises(ValueError):
        compose_spec.PyCompose.from_yaml("services:\n  api:\n    imagee: x\n")


def _cli(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINIREDIS_")}
    env.update(MINIREDIS_VAR_DIR=str(tmp), MINIREDIS_ENVIRONMENT="production", MINIREDIS_SECRET_KEY=SECRET)
    return subprocess.run(
        [sys.executable, "-m", "miniredis_api.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_cli(tmp_path: Path) -> None:
    migrated = _cli(tmp_path, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "miniredis.db").exists()
    admin = _cli(tmp_path, "create-admin", "--email", "ops@example.com", "--password", "ops-password-1")
    assert admin.returncode == 0 and "ops@example.com" in admin.stdout
    shown = json.loads(_cli(tmp_path, "settings").stdout)
    assert shown["secret_key"] == "***" and shown["redis_port_start"] == 6000
    spec = json.loads(_cli(tmp_path, "openapi").stdout)
    assert spec["paths"]["/api/tenants/{tid}/nodes"]["post"]["operationId"] == "nodes-create_node"
    assert _cli(tmp_path, "nodes").returncode == 0


def test_insecure_secret_refused_outside_development(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINIREDIS_")}
    env.update(MINIREDIS_VAR_DIR=str(tmp_path), MINIREDIS_ENVIRONMENT="production")
    result = subprocess.run(
        [sys.executable, "-m", "miniredis_api.cli", "migrate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "MINIREDIS_SECRET_KEY" in result.stderr
