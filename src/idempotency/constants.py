from datetime import timedelta

IDEMPOTENCY_HEADER = "Idempotency-Key"
# 1..255 printable ASCII characters (SPEC, Conventions).
KEY_PATTERN = r"^[\x20-\x7e]{1,255}$"
# A key is remembered this long after its first request.
KEY_LIFETIME = timedelta(hours=24)
# A claim with no response after this long was abandoned (its request's
# process died): a repeat may claim the key again. Meanwhile it gets 409.
CLAIM_TIMEOUT = timedelta(seconds=60)
# On a replayed response: it is the stored answer of an earlier request.
REPLAYED_HEADER = "Idempotent-Replayed"
# The response headers stored with a response and replayed with it.
REPLAYED_RESPONSE_HEADERS = ("location", "etag")


class IdempotencyMessage:
    IN_PROGRESS = "A request with this Idempotency-Key is still in progress"
    REUSED = "This Idempotency-Key was used with a different request"
