"""The signed-in user's API keys. Managing keys takes a session: no key
can make, list or revoke keys."""

from uuid import UUID

from fastapi import APIRouter, status

from src.auth import api_keys
from src.auth.dependencies import CurrentUser
from src.auth.exceptions import (
    ApiKeyNotFound,
    InvalidToken,
    SessionRequired,
    TooManyApiKeys,
)
from src.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyResponse
from src.exceptions import responses
from src.web.dependencies import ReadSession, UnitOfWorkDep

router = APIRouter(prefix="/auth/users/me/api-keys", tags=["Auth"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Make an API key",
    description="For scripts and integrations: the answer holds the key "
    "itself, shown only this once (only its hash is kept). It acts as you "
    "within its scopes, and can never manage your account.",
    responses=responses(InvalidToken, SessionRequired, TooManyApiKeys),
)
async def create_api_key(
    data: ApiKeyCreate, user: CurrentUser, uow: UnitOfWorkDep
) -> ApiKeyCreated:
    issued = await api_keys.create_key(
        uow,
        user_id=user.id,
        name=data.name,
        scopes=data.scopes,
        expires_at=data.expires_at,
    )
    return ApiKeyCreated.model_validate(
        {**ApiKeyResponse.model_validate(issued.key).model_dump(), "key": issued.secret}
    )


@router.get(
    "",
    summary="My API keys",
    description="Newest first; the keys themselves are never shown again.",
    responses=responses(InvalidToken, SessionRequired),
)
async def list_api_keys(
    user: CurrentUser, session: ReadSession
) -> list[ApiKeyResponse]:
    keys = await api_keys.list_keys(session, user.id)
    return [ApiKeyResponse.model_validate(key) for key in keys]


@router.delete(
    "/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an API key",
    description="At once: the next request with it is refused.",
    responses=responses(InvalidToken, SessionRequired, ApiKeyNotFound),
)
async def revoke_api_key(key_id: UUID, user: CurrentUser, uow: UnitOfWorkDep) -> None:
    await api_keys.revoke_key(uow, key_id=key_id, user_id=user.id)
