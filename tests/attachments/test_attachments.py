import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from src.attachments import service
from src.attachments.models import Attachment
from src.aws.client import Storage, create_storage
from src.aws.config import StorageBackend
from src.config import Settings
from src.database.base import utcnow
from tests.factories import AuthUser, create_post, upload_attachment
from tests.utils import AppFactory, app_client

pytestmark = pytest.mark.anyio

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + b"0" * 500
TEXT = "Notes: caf\u00e9, na\u00efve, \u2713 done.\n".encode() * 20
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(200)


@pytest.fixture(autouse=True)
def backend(storage_backend: StorageBackend) -> StorageBackend:
    # Autouse, so the storage is configured before the app's lifespan starts.
    return storage_backend


@pytest.fixture
async def storage(settings: Settings) -> AsyncIterator[Storage]:
    """The same store the app writes to, for looking behind its back."""
    async with create_storage(settings.storage) as store:
        yield store


async def _stored_keys(storage: Storage) -> list[str]:
    return [item.key async for item in storage.list_objects("attachments/")]


async def _attach(
    client: AsyncClient, post_id: str, author: AuthUser, content: bytes, **kw: Any
) -> dict[str, Any]:
    response = await upload_attachment(client, post_id, author, content, **kw)
    assert response.status_code == 201, response.text
    attachment: dict[str, Any] = response.json()
    return attachment


async def _download(client: AsyncClient, attachment: dict[str, Any]) -> httpx.Response:
    """What a browser gets: the bytes, after following a redirect if any."""
    path = f"/posts/{attachment['post_id']}/attachments/{attachment['id']}/content"
    response = await client.get(path)
    if response.status_code != 307:
        return response
    # A plain HTTP client, as a browser would be: no credentials of ours.
    async with httpx.AsyncClient() as browser:
        return await browser.get(response.headers["Location"])


async def test_upload_list_get_and_download(
    client: AsyncClient, user: AuthUser, backend: StorageBackend
) -> None:
    post = await create_post(client, user)

    response = await upload_attachment(
        client, post["id"], user, PNG, filename="photo.png", content_type="image/png"
    )

    assert response.status_code == 201, response.text
    attachment = response.json()
    assert attachment == {
        "id": attachment["id"],
        "post_id": post["id"],
        "filename": "photo.png",
        "content_type": "image/png",
        "size": len(PNG),
        "created_at": attachment["created_at"],
    }
    base = f"/posts/{post['id']}/attachments"
    assert response.headers["Location"] == f"{base}/{attachment['id']}"
    listed = (await client.get(base)).json()
    assert listed["total"] == 1
    assert listed["items"] == [attachment]
    detail = (await client.get(f"{base}/{attachment['id']}")).json()
    assert detail["download_url"] == f"https://test{base}/{attachment['id']}/content"
    direct = await client.get(f"{base}/{attachment['id']}/content")
    assert direct.status_code == (307 if backend is StorageBackend.S3 else 200)
    downloaded = await _download(client, attachment)
    assert downloaded.status_code == 200
    assert downloaded.content == PNG
    assert downloaded.headers["content-type"] == "image/png"
    assert downloaded.headers["content-disposition"].startswith("attachment;")
    assert 'filename="photo.png"' in downloaded.headers["content-disposition"]


