from typing import Literal

from src.schemas import CustomModel


class HealthResponse(CustomModel):
    status: Literal["ok"] = "ok"


class ReadinessResponse(CustomModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, Literal["ok", "down"]]
