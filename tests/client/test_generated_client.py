"""A client generated from the served OpenAPI document, as an integrator
would make one (`openapi-python-client`), used against the API served as in
production: the document must build without a warning and the client must
get through a whole journey with nothing written by hand.
"""

import importlib
import io
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.factories import user_payload
from tests.utils import running_server

# What it checks (the document, the pages, the client) is the same on either
# database: it runs once, in the SQLite pass.
pytestmark = [pytest.mark.slow, pytest.mark.database_independent]

# The generator runs in a tool environment of its own (`uv tool run`): it
# pins other versions of the libraries the API uses.
GENERATOR = "openapi-python-client==0.29.1"
PACKAGE = "publishing_api_client"


@pytest.fixture(scope="module")
def api(committed_module_database: str) -> Iterator[str]:
    with running_server(committed_module_database) as (_, base_url):
        yield base_url


@pytest.fixture(scope="module")
def generated(api: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The generator's output for the served document; its package importable."""
    directory = tmp_path_factory.mktemp("client")
    run = subprocess.run(  # noqa: S603
        [  # noqa: S607
            "uv",
            "tool",
            "run",
            "--from",
            GENERATOR,
            "openapi-python-client",
            "generate",
            "--url",
            f"{api}/openapi.json",
            "--meta",
            "none",
            "--output-path",
            str(directory / PACKAGE),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    sys.path.insert(0, str(directory))
    return output


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _call(operation: str, *path: object, **arguments: Any) -> Any:
    """Call an operation of the generated client; its detailed response."""
    tag, name = operation.split(".")
    module = _module(f"api.{tag}.{name}")
    return module.sync_detailed(*path, **arguments)


@pytest.fixture
def clients() -> Iterator[ExitStack]:
    """Closes the generated clients a test opens."""
    with ExitStack() as stack:
        yield stack


def test_the_generator_reports_nothing(generated: str) -> None:
    assert "warning" not in generated.lower(), generated
    assert "error" not in generated.lower(), generated


def test_a_journey_through_the_generated_client(
    api: str, generated: str, clients: ExitStack
) -> None:
    models = _module("models")
    File = _module("types").File  # noqa: N806
    client_module = _module("client")
    anonymous = clients.enter_context(
        client_module.Client(base_url=api, raise_on_unexpected_status=True)
    )

    def sign_up() -> tuple[Any, Any]:
        payload = user_payload()
        registered = _call(
            "auth.register",
            client=anonymous,
            body=models.UserCreate.from_dict(payload),
        )
        assert registered.status_code == 201
        assert registered.headers["location"] == f"/users/{registered.parsed.id}"
        tokens = _call(
            "auth.login",
            client=anonymous,
            body=models.BodyLogin(
                username=payload["username"], password=payload["password"]
            ),
        ).parsed
        assert isinstance(tokens, models.TokenResponse)
        return tokens, clients.enter_context(
            client_module.AuthenticatedClient(
                base_url=api,
                token=tokens.access_token,
                raise_on_unexpected_status=True,
            )
        )

    alice_tokens, alice = sign_up()
    _, bob = sign_up()

    created = _call(
        "posts.create_post",
        client=alice,
        body=models.PostCreate(title="From a generated client", content="Hello."),
        idempotency_key="journey-post-1",
    )
    assert created.status_code == 201
    post = created.parsed
    assert isinstance(post.created_at, datetime)
    assert created.headers["etag"]
    assert created.headers["x-request-id"]
    # A retry with the same key is the same post, said to be a replay.
    retried = _call(
        "posts.create_post",
        client=alice,
        body=models.PostCreate(title="From a generated client", content="Hello."),
        idempotency_key="journey-post-1",
    )
    assert retried.parsed.id == post.id
    assert retried.headers["idempotent-replayed"] == "true"
    # Statuses the server answers are declared: a body past the limit is a
    # 413 the client parses, not an "unexpected status".
    too_large = _call(
        "posts.create_post",
        client=alice,
        body=models.PostCreate(title="Too long", content="x" * (2 * 1024 * 1024)),
    )
    assert too_large.status_code == 413
    assert isinstance(too_large.parsed, models.ErrorResponse)
    # And a current ETag a 304.
    unchanged = _call(
        "posts.get_post",
        post.id,
        client=anonymous,
        if_none_match=created.headers["etag"],
    )
    assert unchanged.status_code == 304

    comment = _call(
        "comments.create_comment",
        post.id,
        client=bob,
        body=models.CommentCreate(content="A comment from Bob."),
    ).parsed
    assert comment.post_id == post.id

    content = b"Uploaded by a generated client\n"
    attachment = _call(
        "attachments.create_attachment",
        post.id,
        client=alice,
        body=models.CreateAttachmentBody(
            file=File(
                payload=io.BytesIO(content),
                file_name="notes.txt",
                mime_type="text/plain",
            )
        ),
    ).parsed
    assert isinstance(attachment, models.AttachmentResponse)
    assert (attachment.filename, attachment.size) == ("notes.txt", len(content))
    downloaded = _call(
        "attachments.download_attachment", post.id, attachment.id, client=anonymous
    )
    assert downloaded.status_code == 200
    assert downloaded.content == content

    notifications = _call("notifications.list_notifications", client=alice).parsed
    assert [n.comment_id for n in notifications.items] == [comment.id]
    assert notifications.items[0].read_at is None
    marked = _call(
        "notifications.read_notification", notifications.items[0].id, client=alice
    )
    assert marked.status_code == 204
    notifications = _call("notifications.list_notifications", client=alice).parsed
    assert isinstance(notifications.items[0].read_at, datetime)

    refreshed = _call(
        "auth.refresh_tokens",
        client=anonymous,
        body=models.RefreshTokenRequest(refresh_token=alice_tokens.refresh_token),
    ).parsed
    assert isinstance(refreshed, models.TokenResponse)
    # Without a body (and no cookie): a 401 the client understands.
    no_token = _call("auth.refresh_tokens", client=anonymous)
    assert no_token.status_code == 401
    assert isinstance(no_token.parsed, models.ErrorResponse)

    logged_out = _call(
        "auth.logout",
        client=anonymous,
        body=models.RefreshTokenRequest(refresh_token=refreshed.refresh_token),
    )
    assert logged_out.status_code == 204
    after = _call(
        "auth.refresh_tokens",
        client=anonymous,
        body=models.RefreshTokenRequest(refresh_token=refreshed.refresh_token),
    )
    assert after.status_code == 401


def test_validation_errors_parse_into_the_published_model(
    api: str, generated: str, clients: ExitStack
) -> None:
    models = _module("models")
    anonymous = clients.enter_context(_module("client").Client(base_url=api))

    refused = _call(
        "auth.register",
        client=anonymous,
        body=models.UserCreate.from_dict(user_payload() | {"password": "weak"}),
    )

    assert refused.status_code == 422
    assert isinstance(refused.parsed, models.ValidationErrorResponse)
    assert refused.parsed.detail[0].loc == ["body", "password"]


def test_the_generated_package_is_what_was_imported(generated: str) -> None:
    # Guard against an installed package of the same name shadowing it.
    assert Path(_module("client").__file__ or "").parent.name == PACKAGE
