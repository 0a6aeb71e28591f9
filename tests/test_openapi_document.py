import json
from pathlib import Path

from src.config import Config
from src.main import create_app

COMMITTED = Path(__file__).resolve().parents[1] / "openapi.json"


def test_the_committed_openapi_document_is_what_the_app_serves(
    test_config: Config,
) -> None:
    served = create_app(test_config).openapi()

    assert json.loads(COMMITTED.read_text()) == served, (
        "openapi.json is out of date: uv run python -m src.cli openapi > openapi.json"
    )
