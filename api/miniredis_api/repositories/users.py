"""Users and refresh tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from miniredis_api.core.db import utcnow
from miniredis_api.models import RefreshToken, User


async def get_user(*, session: AsyncSession, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def get_user_by_email(*, session: AsyncSession, email: str) -> User | None:
    return (await session.execute(select(User).where(User.email == email.lower()))).scalar_one_or_none()


async def get_user_by_firebase_uid(*, session: AsyncSession, uid: str) -> User | None:
    return (await session.execute(select(User).where(User.firebase_uid == uid))).scalar_one_or_none()


async def count_users(*, session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(User))).scalar_one())


async def create_user(
    *, session: AsyncSession, email: str, password_hash: str | None, is_admin: bool, firebase_uid: str | None = None
) -> User:
    user = User(email=email.lower(), password_hash=password_hash, is_admin=is_admin, firebase_uid=firebase_uid)
    session.add(user)
    await session.flush()
    return user


async def add_refresh_token(
    *, session: AsyncSession, user_id: str, family_id: str, token_hash: str, expires_at: dt.datetime
) -> RefreshToken:
    token = RefreshToken(user_id=user_id, family_id=family_id, token_hash=token_hash, expires_at=expires_at)
    session.add(token)
    await session.flush()
    return token


async def get_refresh_token(*, session: AsyncSession, token_hash: str) -> RefreshToken | None:
    query = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    return (await session.execute(query)).scalar_one_or_none()


async def revoke_family(*, session: AsyncSession, family_id: str) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
