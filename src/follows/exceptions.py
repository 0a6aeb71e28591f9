from src.exceptions import BadRequest
from src.follows.constants import ErrorCode


class SelfFollow(BadRequest):
    DETAIL = ErrorCode.SELF_FOLLOW
