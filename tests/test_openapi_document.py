import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from src.config import Settings
from src.main import create_app
from src.schemas import RequestModel

COMMITTED = Path(__file__).resolve().parents[1] / "openapi.json"


def test_the_committed_openapi_document_is_what_the_app_serves(
    settings: Settings,
) -> None:
    served = create_app(settings).openapi()

    assert json.loads(COMMITTED.read_text()) == served, (
        "openapi.json is out of date: uv run python -m src.cli openapi > openapi.json"
    )


def test_operation_ids_read_as_names() -> None:
    document = create_app().openapi()
    ids = [
        operation["operationId"]
        for operations in document["paths"].values()
        for operation in operations.values()
    ]

    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", name) for name in ids), ids
    # The route's name, no path or method glued on.
    assert {
        "create_post",
        "list_posts",
        "create_comment",
        "create_attachment",
        "download_attachment",
        "register",
        "login",
    } <= set(ids)


def test_timestamps_are_date_times_and_there_is_one_422_schema_per_api() -> None:
    document = create_app().openapi()
    schemas = document["components"]["schemas"]
    text = json.dumps(document)

    assert schemas["UTCDatetime"] == {"type": "string", "format": "date-time"}
    assert "HTTPValidationError" not in text
    refs: dict[bool, set[str]] = {True: set(), False: set()}
    for path, operations in document["paths"].items():
        for operation in operations.values():
            if "422" in operation["responses"]:
                media = operation["responses"]["422"]["content"]["application/json"]
                refs[path.startswith("/api/")].add(media["schema"]["$ref"])
    assert refs == {
        False: {"#/components/schemas/ValidationErrorResponse"},
        True: {"#/components/schemas/ConduitErrors"},
    }


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        _, section, kind, name = schema["$ref"].split("/")
        schema = document[section][kind][name]
    return schema


def test_every_reference_resolves() -> None:
    document = create_app().openapi()
    text = json.dumps(document)

    for ref in set(re.findall(r'"\$ref": "([^"]+)"', text)):
        assert _resolve(document, {"$ref": ref}), ref


def test_every_json_body_has_an_example_its_model_accepts() -> None:
    document = create_app().openapi()

    for label, operation in _operations(document):
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            media = content["application/json"]
            schema = _resolve(document, media["schema"])
            assert media.get("examples") or schema.get("examples"), label
    # The application's, not those that tests define.
    models = [
        m for m in RequestModel.__subclasses__() if m.__module__.startswith("src.")
    ]
    assert len(models) >= 10
    for model in models:
        examples = model.model_json_schema().get("examples")
        assert examples, model.__name__
        model.model_validate(examples[0])


def test_request_schemas_publish_no_pattern_that_only_refuses_nul() -> None:
    # Swagger UI and generators would build unusable examples from it; the
    # server still refuses NUL (tests/security/test_hostile_input.py).
    document = create_app().openapi()

    assert "\\x00" not in json.dumps(document["components"]["schemas"])


def test_response_headers_are_documented() -> None:
    document = create_app().openapi()
    operations = dict(_operations(document))

    def headers(label: str, status: str) -> set[str]:
        return set(operations[label]["responses"][status].get("headers", {}))

    assert {"Location", "ETag", "Idempotent-Replayed"} <= headers("POST /posts", "201")
    assert "ETag" in headers("GET /posts/{post_id}", "200")
    assert "ETag" in headers("PATCH /posts/{post_id}/comments/{comment_id}", "200")
    assert "Location" in headers("POST /auth/users", "201")
    assert "Location" in headers(
        "GET /posts/{post_id}/attachments/{attachment_id}/content", "307"
    )
    assert "Retry-After" in headers("POST /auth/token", "429")
    assert "Retry-After" in headers("POST /auth/users", "503")
    for label, operation in operations.items():
        for status, response in operation["responses"].items():
            assert "X-Request-ID" in response["headers"], (label, status)


def test_the_optional_refresh_body_is_an_object_when_sent() -> None:
    document = create_app().openapi()
    for method in ("put", "delete"):
        body = document["paths"]["/auth/token"][method]["requestBody"]

        assert not body.get("required", False)
        assert body["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/RefreshTokenRequest"
        }


def test_sign_in_is_required_or_optional_as_the_route_treats_it() -> None:
    paths = create_app().openapi()["paths"]

    def session_or_key(scope: str) -> list[dict[str, list[str]]]:
        return [{"OAuth2PasswordBearer": [scope]}, {"ApiKey": [scope]}]

    # Public reads that answer the signed-in caller in particular.
    for path in ("/posts", "/posts/{post_id}", "/users/{user_id}/followers"):
        assert paths[path]["get"]["security"] == [{}, *session_or_key("posts:read")]
    assert paths["/feed"]["get"]["security"] == session_or_key("posts:read")
    assert paths["/posts"]["post"]["security"] == session_or_key("posts:write")
    # Managing the account takes a session: no key may.
    for path, method in (
        ("/auth/users/me", "patch"),
        ("/auth/users/me/api-keys", "post"),
    ):
        assert paths[path][method]["security"] == [{"OAuth2PasswordBearer": []}]
    assert paths["/moderation/posts/{post_id}/hidden"]["put"]["x-required-role"] == (
        "moderator"
    )
    assert paths["/admin/users"]["get"]["x-required-role"] == "admin"
    assert "security" not in paths["/tags"]["get"]


def _declared_permissions() -> set[str]:
    rows = set()
    for path, operations in create_app().openapi()["paths"].items():
        if path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            security = operation.get("security")
            if security is None:
                who, key = "anyone", "not needed"
            else:
                scopes = [s["ApiKey"][0] for s in security if "ApiKey" in s]
                who = operation.get("x-required-role") or (
                    "anyone, as you signed in" if {} in security else "signed in"
                )
                key = f"`{scopes[0]}`" if scopes else "refused"
            rows.add(f"| `{method.upper()} {path}` | {who} | {key} |")
    return rows


def test_the_permissions_table_of_the_guide_is_what_the_routes_declare() -> None:
    guide = Path(__file__).parents[1].joinpath("docs", "api.md").read_text()
    section = guide.split("### Permissions", 1)[1].split("\n## ", 1)[0]
    documented = {line for line in section.splitlines() if line.startswith("| `")}

    assert documented == _declared_permissions()
