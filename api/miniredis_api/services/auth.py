"""Sign-up, sign-in, refresh-token rotation, sign-out, bearer-token resolution and Firebase sign-in.

Refresh tokens are opaque and stored as digests, one row per token, grouped in families (one per
sign-in). Refreshing marks the presented token used and issues the next one in the family; if a
token that was already used is presented again, someone kept a copy, so the whole family is
revoked. A bearer token is either an access token (JWT) or an API key (`mrk_...`).

Resolving a bearer token costs a database read, so verified callers are remembered for a few
seconds (`PrincipalCache`). An access token is still decoded and its expiry checked on every
request (only the user row is cached); an API key's expiry is checked on every request, and a
revoked key is dropped from the cache at once (`forget_api_key`), so it is refused right after the
revocation, as before. The cache lives in this process: another API replica may accept a key it
remembers for up to `PRINCIPAL_CACHE_SECONDS` after the revocation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from miniredis_api.core import security
from miniredis_api.core.config import Settings
from miniredis_api.core.db import utcnow
from miniredis_api.core.errors import BadRequest, Conflict, Forbidden, TooManyRequests, Unauthorized
from miniredis_api.models import ApiKey, User
from miniredis_api.repositories import tenants as tenant_repo
from miniredis_api.repositories import users as user_repo
from miniredis_api.schemas.auth import Tokens


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in user, or an API key (acting in its one tenant with its role)."""

    user: User | None = None
    api_key: ApiKey | None = None

    @property
    def is_platform_admin(self) -> bool:
        return self.user is not None and self.user.is_admin and self.api_key is None

    @property
    def user_id(self) -> str | None:
        return self.user.id if self.user is not None else None


PRINCIPAL_CACHE_SECONDS = 5.0
"""How long a verified user row or API key is reused without reading the database."""
API_KEY_LAST_USED_EVERY = dt.timedelta(seconds=30)
"""`last_used_at` of an API key is written at most this often (hot paths stay read-only)."""


class PrincipalCache:
    """Users by id and API keys by the digest of their secret, each kept for a few seconds.

    Invalidation bumps a generation: a lookup that started before an invalidation never stores
    its (possibly stale) result, so a revoked key cannot slip back in through a racing request.
    """

    def __init__(self, ttl: float = PRINCIPAL_CACHE_SECONDS, max_entries: int = 10_000) -> None:
        self.ttl, self.max_entries = ttl, max_entries
        self.generation = 0
        self.users: dict[str, tuple[float, User]] = {}
        self.keys: dict[str, tuple[float, ApiKey]] = {}

    def user(self, user_id: str) -> User | None:
        entry = self.users.get(user_id)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def api_key(self, secret_digest: str) -> ApiKey | None:
        entry = self.keys.get(secret_digest)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put_user(self, user: User, generation: int) -> None:
        if generation == self.generation:
            self._room(self.users)
            self.users[user.id] = (time.monotonic() + self.ttl, user)

    def put_api_key(self, secret_digest: str, key: ApiKey, generation: int) -> None:
        if generation == self.generation:
            self._room(self.keys)
            self.keys[secret_digest] = (time.monotonic() + self.ttl, key)

    def forget_api_key(self, key_id: str) -> None:
        self.generation += 1
        for digest_, (_, key) in list(self.keys.items()):
            if key.id == key_id:
                del self.keys[digest_]

    def forget_tenant(self, tenant_id: str) -> None:
        self.generation += 1
        for digest_, (_, key) in list(self.keys.items()):
            if key.tenant_id == tenant_id:
                del self.keys[digest_]

    def clear(self) -> None:
        self.generation += 1
        self.users.clear()
        self.keys.clear()

    def _room(self, entries: dict[str, Any]) -> None:
        if len(entries) >= self.max_entries:
            now = time.monotonic()
            for name, (deadline, _) in list(entries.items()):
                if deadline < now:
                    del entries[name]
            if len(entries) >= self.max_entries:
                entries.clear()


