from typing import Annotated

from fastapi import Depends, Request

from src.aws.client import Storage
from src.web.state import app_state


def get_storage(request: Request) -> Storage:
    """The object store opened by the application's lifespan."""
    return app_state(request).storage


StorageDep = Annotated[Storage, Depends(get_storage)]
