"""A real SMTP server in the test process (aiosmtpd), which accepts, defers (4xx) or
refuses (5xx) per recipient domain, and records what it accepted."""

import asyncio
import email
import email.policy
import socket
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class Handler:
    # recipient address or domain -> reply to RCPT TO, e.g. "451 try later", "550 no such user"
    replies: dict[str, str] = field(default_factory=dict)
    received: list = field(default_factory=list)
    arrived: list = field(default_factory=list)  # time.monotonic() of each accepted message
    senders: list = field(default_factory=list)  # each accepted message's envelope sender
    delay: float = 0.0  # seconds before answering DATA: a slow server, to kill a worker mid-send

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        address = address.lower()
        reply = self.replies.get(address) or self.replies.get(address.rpartition("@")[2])
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(message)
        self.arrived.append(time.monotonic())
        self.senders.append(envelope.mail_from)
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return [str(m["To"]) for m in self.received]


class SMTPServer:
    def __init__(self):
        self.handler = Handler()
        with socket.socket() as probe:  # a free port on loopback
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> "SMTPServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
