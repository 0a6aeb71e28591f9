class ErrorCode:
    SELF_FOLLOW = "You cannot follow yourself"
