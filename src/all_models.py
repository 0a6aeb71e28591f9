"""Imports every domain's ORM models so `Base.metadata` knows all tables.

Alembic's env.py and the test fixtures import this module; add a line here
when a new domain gets a `models.py`.
"""

from src.auth import models as auth_models  # noqa: F401
from src.notifications import models as notifications_models  # noqa: F401
from src.posts import models as posts_models  # noqa: F401
