"""`GET /api/auth/config` (public): how the dashboard signs in, in built-in mode and in Firebase mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import SECRET, make_settings, start_api, stop_api


def _config(tmp: Path, **overrides: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The config before anyone signed up, and after a first account exists."""
    api = start_api(make_settings(tmp, f"sqlite:///{tmp / 'api.db'}", **overrides))
    try:
        before = api.client.get("/api/auth/config")  # no credentials needed
        assert before.status_code == 200, before.text
        assert SECRET not in before.text
        if overrides.get("auth", "builtin") == "builtin":
            signup = api.client.post("/api/auth/signup", json={"email": "a@example.com", "password": "first-pass-1"})
            assert signup.status_code == 201, signup.text
        after = api.client.get("/api/auth/config", headers={"Authorization": "Bearer not-a-token"})
        assert after.status_code == 200, after.text  # a bad token does not matter on a public endpoint
        return before.json(), after.json()
    finally:
        stop_api(api)


BUILTIN = {"auth": "builtin", "firebase_project_id": None, "firebase_api_key": None, "firebase_auth_domain": None}


def test_builtin_signup_open(tmp_path: Path) -> None:
    before, after = _config(tmp_path)
    assert before == {**BUILTIN, "signup_open": True, "firebase_emulator_host": None}
    assert after == before


def test_builtin_signup_closed_but_the_first_account_may_sign_up(tmp_path: Path) -> None:
    before, after = _config(tmp_path, signup_open=False)
    assert before == {**BUILTIN, "signup_open": True, "firebase_emulator_host": None}
    assert after == {**BUILTIN, "signup_open": False, "firebase_emulator_host": None}


def test_firebase_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    config, _ = _config(tmp_path / "default", auth="firebase", firebase_project_id="demo-cfg")
    assert config == {
        "auth": "firebase",
        "signup_open": True,
        "firebase_project_id": "demo-cfg",
        "firebase_api_key": None,
        "firebase_auth_domain": "demo-cfg.firebaseapp.com",  # the default domain of the project
        "firebase_emulator_host": None,
    }
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    config, _ = _config(
        tmp_path / "set",
        auth="firebase",
        firebase_project_id="demo-cfg",
        firebase_api_key="AIza-public-web-key",
        firebase_auth_domain="login.example.com",
    )
    assert config == {
        "auth": "firebase",
        "signup_open": True,
        "firebase_project_id": "demo-cfg",
        "firebase_api_key": "AIza-public-web-key",
        "firebase_auth_domain": "login.example.com",
        "firebase_emulator_host": "127.0.0.1:9099",
    }
