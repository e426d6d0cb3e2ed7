"""Tenants (with quotas and usage), members and API keys."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, EmailStr, Field, field_validator

from miniredis_api.core.config import parse_memory
from miniredis_api.core.permissions import Role
from miniredis_api.schemas.common import ORM, Timestamps


class TenantBase(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TenantCreate(TenantBase):
    pass


class QuotaUpdate(BaseModel):
    """Quota overrides (platform admin only); null restores the default from settings."""

    max_nodes: int | None = Field(default=None, ge=0, le=100000)
    max_memory: int | str | None = None
    max_node_memory: int | str | None = None

    @field_validator("max_memory", "max_node_memory", mode="after")
    @classmethod
    def _memory(cls, value: int | str | None) -> int | None:
        return None if value is None else parse_memory(value)


class TenantUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    quotas: QuotaUpdate | None = None


class Quotas(BaseModel):
    max_nodes: int
    max_memory: int
    max_node_memory: int


class Usage(BaseModel):
    nodes: int
    memory: int


class TenantPublic(ORM, TenantBase, Timestamps):
    id: str
    role: Role
    """The caller's role in this tenant (owner for the platform admin)."""


class TenantDetail(TenantPublic):
    quotas: Quotas
    usage: Usage


class MemberCreate(BaseModel):
    email: EmailStr
    role: Role = Role.member


class MemberUpdate(BaseModel):
    role: Role


class MemberPublic(Timestamps):
    user_id: str
    email: str
    role: Role


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Role = Role.member
    expires_at: dt.datetime | None = None

    @field_validator("expires_at")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class ApiKeyPublic(ORM, Timestamps):
    id: str
    name: str
    role: Role
    prefix: str
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str
    """The secret, shown once: send it as `Authorization: Bearer <key>`."""
