"""Shapes shared by every resource: timestamps, pagination, messages."""

from __future__ import annotations

import datetime as dt
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Timestamps(BaseModel):
    created_at: dt.datetime
    updated_at: dt.datetime


class Page(BaseModel, Generic[T]):
    """Every list endpoint answers `{"items": [...], "total": n}`; `total` counts all matches."""

    items: list[T]
    total: int


class Message(BaseModel):
    message: str


class ORM(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PageParams(BaseModel):
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0)