@pytest.mark.parametrize(
    ("content", "claimed_type", "expected"),
    [
        (PNG, "text/plain", "image/png"),
        (PDF, "image/png", "application/pdf"),
        (TEXT, "application/pdf", "text/plain"),
        # The sniffed sample ends inside a two-byte character: still text.
        (b"a" + "\u00e9".encode() * 5000, "application/pdf", "text/plain"),
        (b"GIF89a" + bytes(100), "text/plain", "image/gif"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100), "text/plain", "image/jpeg"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(100), "text/plain", "image/webp"),
    ],
)
async def test_type_comes_from_the_bytes(
    client: AsyncClient,
    user: AuthUser,
    content: bytes,
    claimed_type: str,
    expected: str,
) -> None:
    post = await create_post(client, user)

    attachment = await _attach(
        client, post["id"], user, content, filename="x.txt", content_type=claimed_type
    )

    assert attachment["content_type"] == expected
    downloaded = await _download(client, attachment)
    assert downloaded.content == content
    assert downloaded.headers["content-type"].startswith(expected)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(ELF, id="executable"),
        pytest.param(b"PK\x03\x04" + bytes(100), id="zip"),
        pytest.param(b"\x00\x01\x02binary\xff\xfe" * 10, id="unknown-binary"),
        pytest.param(b"\xc3\x28 not utf-8 \xa0\xa1", id="not-utf8-text"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', id="svg"),
    ],
)
async def test_types_outside_the_allow_list_are_415_and_not_stored(
    client: AsyncClient,
    user: AuthUser,
    session: AsyncSession,
    storage: Storage,
    content: bytes,
) -> None:
    post = await create_post(client, user)

    response = await upload_attachment(
        client, post["id"], user, content, filename="cat.png", content_type="image/png"
    )

    assert response.status_code == 415
    assert "may be attached" in response.json()["detail"]
    assert await session.scalar(select(func.count(Attachment.id))) == 0
    assert await _stored_keys(storage) == []


async def test_an_empty_file_is_422(client: AsyncClient, user: AuthUser) -> None:
    post = await create_post(client, user)

    response = await upload_attachment(client, post["id"], user, b"")

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["body", "file"], "msg": "The file is empty", "type": "empty_file"}
        ]
    }


async def test_size_limit_is_exact(
    app_factory: AppFactory, user: AuthUser, session: AsyncSession, storage: Storage
) -> None:
    limit = 100_000
    async with app_client(app_factory(MAX_UPLOAD_BYTES=limit)) as client:
        post = await create_post(client, user)
        at_limit = await upload_attachment(client, post["id"], user, TEXT[:1] * limit)
        over = await upload_attachment(client, post["id"], user, TEXT[:1] * (limit + 1))
        far_over = await upload_attachment(
            client, post["id"], user, TEXT[:1] * (limit * 3)
        )

    assert at_limit.status_code == 201
    assert at_limit.json()["size"] == limit
    assert over.status_code == 413
    assert over.json() == {"detail": f"The file is larger than {limit} bytes"}
    assert far_over.status_code == 413
    assert await session.scalar(select(func.count(Attachment.id))) == 1
    assert len(await _stored_keys(storage)) == 1


async def test_only_the_post_creator_attaches(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)

    stranger = await upload_attachment(client, post["id"], other_user, PNG)
    anonymous = await client.post(
        f"/posts/{post['id']}/attachments", files={"file": ("a.png", PNG)}
    )
    missing = await upload_attachment(client, str(uuid.uuid4()), user, PNG)

    assert stranger.status_code == 403
    assert anonymous.status_code == 401
    assert missing.status_code == 404


async def test_one_file_per_request(client: AsyncClient, user: AuthUser) -> None:
    post = await create_post(client, user)

    response = await client.post(
        f"/posts/{post['id']}/attachments",
        files=[("file", ("a.png", PNG)), ("file", ("b.png", PNG))],
        headers=user.headers,
    )

    assert response.status_code == 400


async def test_attachments_are_scoped_to_their_post(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)
    other_post = await create_post(client, user)
    attachment = await _attach(client, post["id"], user, PNG)

    wrong_post = await client.get(
        f"/posts/{other_post['id']}/attachments/{attachment['id']}"
    )
    missing = await client.get(f"/posts/{post['id']}/attachments/{uuid.uuid4()}")

    assert wrong_post.status_code == 404
    assert wrong_post.json() == {"detail": "Attachment not found"}
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\ada\\notes.txt", "notes.txt"),
        ("right\u202eto-left.txt", "rightto-left.txt"),
        ("..", "attachment.txt"),
        ("x" * 300 + ".txt", "x" * 251 + ".txt"),
    ],
)
async def test_client_filenames_are_display_only(
    client: AsyncClient, user: AuthUser, storage: Storage, sent: str, shown: str
) -> None:
    post = await create_post(client, user)

    attachment = await _attach(client, post["id"], user, TEXT, filename=sent)

    assert attachment["filename"] == shown
    [key] = await _stored_keys(storage)
    assert key.startswith(f"attachments/{post['id']}/")
    assert shown not in key


