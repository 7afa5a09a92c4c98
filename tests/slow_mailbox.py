"""A dev mailbox that takes its time, so a test can kill a worker in the middle of a batch."""

import os
import time

from ops.mailbox import MailboxBackend


class SlowMailboxBackend(MailboxBackend):
    def send_messages(self, email_messages) -> int:
        time.sleep(float(os.environ.get("SLOW_MAILBOX_SECONDS", "0.3")))
        return super().send_messages(email_messages)
