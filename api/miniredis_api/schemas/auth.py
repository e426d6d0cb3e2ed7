"""Sign-up, sign-in, tokens and the current user."""

from __future__ import annotations

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
