from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from src.schemas import CustomModel, RequestModel, UTCDatetime


class Stamped(CustomModel):
    at: UTCDatetime


class Body(RequestModel):
    text: str


def test_utc_datetime_serializes_as_iso_8601_with_z() -> None:
    model = Stamped(at=datetime(2026, 1, 15, 10, 0, tzinfo=UTC))

    assert model.model_dump_json() == '{"at":"2026-01-15T10:00:00Z"}'


def test_other_zones_are_converted_to_utc() -> None:
    plus_two = timezone(timedelta(hours=2))

    model = Stamped(at=datetime(2026, 1, 15, 12, 0, tzinfo=plus_two))

    assert model.model_dump(mode="json") == {"at": "2026-01-15T10:00:00Z"}


def test_naive_datetimes_are_taken_as_utc() -> None:
    model = Stamped(at=datetime(2026, 1, 15, 10, 0))  # noqa: DTZ001

    assert model.at.tzinfo is UTC


def test_request_model_refuses_nul_characters() -> None:
    with pytest.raises(ValidationError, match="NUL"):
        Body(text="bad\x00text")


def test_request_model_accepts_ordinary_text() -> None:
    assert Body(text="fine ünïcode ✓").text == "fine ünïcode ✓"
