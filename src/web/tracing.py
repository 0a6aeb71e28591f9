"""OpenTelemetry tracing, off unless configured with the standard variables:
`OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
turns it on, `OTEL_SDK_DISABLED=true` keeps it off, `OTEL_SERVICE_NAME`
names the service (default `publishing-api`), and the exporter reads the
other `OTEL_EXPORTER_OTLP_*` settings itself (OTLP over HTTP).

Off, FastAPI's own telemetry is switched off and nothing is instrumented:
it costs nothing. On, FastAPI's native telemetry traces each request (and
its dependencies and endpoint), the SQLAlchemy instrumentation each SQL
statement, and botocore's own call events each request to S3 (the API's
only outgoing HTTP).
"""

import os
import sys
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

from src.database import reads

if TYPE_CHECKING:
    from fastapi.telemetry import TelemetryConfig
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

SERVICE_NAME = "publishing-api"
_ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def tracing_configured() -> bool:
    """Whether the environment asks for traces."""
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    return any(os.environ.get(name) for name in _ENDPOINTS)


# FastAPI's telemetry when tracing is off: nothing at all.
TELEMETRY_OFF: "TelemetryConfig" = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}
_UNTRACED_PATHS = frozenset({"/health", "/health/ready", "/metrics"})


def _probe_or_scrape(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in _UNTRACED_PATHS


class Tracing:
    """A tracer provider exporting to OTLP (or to a given exporter)."""

    def __init__(self, provider: "TracerProvider") -> None:
        self.provider = provider

    def fastapi_telemetry(self) -> "TelemetryConfig":
        """FastAPI's own telemetry, on this provider: a span per request
        (not the probes nor the scrapes) and per dependency and endpoint."""
        return {
            "tracer_provider": self.provider,
            "tracing": True,
            "operation_spans": True,
            # Metrics are Prometheus' (src/metrics.py), logs structlog's.
            "metrics": False,
            "logs": False,
            "exclude": _probe_or_scrape,
        }

    def instrument_engine(self, engine: AsyncEngine) -> None:
        """Trace each SQL statement on `engine`."""
        from opentelemetry.instrumentation.sqlalchemy import (  # noqa: PLC0415
            SQLAlchemyInstrumentor,
        )

        reads.trace_statements(self.provider.get_tracer("src.database.reads"))
        SQLAlchemyInstrumentor().instrument(
            engine=engine.sync_engine,
            tracer_provider=self.provider,
            # Its declared range stops at SQLAlchemy 2.0; the engine events it
            # uses are unchanged in 2.1 (tests/test_tracing.py checks).
            skip_dep_check=True,
        )

    def instrument_storage(self, storage: object) -> None:
        """Trace each call `storage` makes to S3, if it is the S3 backend."""
        # Not imported for local storage: the S3 module is loaded only when
        # configured (src/aws/client.py), so an S3Storage implies it is.
        s3 = sys.modules.get("src.aws.s3")
        if s3 is not None and isinstance(storage, s3.S3Storage):
            _trace_aws_calls(storage.client.meta.events, self.provider)

    def shutdown(self) -> None:
        """Export what is still buffered."""
        reads.trace_statements(None)
        self.provider.shutdown()


def create_tracing(exporter: "SpanExporter | None" = None) -> Tracing | None:
    """Tracing as the environment configures it (or to `exporter`, for
    tests); None, with nothing imported, when it is off."""
    if exporter is None and not tracing_configured():
        return None
    # Imported here: when tracing is off, none of this is loaded.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter,
    )
    from opentelemetry.sdk.resources import Resource  # noqa: PLC0415
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import (  # noqa: PLC0415
        BatchSpanProcessor,
        SimpleSpanProcessor,
    )

    name = os.environ.get("OTEL_SERVICE_NAME") or SERVICE_NAME
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    if exporter is None:
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    return Tracing(provider)


_SPAN = "publishing_api_span"
_BUCKET = "publishing_api_bucket"


def _trace_aws_calls(events: Any, provider: "TracerProvider") -> None:
    # botocore announces every API call of a client (`before-call`) and its
    # outcome (`after-call`, `after-call-error`) with a context of its own;
    # the span lives there. aiobotocore's clients emit the same events. (The
    # OpenTelemetry botocore instrumentation patches the synchronous client
    # only.) A handler must return None, or it would answer the call itself.
    from opentelemetry.trace import SpanKind, Status, StatusCode  # noqa: PLC0415

    tracer = provider.get_tracer("src.aws")

    def parameters(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context[_BUCKET] = params.get("Bucket", "")

    def before(model: Any, context: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_id
        context[_SPAN] = tracer.start_span(
            f"{service}.{model.name}",
            kind=SpanKind.CLIENT,
            attributes={
                "rpc.system": "aws-api",
                "rpc.service": str(service),
                "rpc.method": model.name,
                "http.request.method": model.http["method"],
                "aws.s3.bucket": context.get(_BUCKET, ""),
            },
        )

    def after(http_response: Any, context: dict[str, Any], **_: Any) -> None:
        span = context.pop(_SPAN, None)
        if span is not None:
            span.set_attribute("http.response.status_code", http_response.status_code)
            if http_response.status_code >= 400:
                span.set_status(Status(StatusCode.ERROR))
            span.end()

    def failed(exception: BaseException, context: dict[str, Any], **_: Any) -> None:
        span = context.pop(_SPAN, None)
        if span is not None:
            span.record_exception(exception)
            span.set_status(Status(StatusCode.ERROR, type(exception).__name__))
            span.end()

    events.register("before-parameter-build.s3", parameters)
    events.register("before-call.s3", before)
    events.register("after-call.s3", after)
    events.register("after-call-error.s3", failed)
