"""Security primitives: argon2 password hashes, JWT access tokens, opaque refresh tokens and API
keys (high-entropy secrets stored as SHA-256 digests), node passwords (generated, and encrypted at
rest with a key derived from the API's secret key)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ALGORITHM = "HS256"
API_KEY_PREFIX = "mrk_"
_hasher = PasswordHasher()
# Verified against when an email is unknown, so sign-in takes as long for unknown accounts.
_DUMMY_HASH = _hasher.hash("not-a-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret (refresh tokens, API keys): enough, since they are random."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def create_access_token(*, subject: str, secret_key: str, expires_in: dt.timedelta) -> str:
    now = dt.datetime.now(dt.UTC)
    payload = {"sub": subject, "iat": now, "exp": now + expires_in, "typ": "access"}
    return jwt.encode(payload, secret_key, algorithm=ALGORITHM)


def decode_access_token(token: str, *, secret_key: str) -> str | None:
    """The user id of a valid, unexpired access token, else None."""
    try:
        payload = jwt.decode(token, secret_key, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
    if payload.get("typ") != "access":
        return None
    subject = payload.get("sub")
    return subject if isinstance(subject, str) else None


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class NewApiKey:
    prefix: str
    secret: str
    """The full key shown once: `mrk_<prefix>_<random>`."""


def new_api_key() -> NewApiKey:
    prefix = secrets.token_hex(6)
    return NewApiKey(prefix=prefix, secret=f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}")


def split_api_key(token: str) -> str | None:
    """The prefix of something shaped like an API key, else None."""
    if not token.startswith(API_KEY_PREFIX):
        return None
    prefix, sep, _ = token[len(API_KEY_PREFIX) :].partition("_")
    return prefix if sep and prefix else None


def new_node_password() -> str:
    return secrets.token_urlsafe(24)


class SecretKeyMismatch(RuntimeError):
    """A stored secret was encrypted under another secret key (MINIREDIS_SECRET_KEY changed)."""


class SecretBox:
    """Encrypts node passwords for the database: Fernet (AES-128-CBC + HMAC-SHA256, authenticated)
    under a key derived from the API's secret key with HKDF-SHA256 (its own `info`, so the key that
    signs access tokens is never used to encrypt). Changing MINIREDIS_SECRET_KEY makes stored
    passwords unreadable: migrate them first (see api/README.md)."""

    INFO = b"miniredis node passwords v1"

    def __init__(self, secret_key: str) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=self.INFO).derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeEncodeError):
            raise SecretKeyMismatch(
                "a stored node password cannot be decrypted: it was encrypted under another MINIREDIS_SECRET_KEY"
            ) from None
