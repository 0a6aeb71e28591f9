"""The Pydantic base models every domain's schemas derive from."""

import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    JsonValue,
    field_validator,
)


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# A UTC timestamp, always serialized as ISO 8601 with a `Z`: Pydantic
# writes a UTC time that way itself, without a Python call per field.
type UTCDatetime = Annotated[datetime, AfterValidator(_as_utc)]


def fields_json(fields: Any) -> bytes:
    """The JSON of a schema's fields already in its shape and types (rows
    from the database, mapped once), without building the model: the same
    bytes Pydantic writes for it (UTC times with `Z`, ids as strings), about
    six times faster for a page of posts. Only for fields a test holds to
    the model's own JSON (tests/posts/test_public_reads.py)."""
    # `str`: the driver's UUIDs are a subclass orjson leaves to `default`.
    written = orjson.dumps(fields, default=str, option=orjson.OPT_UTC_Z)
    # orjson's bytes keep the memory of its whole buffer (about 7 KiB for a
    # 1 KiB post): the read cache keeps these, so they are copied to size.
    return bytes(memoryview(written))


class CustomModel(BaseModel):
    model_config = ConfigDict(from_attributes=True, validate_by_name=True)


# For path and query parameters: PostgreSQL text cannot hold NUL, so it is
# refused as a 422, not met as a database error.
NO_NUL = r"^[^\x00]*$"


def _reject_unstorable(value: Any) -> Any:
    # What no database text can hold is bad input, not a 500 later: NUL
    # (PostgreSQL refuses it) and lone surrogates such as "\ud800", which
    # JSON can spell but UTF-8 cannot encode.
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        if not value.isascii():
            try:
                value.encode()
            except UnicodeEncodeError:
                raise ValueError("must be valid Unicode text") from None
    return value


# Not only spaces, tabs or line breaks: for names and titles. Unanchored, as
# JSON Schema patterns are: some character is none of those.
NON_BLANK_PATTERN = "[^\\t\\n\\r ]"


# What `single_line` accepts, for the document: no control character, and
# some character that is not blank. NUL is left out of the ranges (refused
# all the same): a pattern naming it spoils generated examples.
SINGLE_LINE_PATTERN = (
    "^[^\\x01-\\x1f\\x7f-\\x9f]*[^\\x01-\\x20\\x7f-\\x9f][^\\x01-\\x1f\\x7f-\\x9f]*$"
)


def single_line(value: str) -> str:
    """Refuse control characters (CR, LF, tab, NUL...) in a one-line field:
    a name or a title ends up in emails' headers and pages' lines."""
    if any(unicodedata.category(character) == "Cc" for character in value):
        raise ValueError("must be one line, without control characters")
    return value


# Published with a one-line field (the server checks the same, with a
# clearer message than a pattern's).
SINGLE_LINE_SCHEMA: dict[str, JsonValue] = {"pattern": SINGLE_LINE_PATTERN}


def example(**fields: JsonValue) -> ConfigDict:
    """A model's configuration with one example body: what Swagger UI
    pre-fills or shows and client generators copy. A request example must
    work as it stands; a response example is what that request answers."""
    return ConfigDict(json_schema_extra={"examples": [fields]})


class StorableText(BaseModel):
    """Refuses, in any field, text no database can store.

    The refusal of NUL is not published as a pattern: Swagger UI and client
    generators would build their examples from it, unusable ones.
    """

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return _reject_unstorable(value)


class RequestModel(CustomModel, StorableText):
    """Base for request bodies: unknown fields are refused (a misspelt field
    must not be silently ignored), and so is text no database can store."""

    model_config = ConfigDict(extra="forbid")


class ErrorResponse(CustomModel):
    """The body of every error except request validation (422)."""

    detail: str


class ValidationErrorItem(CustomModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorResponse(CustomModel):
    """The body of a 422 from request validation: one item per problem."""

    detail: list[ValidationErrorItem]
