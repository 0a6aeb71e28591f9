from src.exceptions import NotFound, ServiceUnavailable


class StorageUnavailable(ServiceUnavailable):
    """The object store failed or could not be reached."""

    DETAIL = "File storage is temporarily unavailable"


class StoredObjectMissing(NotFound):
    """The metadata exists but the object does not (removed out of band)."""

    DETAIL = "The file is missing from storage"
