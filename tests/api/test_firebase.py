"""Firebase sign-in verified against the real Firebase Auth emulator (npm `firebase-tools`, run
offline with `firebase emulators:start --only auth --project demo-miniredis`). Skipped, saying
why, when the `firebase` command or Java is missing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import free_port

PROJECT = "demo-miniredis"


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    firebase = shutil.which("firebase")
    if firebase is None:
        pytest.skip("the Firebase CLI is not installed (npm install -g firebase-tools)")
    if shutil.which("java") is None:
        pytest.skip("Java is not installed; firebase-tools needs it")
    tmp = tmp_path_factory.mktemp("firebase")
    port = free_port()
    (tmp / "firebase.json").write_text(
        json.dumps(
            {
                "emulators": {
                    "auth": {"port": port},
                    "ui": {"enabled": False},
                    "hub": {"port": free_port()},
                    "logging": {"port": free_port()},
                }
            }
        )
    )
    log = open(tmp / "emulator.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [firebase, "emulators:start", "--only", "auth", "--project", PROJECT],
        cwd=tmp,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    host = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://{host}/", timeout=1)
                break
            except OSError as error:
                if getattr(error, "code", None):
                    break  # an HTTP answer: it is up
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.skip(f"the Auth emulator did not start: {Path(tmp / 'emulator.log').read_text()[-500:]}")
                time.sleep(0.5)
        yield host
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def test_firebase_sign_in(emulator: str, sqlite_api_factory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", emulator)
    api = sqlite_api_factory(auth="firebase", firebase_project_id=PROJECT)
    base = f"http://{emulator}/identitytoolkit.googleapis.com/v1"
    account = _post(
        f"{base}/accounts:signUp?key=fake-api-key",
        {"email": "fb-user@example.com", "password": "fb-password-1", "returnSecureToken": True},
    )
    tokens = api.client.post("/api/auth/firebase", json={"id_token": account["idToken"]})
    assert tokens.status_code == 200, tokens.text
    headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    me = api.client.get("/api/auth/me", headers=headers).json()
    assert me["email"] == "fb-user@example.com"
    again = api.client.post("/api/auth/firebase", json={"id_token": account["idToken"]}).json()
    assert (
        api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {again['access_token']}"}).json()["id"]
        == me["id"]
    )
    assert api.client.post("/api/auth/firebase", json={"id_token": "not-a-token"}).status_code == 401
    # the first Firebase account became the platform admin
    assert me["is_admin"] is True
    # built-in sign-in is off in Firebase mode
    assert api.client.post("/api/auth/login", json={"email": "fb-user@example.com", "password": "x"}).status_code == 400
    # revoked tokens are refused (revocation is checked)
    uid = account["localId"]
    from firebase_admin import auth as firebase_auth

    time.sleep(1.1)
    firebase_auth.revoke_refresh_tokens(uid, app=api.app.state.services.auth._firebase())
    revoked = api.client.post("/api/auth/firebase", json={"id_token": account["idToken"]})
    assert revoked.status_code == 401
