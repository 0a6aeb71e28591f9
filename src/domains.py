"""The domains the application is made of, listed once: their tables (for
the migrations and the counted lists) and their jobs and clean-up steps.

The app factory, the job commands and the migrations take them from here.
The infrastructure (src/database, src/web, src/jobs) imports no domain: it
is handed what the domains register.
"""

from src.attachments import jobs as attachments_jobs
from src.attachments import models as attachments_models
from src.auth import jobs as auth_jobs
from src.auth import models as auth_models
from src.comments import models as comments_models
from src.favorites import models as favorites_models
from src.follows import models as follows_models
from src.idempotency import jobs as idempotency_jobs
from src.idempotency import models as idempotency_models
from src.jobs import cleanup
from src.jobs import models as jobs_models
from src.jobs.registry import JobRegistry
from src.moderation import models as moderation_models
from src.notifications import jobs as notifications_jobs
from src.notifications import models as notifications_models
from src.posts import models as posts_models
from src.tags import models as tags_models

# Every module that declares tables (and counted lists): importing them
# registers them with the metadata. Add a line when a domain gets models.
MODELS = (
    attachments_models,
    auth_models,
    comments_models,
    favorites_models,
    follows_models,
    idempotency_models,
    jobs_models,
    moderation_models,
    notifications_models,
    posts_models,
    tags_models,
)


def job_registry() -> JobRegistry:
    """Every job and clean-up step, as the domains register them."""
    registry = JobRegistry()
    for domain in (
        attachments_jobs,
        auth_jobs,
        cleanup,
        idempotency_jobs,
        notifications_jobs,
    ):
        domain.register(registry)
    return registry
