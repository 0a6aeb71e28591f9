from src.exceptions import Conflict
from src.idempotency.constants import IdempotencyMessage


class IdempotencyKeyInProgress(Conflict):
    DETAIL = IdempotencyMessage.IN_PROGRESS

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "1"})


class IdempotentReplay(Exception):  # noqa: N818 (not an error: a stored answer)
    """Raised to answer with the stored response of an earlier request."""

    def __init__(self, status_code: int, body: bytes, headers: dict[str, str]) -> None:
        super().__init__(status_code)
        self.status_code = status_code
        self.body = body
        self.headers = headers
