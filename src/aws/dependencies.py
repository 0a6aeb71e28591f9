from typing import Annotated

from fastapi import Depends, Request

from src.aws.client import Storage


def get_storage(request: Request) -> Storage:
    """The object store opened by the application's lifespan."""
    storage: Storage = request.state.storage
    return storage


StorageDep = Annotated[Storage, Depends(get_storage)]
