"""The request path's own layer, and the CORS policy by path.

`RequestMiddleware` is one pure ASGI layer for what every request needs:
its id, its access line and metrics, the body size limit and the
`nosniff` header. One layer wraps `send` once and reads the request's
headers once, where four middlewares did each on their own
(docs/benchmarks.md, "Where a request's time goes").
"""

import logging
import re
import time
from typing import Any
from uuid import uuid4

import structlog
from fastapi import status
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from src.constants import REQUEST_ID_HEADER, REQUEST_ID_MAX_LENGTH, ErrorMessage
from src.exceptions import PayloadTooLarge
from src.logging_config import ACCESS_LOGGER, request_id
from src.metrics import IN_FLIGHT
from src.web.metrics import record_request, route_template

logger = structlog.get_logger(__name__)

MULTIPART_OVERHEAD_BYTES = 64 * 1024
UPLOAD_PATH_SUFFIX = "/attachments"

_REQUEST_ID_PATTERN = re.compile(rf"[A-Za-z0-9._-]{{1,{REQUEST_ID_MAX_LENGTH}}}")
_REQUEST_ID_NAME = REQUEST_ID_HEADER.lower().encode()
_NOSNIFF_NAME = b"x-content-type-options"
_NOSNIFF = (_NOSNIFF_NAME, b"nosniff")
# Methods whose requests carry no body the app reads.
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_sane_request_id(value: str) -> bool:
    """Accept a caller's request id only if it is safe to echo and log."""
    return _REQUEST_ID_PATTERN.fullmatch(value) is not None


class BodyTooLarge(PayloadTooLarge):
    """Raised from `receive` when a streamed body passes its limit."""


class RequestMiddleware:
    """Around every HTTP request:

    - its id: the client's `X-Request-ID` if sane, else a new one; in every
      log line of the request (`src.logging_config`) and in the response;
    - one structured access line (when the access logger is at INFO) and
      the request metrics (when `metrics` is on), errors included;
    - request bodies over `max_body_bytes` refused with 413 without being
      read: a declared `Content-Length` before the app runs, a streamed
      body as it arrives (the app's next read raises `BodyTooLarge`);
      attachment uploads get `max_upload_bytes`;
    - `X-Content-Type-Options: nosniff` on every response: a browser must
      take a JSON error or an attachment for what its Content-Type says.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_upload_bytes: int,
        metrics: bool = False,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Room for the multipart boundaries and part headers around the file.
        self.max_upload_body_bytes = max_upload_bytes + MULTIPART_OVERHEAD_BYTES
        self._metrics = metrics
        # Asked per request, so a level changed at run time applies at once.
        self._access = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        given, length, content_type = _read_headers(scope)
        rid = _request_id(given)
        status_code = 500

        async def send_marked(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((_REQUEST_ID_NAME, rid.encode()))
                if all(name.lower() != _NOSNIFF_NAME for name, _ in headers):
                    headers.append(_NOSNIFF)
                message["headers"] = headers
            await send(message)

        log = self._access.isEnabledFor(logging.INFO)
        if self._metrics:
            IN_FLIGHT.inc()
        try:
            limit = self._limit(scope["path"], content_type)
            if length is not None and length.isdigit() and int(length) > limit:
                await _too_large(scope, receive, send_marked)
            elif length is None and scope["method"] not in _BODILESS:
                await self.app(scope, _limited(receive, limit), send_marked)
            else:
                # A declared length within the limit: the server reads no more.
                await self.app(scope, receive, send_marked)
        finally:
            seconds = time.perf_counter() - start
            if self._metrics:
                IN_FLIGHT.dec()
                record_request(
                    scope["method"], route_template(scope), status_code, seconds
                )
            if log:
                self._access.info(
                    {
                        "event": "request",
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status_code,
                        "duration_ms": round(seconds * 1000, 2),
                        "request_id": rid,
                    }
                )

    def _limit(self, path: str, content_type: bytes | None) -> int:
        is_upload = (
            path.endswith(UPLOAD_PATH_SUFFIX)
            and content_type is not None
            and content_type.startswith(b"multipart/form-data")
        )
        return self.max_upload_body_bytes if is_upload else self.max_body_bytes


def _read_headers(scope: Scope) -> tuple[bytes | None, bytes | None, bytes | None]:
    """The request id, Content-Length and Content-Type sent, in one pass."""
    given = length = content_type = None
    for name, value in scope["headers"]:
        if name == _REQUEST_ID_NAME:
            given = value
        elif name == b"content-length":
            length = value
        elif name == b"content-type":
            content_type = value
    return given, length, content_type


def _request_id(given: bytes | None) -> str:
    """The request's id, set for its log lines: the client's if sane."""
    sent = None if given is None else given.decode("latin-1")
    rid = sent if sent and is_sane_request_id(sent) else uuid4().hex
    if sent and rid != sent:
        logger.warning("request_id_replaced", request_id=rid)
    request_id.set(rid)
    return rid


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(
        {"detail": ErrorMessage.PAYLOAD_TOO_LARGE},
        status_code=status.HTTP_413_CONTENT_TOO_LARGE,
        headers={"Connection": "close"},
    )
    await response(scope, receive, send)


def _limited(receive: Receive, limit: int) -> Receive:
    received = 0

    async def limited_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge
        return message

    return limited_receive


class CORSByPathMiddleware:
    """Two CORS policies: one for the paths under `prefix` (an API whose
    tokens travel in a header), another for the rest (whose refresh cookie
    needs credentials, so listed origins only)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        prefixed: dict[str, Any],
        rest: dict[str, Any],
    ) -> None:
        self.prefix = prefix
        self.prefixed = CORSMiddleware(app, **prefixed)
        self.rest = CORSMiddleware(app, **rest)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        under = path == self.prefix or path.startswith(self.prefix + "/")
        await (self.prefixed if under else self.rest)(scope, receive, send)
