"""An email backend for worker subprocesses: each message becomes one file in
HELPDESK_TEST_MAIL_DIR, after HELPDESK_TEST_MAIL_DELAY seconds (an SMTP conversation
takes about that long), so the test process can count what a worker really sent."""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = Path(os.environ["HELPDESK_TEST_MAIL_DIR"])
        for message in email_messages:
            time.sleep(float(os.environ.get("HELPDESK_TEST_MAIL_DELAY", "0")))
            (folder / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(email_messages)


def subjects_sent(folder: Path) -> list[str]:
    from email import message_from_bytes
    from email.header import decode_header, make_header

    return sorted(
        str(make_header(decode_header(message_from_bytes(path.read_bytes())["Subject"])))
        for path in folder.glob("*.eml")
    )