async def test_control_characters_leave_the_filename(
    client: AsyncClient, user: AuthUser
) -> None:
    # Built by hand: HTTP clients percent-encode these before sending.
    post = await create_post(client, user)
    body = (
        b"--boundary\r\n"
        b'Content-Disposition: form-data; name="file"; '
        b'filename="we\x07ird\tna\x00me.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n" + TEXT + b"\r\n--boundary--\r\n"
    )

    response = await client.post(
        f"/posts/{post['id']}/attachments",
        content=body,
        headers={
            **user.headers,
            "Content-Type": "multipart/form-data; boundary=boundary",
        },
    )

    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "weirdname.txt"


async def test_download_names_survive_non_ascii(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)
    attachment = await _attach(
        client, post["id"], user, TEXT, filename='r\u00e9sum\u00e9 "final";.txt'
    )

    downloaded = await _download(client, attachment)

    disposition = downloaded.headers["content-disposition"]
    assert disposition == (
        'attachment; filename="resume _final__.txt"; '
        "filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22%3B.txt"
    )
    assert downloaded.headers.get("x-content-type-options", "nosniff") == "nosniff"


async def test_delete_removes_the_row_and_the_object(
    client: AsyncClient,
    user: AuthUser,
    other_user: AuthUser,
    superuser: AuthUser,
    storage: Storage,
) -> None:
    post = await create_post(client, user)
    mine = await _attach(client, post["id"], user, PNG)
    moderated = await _attach(client, post["id"], user, PDF)
    path = f"/posts/{post['id']}/attachments"

    denied = await client.delete(f"{path}/{mine['id']}", headers=other_user.headers)
    deleted = await client.delete(f"{path}/{mine['id']}", headers=user.headers)
    by_superuser = await client.delete(
        f"{path}/{moderated['id']}", headers=superuser.headers
    )

    assert (denied.status_code, deleted.status_code) == (403, 204)
    assert by_superuser.status_code == 204
    assert (await client.get(f"{path}/{mine['id']}")).status_code == 404
    assert (await client.get(path)).json()["total"] == 0
    assert await _stored_keys(storage) == []


@pytest.mark.parametrize("deleted", ["post", "user"])
async def test_deleting_a_post_or_its_creator_removes_the_files(
    client: AsyncClient,
    user: AuthUser,
    session: AsyncSession,
    storage: Storage,
    deleted: str,
) -> None:
    post = await create_post(client, user)
    await _attach(client, post["id"], user, PNG)
    await _attach(client, post["id"], user, TEXT)
    assert len(await _stored_keys(storage)) == 2

    path = f"/posts/{post['id']}" if deleted == "post" else "/auth/users/me"
    response = await client.delete(path, headers=user.headers)

    assert response.status_code == 204
    assert await session.scalar(select(func.count(Attachment.id))) == 0
    assert await _stored_keys(storage) == []


async def test_cleanup_removes_only_orphans(
    client: AsyncClient, user: AuthUser, session: AsyncSession, storage: Storage
) -> None:
    post = await create_post(client, user)
    kept = await _attach(client, post["id"], user, PNG)

    async def body() -> AsyncIterator[bytes]:
        yield b"left behind by a crash"

    orphan = f"attachments/{post['id']}/orphan"
    await storage.put(orphan, body(), content_type="text/plain")

    too_recent = await service.remove_orphaned_objects(
        session, storage, older_than=utcnow() - timedelta(hours=1)
    )
    removed = await service.remove_orphaned_objects(
        session, storage, older_than=utcnow() + timedelta(minutes=1)
    )

    assert (too_recent, removed) == (0, 1)
    assert len(await _stored_keys(storage)) == 1
    assert (await _download(client, kept)).content == PNG
