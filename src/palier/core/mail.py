"""Development e-mail: each message saved as its own .eml file (open it with any mail
client, or read it as text), and one line on the console saying where.

`make run` uses it (PALIER_EMAIL_BACKEND=file): confirmation, password-reset and invitation
links can be followed from var/mail/, which is kept between runs (`make clean` empties it).
The console line names the file and the subject only, never the recipient: console output
ends up in logs, which must not carry personal data."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    """Writes each message to EMAIL_FILE_PATH/<time>-<n>.eml."""

    def __init__(self, *args: object, file_path: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
        sent = 0
        for number, message in enumerate(email_messages, start=1):
            path = self.directory / f"{stamp}-{number}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\n"))
            print(f"Palier: e-mail « {message.subject} » saved in {path}", file=sys.stderr)
            sent += 1
        return sent
