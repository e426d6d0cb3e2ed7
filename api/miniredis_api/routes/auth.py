"""`/api/auth`: sign-up, sign-in, refresh, sign-out, the current user, Firebase sign-in."""

from __future__ import annotations

import os

from fastapi import APIRouter, Request, status

from miniredis_api.repositories import tenants as tenant_repo
from miniredis_api.repositories import users as user_repo
from miniredis_api.routes.deps import CurrentPrincipal, ServicesDep, SessionDep
from miniredis_api.schemas.auth import (
    AuthConfig,
    Credentials,
    FirebaseLogin,
    LoginCredentials,
    Me,
    MembershipOfMe,
    RefreshRequest,
    Tokens,
    UserPublic,
)
from miniredis_api.services.access import require_user

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.get("/config")
async def config(services: ServicesDep, session: SessionDep) -> AuthConfig:
    """How to sign in (public): built-in accounts or Firebase, with what the Firebase JS SDK needs."""
    settings = services.settings
    signup_open = settings.signup_open or await user_repo.count_users(session=session) == 0
    if settings.auth != "firebase":
        return AuthConfig(auth="builtin", signup_open=signup_open)
    project = settings.firebase_project_id
    return AuthConfig(
        auth="firebase",
        signup_open=signup_open,
        firebase_project_id=project,
        firebase_api_key=settings.firebase_api_key or None,
        firebase_auth_domain=settings.firebase_auth_domain or f"{project}.firebaseapp.com",
        firebase_emulator_host=os.environ.get("FIREBASE_AUTH_EMULATOR_HOST") or None,
    )


@router.post("/signup", status_code=status.HTTP_201_CREATED)
async def signup(body: Credentials, services: ServicesDep, session: SessionDep) -> UserPublic:
    """Create an account; the first account becomes the platform admin."""
    user = await services.auth.signup(session=session, email=body.email, password=body.password)
    return UserPublic.model_validate(user)


@router.post("/login")
async def login(body: LoginCredentials, request: Request, services: ServicesDep, session: SessionDep) -> Tokens:
    """Sign in with email and password (rate limited); returns an access and a refresh token."""
    client = request.client.host if request.client else "unknown"
    return await services.auth.login(session=session, email=body.email, password=body.password, client=client)


@router.post("/refresh")
async def refresh(body: RefreshRequest, services: ServicesDep, session: SessionDep) -> Tokens:
    """Exchange a refresh token for new tokens; the old refresh token stops working."""
    return await services.auth.refresh(session=session, refresh_token=body.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(body: RefreshRequest, services: ServicesDep, session: SessionDep) -> None:
    """Sign out: revoke the refresh token and every token rotated from the same sign-in."""
    await services.auth.logout(session=session, refresh_token=body.refresh_token)


@router.get("/me")
async def me(principal: CurrentPrincipal, session: SessionDep) -> Me:
    """The signed-in user and their tenants with their role in each."""
    require_user(principal)
    assert principal.user is not None
    memberships = await tenant_repo.list_memberships_of_user(session=session, user_id=principal.user.id)
    return Me(
        **UserPublic.model_validate(principal.user).model_dump(),
        tenants=[MembershipOfMe(tenant_id=t.id, tenant_name=t.name, role=m.role) for m, t in memberships],
    )


@router.post("/firebase")
async def firebase(body: FirebaseLogin, services: ServicesDep, session: SessionDep) -> Tokens:
    """Sign in with a Firebase ID token (MINIREDIS_AUTH=firebase); creates the account on first sign-in."""
    return await services.auth.firebase_login(session=session, id_token=body.id_token)
