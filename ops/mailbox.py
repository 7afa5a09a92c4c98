"""The dev mailbox: an email backend that keeps each message as one .eml file under
MAILBOX_DIR, so `make run` needs no mail server and /dev/mail/ can show what was sent."""

import email
import email.policy
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class MailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(settings.MAILBOX_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{datetime.now().strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}.eml"
            partial = folder / f".{name}.part"
            partial.write_bytes(message.message().as_bytes(linesep="\n"))
            os.replace(partial, folder / name)  # readers never see half a message
        return len(email_messages)


@dataclass
class StoredMessage:
    id: str
    subject: str
    to: str
    date: str
    text: str
    html: str


def _read(path: Path) -> StoredMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    return StoredMessage(
        id=path.stem,
        subject=str(parsed["subject"] or ""),
        to=str(parsed["to"] or ""),
        date=str(parsed["date"] or ""),
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
    )


def list_messages(limit: int = 100) -> list[StoredMessage]:
    folder = Path(settings.MAILBOX_DIR)
    if not folder.is_dir():
        return []
    paths = sorted(folder.glob("*.eml"), reverse=True)[:limit]
    return [_read(path) for path in paths]


def get_message(message_id: str) -> StoredMessage | None:
    path = Path(settings.MAILBOX_DIR) / f"{message_id}.eml"
    if "/" in message_id or not path.is_file():
        return None
    return _read(path)
