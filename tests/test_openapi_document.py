import json
import re
from pathlib import Path

from src.config import Settings
from src.main import create_app

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


def test_timestamps_are_date_times_and_there_is_one_422_schema() -> None:
    document = create_app().openapi()
    schemas = document["components"]["schemas"]
    text = json.dumps(document)

    assert schemas["UTCDatetime"] == {"type": "string", "format": "date-time"}
    assert "HTTPValidationError" not in text
    refs = {
        operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
        for operations in document["paths"].values()
        for operation in operations.values()
        if "422" in operation["responses"]
    }
    assert refs == {"#/components/schemas/ValidationErrorResponse"}
