import json
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
