"""Test data made through the API, the way a client would make it."""

import uuid
from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response

from src.auth import service as auth_service
from src.auth.config import AuthConfig
from src.auth.constants import Role
from src.auth.schemas import UserCreate
from src.database.unit_of_work import UnitsOfWork

DEFAULT_PASSWORD = "Corr3ct-horse!"


def user_payload(**overrides: Any) -> dict[str, Any]:
    """A valid, unique registration body."""
    suffix = uuid.uuid4().hex[:10]
    payload: dict[str, Any] = {
        "email": f"user-{suffix}@example.com",
        "username": f"user_{suffix}",
        "password": DEFAULT_PASSWORD,
        "first_name": "Ada",
    }
    payload.update(overrides)
    return payload


@dataclass
class AuthUser:
    id: str
    email: str
    username: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def login(
    client: AsyncClient, username: str, password: str = DEFAULT_PASSWORD
) -> dict[str, Any]:
    response = await client.post(
        "/auth/token", data={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    client.cookies.clear()
    tokens: dict[str, Any] = response.json()
    return tokens


async def create_user(client: AsyncClient, **overrides: Any) -> AuthUser:
    """Register and log in a user; the client keeps no cookie afterwards."""
    payload = user_payload(**overrides)
    response = await client.post("/auth/users", json=payload)
    assert response.status_code == 201, response.text
    tokens = await login(client, payload["username"], payload["password"])
    return AuthUser(
        id=response.json()["id"],
        email=payload["email"],
        username=payload["username"],
        password=payload["password"],
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
    )


async def create_superuser(
    client: AsyncClient, units: UnitsOfWork, config: AuthConfig
) -> AuthUser:
    """A superuser, made as the command line makes one, then logged in."""
    payload = user_payload()
    async with units() as uow:
        await auth_service.create_user(
            uow,
            data=UserCreate.model_validate(payload),
            config=config,
            role=Role.ADMIN,
        )
    tokens = await login(client, payload["username"], payload["password"])
    me = await client.get(
        "/auth/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    return AuthUser(
        id=me.json()["id"],
        email=payload["email"],
        username=payload["username"],
        password=payload["password"],
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
    )


async def create_moderator(client: AsyncClient, admin: AuthUser) -> AuthUser:
    """A member an admin made a moderator."""
    moderator = await create_user(client)
    response = await client.put(
        f"/admin/users/{moderator.id}/role",
        json={"role": "moderator"},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    return moderator


async def create_api_key(
    client: AsyncClient, owner: AuthUser, *scopes: str, **overrides: Any
) -> str:
    """A new API key of `owner` with these scopes; the key itself."""
    body = {"name": "script", "scopes": list(scopes)} | overrides
    response = await client.post(
        "/auth/users/me/api-keys", json=body, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    key: str = response.json()["key"]
    return key


async def create_post(
    client: AsyncClient, author: AuthUser, **overrides: Any
) -> dict[str, Any]:
    body = {"title": "A title", "content": "Some content"} | overrides
    response = await client.post("/posts", json=body, headers=author.headers)
    assert response.status_code == 201, response.text
    post: dict[str, Any] = response.json()
    return post


async def create_comment(
    client: AsyncClient, post_id: str, author: AuthUser, content: str = "Nice post"
) -> dict[str, Any]:
    response = await client.post(
        f"/posts/{post_id}/comments", json={"content": content}, headers=author.headers
    )
    assert response.status_code == 201, response.text
    comment: dict[str, Any] = response.json()
    return comment


async def upload_attachment(
    client: AsyncClient,
    post_id: str,
    author: AuthUser,
    content: bytes = b"hello",
    filename: str = "note.txt",
    content_type: str = "text/plain",
    *,
    key: str | None = None,
) -> Response:
    """Upload a file to a post as `author` (with an Idempotency-Key if
    given); the response, whatever its status."""
    headers = author.headers | ({"Idempotency-Key": key} if key else {})
    return await client.post(
        f"/posts/{post_id}/attachments",
        files={"file": (filename, content, content_type)},
        headers=headers,
    )
