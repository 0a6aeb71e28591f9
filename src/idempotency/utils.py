"""How a repeat is answered and documented."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from src.idempotency.constants import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from src.idempotency.exceptions import IdempotentReplay
from src.web.openapi import HEADERS_REF, header


async def replay_response(_: Request, exc: Exception) -> Response:
    """The stored response of an earlier request (an exception handler)."""
    if not isinstance(exc, IdempotentReplay):  # pragma: no cover - registered for it
        raise exc
    return Response(
        content=exc.body,
        status_code=exc.status_code,
        media_type="application/json",
        headers=exc.headers | {REPLAYED_HEADER: "true"},
    )


def document_replays(schema: dict[str, Any]) -> None:
    """On every route that takes an Idempotency-Key, document the header of
    a replayed answer, and when to retry a 409 whose first request is still
    in progress (an OpenAPI part, src/web/openapi.py)."""
    schema.setdefault("components", {}).setdefault("headers", {})[REPLAYED_HEADER] = (
        header(
            "`true` when the response is the stored answer to an earlier request "
            "with the same `Idempotency-Key`",
            required=False,
            enum=["true"],
        )
    )
    for operations in schema["paths"].values():
        for operation in operations.values():
            if not any(
                parameter["name"] == IDEMPOTENCY_HEADER
                for parameter in operation.get("parameters", [])
            ):
                continue
            for code, response in operation["responses"].items():
                named = response.setdefault("headers", {})
                if code == "409":
                    named["Retry-After"] = {"$ref": HEADERS_REF + "Retry-After"}
                if code.startswith("2"):
                    named[REPLAYED_HEADER] = {"$ref": HEADERS_REF + REPLAYED_HEADER}
