"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the tests to send to."""

import email
import email.policy
import re
import socket
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from src.mail.client import plain_text
from src.mail.config import EmailConfig


class Inbox:
    """An aiosmtpd handler keeping every message it receives; while
    `refusing`, it refuses them (550) and counts them in `refused`."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        # How an app reaches this server; set once it listens.
        self.config = EmailConfig(_env_file=None)
        self.refusing = False
        self.refused = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refusing:
            self.refused += 1
            return "550 5.7.1 Message rejected"
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def link_token(message: EmailMessage, page: str) -> str:
    """The token of the `page` link an email carries, the same in its text
    and its HTML."""
    return link_of(message, page).rpartition("=")[2]


def link_of(message: EmailMessage, page: str) -> str:
    """The `page` link an email carries: the same in its text and its HTML."""
    pattern = rf"https?://[^/\s\"]+/{page}\?token=[A-Za-z0-9_\-]+"
    text = plain_text(message)
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None, "no HTML part"
    in_text = re.findall(pattern, text)
    in_html = set(re.findall(pattern, str(html_part.get_content())))
    assert len(in_text) == 1, text
    assert in_html == set(in_text), in_html
    return str(in_text[0])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_smtp_server(inbox: Inbox) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller
