"""Usernames that look alike belong to one person: unique by their
confusable skeleton (Unicode TS #39), at registration, on rename, and for
users who existed before."""

import asyncio
import uuid

import pytest
from confusable_homoglyphs.confusables import (  # type: ignore[import-untyped]
    confusables_data,
)
from httpx import AsyncClient
from sqlalchemy import Boolean, DateTime, String, Uuid, column, insert, select, table
from sqlalchemy.ext.asyncio import create_async_engine

from alembic import command
from src.auth.models import User
from src.auth.usernames import CONFUSABLE_PROTOTYPES, username_skeleton
from src.database import migrations
from src.database.base import utcnow
from tests.factories import AuthUser, user_payload

pytestmark = pytest.mark.anyio

LOOK_ALIKES = [
    ("paypal", "paypaI"),
    ("paypal", "PAYPAL"),
    ("model", "rnodel"),
    ("Model", "rnodel"),
    ("google", "g00gle"),
    ("bill_1", "biII_l"),
    ("mm-top", "rnrn-TOP"),
    ("admin", "ADMlN"),
    ("ADMlN", "admin"),
    ("bill", "BlLL"),
    ("alice", "ALlCE"),
    ("paypal", "paypai"),
]
USERNAME_ALPHABET = set(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
)


@pytest.mark.parametrize(("first", "second"), LOOK_ALIKES)
async def test_a_look_alike_of_a_registered_username_is_409(
    client: AsyncClient, first: str, second: str
) -> None:
    created = await client.post("/auth/users", json=user_payload(username=first))
    assert created.status_code == 201

    response = await client.post("/auth/users", json=user_payload(username=second))

    assert response.status_code == 409
    assert response.json() == {"detail": "Username is already taken"}


@pytest.mark.parametrize(
    ("first", "second"), [("paypal", "paypat"), ("mla", "rnI1a"), ("bob", "b0x")]
)
async def test_names_that_only_share_letters_register(
    client: AsyncClient, first: str, second: str
) -> None:
    for username in (first, second):
        response = await client.post(
            "/auth/users", json=user_payload(username=username)
        )
        assert response.status_code == 201, response.text


async def test_renaming_to_a_look_alike_is_409(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    look_alike = other_user.username.replace("l", "I").replace("o", "0").upper()

    response = await client.patch(
        "/auth/users/me", headers=user.headers, json={"username": look_alike}
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "Username is already taken"}


async def test_a_user_may_rename_to_a_look_alike_of_their_own_name(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.patch(
        "/auth/users/me",
        headers=user.headers,
        json={"username": user.username.upper().replace("O", "0")},
    )

    assert response.status_code == 200


def test_the_prototypes_are_the_unicode_rows_within_the_username_alphabet() -> None:
    # Pairs Unicode's confusables data lists between characters of the alphabet.
    unicode_pairs = {
        frozenset((character, homoglyph["c"]))
        for character, homoglyphs in confusables_data.items()
        if character in USERNAME_ALPHABET
        for homoglyph in homoglyphs
        if set(homoglyph["c"]) <= USERNAME_ALPHABET
    }
    ours = {
        frozenset((source, prototype))
        for source, prototype in CONFUSABLE_PROTOTYPES.items()
    }

    assert ours == unicode_pairs


def test_the_skeleton_is_stable() -> None:
    for first, second in LOOK_ALIKES:
        skeleton = username_skeleton(first)
        assert username_skeleton(second) == skeleton
        assert username_skeleton(skeleton) == skeleton


SKELETON_REVISION = "3f9b1d7c2a64"


def test_the_migration_keeps_existing_look_alikes(empty_database: str) -> None:
    config = migrations.alembic_config(empty_database)
    command.upgrade(config, f"{SKELETON_REVISION}-1")
    names = ["paypal", "paypaI", "someone"]
    asyncio.run(_add_users(empty_database, names))

    command.upgrade(config, SKELETON_REVISION)

    assert asyncio.run(_skeletons(empty_database)) == {
        "paypal": "paypal",
        "paypaI": None,
        "someone": "sorneone",
    }


UPPER_CASED_REVISION = "2d7f4a9c1e83"


def test_the_upper_cased_skeletons_keep_the_earlier_of_two_look_alikes(
    empty_database: str,
) -> None:
    config = migrations.alembic_config(empty_database)
    command.upgrade(config, f"{UPPER_CASED_REVISION}-1")
    # Both registered under the skeletons as typed, which told them apart.
    asyncio.run(_add_users(empty_database, ["admin", "ADMlN", "someone"]))

    command.upgrade(config, UPPER_CASED_REVISION)

    assert asyncio.run(_skeletons(empty_database)) == {
        "admin": "adrnln",
        "ADMlN": None,
        "someone": "sorneone",
    }


# auth_user as the revision before the skeletons left it.
_USERS_BEFORE = table(
    "auth_user",
    column("id", Uuid()),
    column("email", String()),
    column("username", String()),
    column("hashed_password", String()),
    column("first_name", String()),
    column("created_at", DateTime(timezone=True)),
    column("is_superuser", Boolean()),
    column("email_verified", Boolean()),
)


async def _add_users(url: str, usernames: list[str]) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        for username in usernames:
            user_id = uuid.uuid4()
            await conn.execute(
                insert(_USERS_BEFORE),
                {
                    "id": user_id,
                    "email": f"{user_id.hex}@example.com",
                    "username": username,
                    "hashed_password": "x",
                    "first_name": "A",
                    "created_at": utcnow(),
                    "is_superuser": False,
                    "email_verified": False,
                },
            )
    await engine.dispose()


async def _skeletons(url: str) -> dict[str, str | None]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(select(User.username, User.username_skeleton))
        found = dict(rows.all())
    await engine.dispose()
    return found
