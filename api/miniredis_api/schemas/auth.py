"""Sign-up, sign-in, tokens and the current user."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, EmailStr, Field

from miniredis_api.schemas.common import ORM, Timestamps


class Credentials(BaseModel):
    email: EmailStr
    password: str = Field(min_length=8, max_length=256)


class LoginCredentials(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)


class Tokens(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    """Seconds until the access token expires."""


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class FirebaseLogin(BaseModel):
    id_token: str = Field(min_length=1, max_length=8192)


class UserPublic(ORM, Timestamps):
    id: str
    email: str
    is_admin: bool


class MembershipOfMe(BaseModel):
    tenant_id: str
    tenant_name: str
    role: str


class Me(UserPublic):
    tenants: list[MembershipOfMe]


class AuthConfig(BaseModel):
    """How the dashboard signs in: what `GET /api/auth/config` answers (public, no secrets)."""

    auth: Literal["builtin", "firebase"]
    signup_open: bool
    """Whether sign-up is open (the first account may always sign up)."""
    firebase_project_id: str | None = None
    firebase_api_key: str | None = None
    """The Web API key for the Firebase JS SDK (any value works with the emulator)."""
    firebase_auth_domain: str | None = None
    firebase_emulator_host: str | None = None
    """`host:port` of the Firebase Auth emulator when the API uses one (FIREBASE_AUTH_EMULATOR_HOST)."""
