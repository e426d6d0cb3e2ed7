"""Sign-up, sign-in, refresh rotation with family revocation, sign-out, /me, expiry, rate limit."""

from __future__ import annotations

import datetime as dt
import uuid

from miniredis_api.core.security import create_access_token
from tests.api.conftest import SECRET, Api


def _email() -> str:
    return f"a-{uuid.uuid4().hex[:10]}@example.com"


def test_signup_login_me(api: Api) -> None:
    email = _email()
    created = api.client.post("/api/auth/signup", json={"email": email, "password": "long-enough-pw"})
    assert created.status_code == 201
    body = created.json()
    assert body["email"] == email and body["is_admin"] is False and "password_hash" not in body
    assert api.client.post("/api/auth/signup", json={"email": email, "password": "long-enough-pw"}).status_code == 409
    assert api.client.post("/api/auth/signup", json={"email": email, "password": "short"}).status_code == 422
    tokens = api.client.post("/api/auth/login", json={"email": email, "password": "long-enough-pw"}).json()
    assert set(tokens) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 900
    me = api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
    assert me["email"] == email and me["tenants"] == []
    bad = api.client.post("/api/auth/login", json={"email": email, "password": "wrong-password"})
    assert bad.status_code == 401 and bad.json()["detail"] == "incorrect email or password"
    assert api.client.post("/api/auth/login", json={"email": _email(), "password": "x"}).status_code == 401


def test_first_account_is_admin(api: Api) -> None:
    me = api.client.get("/api/auth/me", headers=api.admin).json()
    assert me["is_admin"] is True


def test_refresh_rotation_and_reuse_revokes_family(api: Api) -> None:
    email = _email()
    api.client.post("/api/auth/signup", json={"email": email, "password": "long-enough-pw"})
    first = api.client.post("/api/auth/login", json={"email": email, "password": "long-enough-pw"}).json()
    second = api.client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    second_tokens = second.json()
    assert second_tokens["refresh_token"] != first["refresh_token"]
    # re-using the rotated token: refused, and the whole family (including the new token) is revoked
    assert api.client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]}).status_code == 401
    assert (
        api.client.post("/api/auth/refresh", json={"refresh_token": second_tokens["refresh_token"]}).status_code == 401
    )
    assert api.client.post("/api/auth/refresh", json={"refresh_token": "nonsense"}).status_code == 401


def test_logout_revokes_refresh(api: Api) -> None:
    email = _email()
    api.client.post("/api/auth/signup", json={"email": email, "password": "long-enough-pw"})
    tokens = api.client.post("/api/auth/login", json={"email": email, "password": "long-enough-pw"}).json()
    assert api.client.post("/api/auth/logout", json={"refresh_token": tokens["refresh_token"]}).status_code == 204
    assert api.client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_refresh_after_access_token_expired(api: Api) -> None:
    """Expire, refresh, carry on."""
    email = _email()
    api.client.post("/api/auth/signup", json={"email": email, "password": "long-enough-pw"})
    tokens = api.client.post("/api/auth/login", json={"email": email, "password": "long-enough-pw"}).json()
    user_id = api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()["id"]
    expired = create_access_token(subject=user_id, secret_key=SECRET, expires_in=dt.timedelta(seconds=-1))
    response = api.client.get("/api/tenants", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    fresh = api.client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).json()
    headers = {"Authorization": f"Bearer {fresh['access_token']}"}
    assert api.client.post("/api/tenants", json={"name": "after-expiry"}, headers=headers).status_code == 201
    assert api.client.get("/api/tenants", headers=headers).json()["total"] == 1


def test_tokens_signed_with_another_key_are_refused(api: Api) -> None:
    forged = create_access_token(subject=str(uuid.uuid4()), secret_key="x" * 40, expires_in=dt.timedelta(minutes=5))
    assert api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert api.client.get("/api/auth/me").status_code == 401


def test_sign_in_rate_limited(sqlite_api_factory) -> None:  # type: ignore[no-untyped-def]
    api = sqlite_api_factory(login_attempts_per_minute=3)
    codes = [
        api.client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "x"}).status_code
        for _ in range(5)
    ]
    assert codes[:2] == [401, 401] and codes[-1] == 429
    limited = api.client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "x"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


def test_signup_closed(sqlite_api_factory) -> None:  # type: ignore[no-untyped-def]
    api = sqlite_api_factory(signup_open=False)  # the admin (first account) could still sign up
    response = api.client.post("/api/auth/signup", json={"email": _email(), "password": "long-enough-pw"})
    assert response.status_code == 403 and "closed" in response.json()["detail"]
