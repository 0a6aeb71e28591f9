from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.jobs.drills import GatedInbox
from tests.smtp import free_port


@pytest.fixture
def inbox() -> Iterator[GatedInbox]:
    """A real SMTP server whose sessions the test can hold (`gate`)."""
    inbox = GatedInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.config = inbox.config.model_copy(update={"SMTP_PORT": controller.port})
    yield inbox
    controller.stop()