class RateLimiter:
    """A sliding window of attempts per key (email, client address), kept in memory."""

    def __init__(self, limit: int, window_seconds: float = 60.0) -> None:
        self.limit, self.window = limit, window_seconds
        self.attempts: dict[str, deque[float]] = defaultdict(deque)

    def hit(self, *keys: str) -> None:
        now = time.monotonic()
        for key in keys:
            attempts = self.attempts[key]
            while attempts and attempts[0] <= now - self.window:
                attempts.popleft()
            if len(attempts) >= self.limit:
                retry = max(1, int(self.window - (now - attempts[0])) + 1)
                raise TooManyRequests("too many sign-in attempts; try again later", headers={"Retry-After": str(retry)})
        for key in keys:
            self.attempts[key].append(now)


class AuthService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = RateLimiter(settings.login_attempts_per_minute)
        self.cache = PrincipalCache()
        self._firebase_app: Any = None

    # ---- built-in accounts -----------------------------------------------------------------------

    async def signup(self, *, session: AsyncSession, email: str, password: str) -> User:
        if self.settings.auth != "builtin":
            raise BadRequest("built-in accounts are disabled: sign in with Firebase")
        first = await user_repo.count_users(session=session) == 0
        if not first and not self.settings.signup_open:
            raise Forbidden("sign-up is closed on this platform")
        if await user_repo.get_user_by_email(session=session, email=email) is not None:
            raise Conflict("an account with this email already exists")
        password_hash = await asyncio.to_thread(security.hash_password, password)
        try:
            user = await user_repo.create_user(
                session=session, email=email, password_hash=password_hash, is_admin=first
            )
            await session.commit()
        except IntegrityError:
            await session.rollback()
            raise Conflict("an account with this email already exists") from None
        return user

    async def login(self, *, session: AsyncSession, email: str, password: str, client: str) -> Tokens:
        if self.settings.auth != "builtin":
            raise BadRequest("built-in accounts are disabled: sign in with Firebase")
        self.limiter.hit(f"email:{email.lower()}", f"client:{client}")
        user = await user_repo.get_user_by_email(session=session, email=email)
        ok = await asyncio.to_thread(security.verify_password, password, user.password_hash if user else None)
        if user is None or not ok or not user.is_active:
            raise Unauthorized("incorrect email or password")
        return await self.issue(session=session, user=user, family_id=str(uuid.uuid4()))

    async def issue(self, *, session: AsyncSession, user: User, family_id: str) -> Tokens:
        refresh = security.new_refresh_token()
        await user_repo.add_refresh_token(
            session=session,
            user_id=user.id,
            family_id=family_id,
            token_hash=security.digest(refresh),
            expires_at=utcnow() + dt.timedelta(days=self.settings.refresh_token_days),
        )
        await session.commit()
        lifetime = dt.timedelta(minutes=self.settings.access_token_minutes)
        access = security.create_access_token(subject=user.id, secret_key=self.settings.secret_key, expires_in=lifetime)
        return Tokens(access_token=access, refresh_token=refresh, expires_in=int(lifetime.total_seconds()))

    async def refresh(self, *, session: AsyncSession, refresh_token: str) -> Tokens:
        token = await user_repo.get_refresh_token(session=session, token_hash=security.digest(refresh_token))
        if token is None:
            raise Unauthorized("invalid refresh token")
        if token.used_at is not None:
            await user_repo.revoke_family(session=session, family_id=token.family_id)
            await session.commit()
            raise Unauthorized("refresh token already used: every session of this sign-in is revoked")
        if token.revoked_at is not None or token.expires_at <= utcnow():
            raise Unauthorized("refresh token revoked or expired")
        user = await user_repo.get_user(session=session, user_id=token.user_id)
        if user is None or not user.is_active:
            raise Unauthorized("invalid refresh token")
        token.used_at = utcnow()
        return await self.issue(session=session, user=user, family_id=token.family_id)

    async def logout(self, *, session: AsyncSession, refresh_token: str) -> None:
        token = await user_repo.get_refresh_token(session=session, token_hash=security.digest(refresh_token))
        if token is not None:
            await user_repo.revoke_family(session=session, family_id=token.family_id)
            await session.commit()

    # ---- bearer tokens -------------------------------------------------------------------------

    async def authenticate(self, *, session: AsyncSession, token: str | None) -> Principal:
        if not token:
            raise Unauthorized("not authenticated")
        generation = self.cache.generation
        prefix = security.split_api_key(token)
        if prefix is not None:
            secret_digest = security.digest(token)
            now = utcnow()
            cached = self.cache.api_key(secret_digest)
            if (
                cached is not None
                and (cached.expires_at is None or cached.expires_at > now)
                and cached.last_used_at is not None
                and now - cached.last_used_at <= API_KEY_LAST_USED_EVERY
            ):
                return Principal(api_key=cached)
            key = await tenant_repo.get_api_key_by_prefix(session=session, prefix=prefix)
            if key is None or not security.same(key.secret_hash, secret_digest):
                raise Unauthorized("invalid API key")
            if key.revoked_at is not None:
                raise Unauthorized("API key revoked")
            if key.expires_at is not None and key.expires_at <= now:
                raise Unauthorized("API key expired")
            if key.last_used_at is None or now - key.last_used_at > API_KEY_LAST_USED_EVERY:
                key.last_used_at = now  # written at most every 30 s to keep hot paths read-only
                await session.commit()
            self.cache.put_api_key(secret_digest, key, generation)
            return Principal(api_key=key)
        user_id = security.decode_access_token(token, secret_key=self.settings.secret_key)
        if user_id is None:
            raise Unauthorized("invalid or expired access token")
        user = self.cache.user(user_id)
        if user is None:
            user = await user_repo.get_user(session=session, user_id=user_id)
            if user is None or not user.is_active:
                raise Unauthorized("invalid or expired access token")
            self.cache.put_user(user, generation)
        return Principal(user=user)

    def forget_api_key(self, key_id: str) -> None:
        """Call once a key is revoked (committed): it is refused from the next request on."""
        self.cache.forget_api_key(key_id)

    def forget_tenant(self, tenant_id: str) -> None:
        """Call once a tenant is deleted: its API keys are refused from the next request on."""
        self.cache.forget_tenant(tenant_id)

    # ---- Firebase --------------------------------------------------------------------------------

    def _firebase(self) -> Any:
        if self._firebase_app is None:
            import firebase_admin

            self._firebase_app = firebase_admin.initialize_app(
                options={"projectId": self.settings.firebase_project_id}, name=f"miniredis-{id(self)}"
            )
        return self._firebase_app

    async def firebase_login(self, *, session: AsyncSession, id_token: str) -> Tokens:
        """Verify a Firebase ID token (revocation checked) and sign the user in, creating them on first use."""
        if self.settings.auth != "firebase":
            raise BadRequest("Firebase sign-in is not enabled (MINIREDIS_AUTH=firebase)")
        from firebase_admin import auth as firebase_auth

        try:
            claims = await asyncio.to_thread(
                firebase_auth.verify_id_token, id_token, app=self._firebase(), check_revoked=True
            )
        except (
            ValueError,
            firebase_auth.InvalidIdTokenError,
            firebase_auth.RevokedIdTokenError,
            firebase_auth.UserDisabledError,
            firebase_auth.ExpiredIdTokenError,
        ) as error:
            raise Unauthorized(f"invalid Firebase ID token: {error}") from None
        except firebase_auth.CertificateFetchError as error:  # pragma: no cover - network
            raise Unauthorized(f"could not verify the Firebase ID token: {error}") from None
        uid = str(claims["uid"])
        email = claims.get("email")
        if not isinstance(email, str) or not email:
            raise Unauthorized("the Firebase account has no email address")
        user = await user_repo.get_user_by_firebase_uid(session=session, uid=uid)
        if user is None:
            user = await user_repo.get_user_by_email(session=session, email=email)
            if user is not None:
                user.firebase_uid = uid
            else:
                first = await user_repo.count_users(session=session) == 0
                if not first and not self.settings.signup_open:
                    raise Forbidden("sign-up is closed on this platform")
                user = await user_repo.create_user(
                    session=session, email=email, password_hash=None, is_admin=first, firebase_uid=uid
                )
            await session.commit()
        return await self.issue(session=session, user=user, family_id=str(uuid.uuid4()))
