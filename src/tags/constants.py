TAG_MAX_LENGTH = 32
TAGS_PER_POST = 10


class ErrorCode:
    INVALID_TAG = "A tag is 1 to 32 ASCII letters, digits and '-' (spaces become '-')"
