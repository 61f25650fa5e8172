"""The outbox: the e-mails the embedded mode keeps as files when no SMTP server is configured.

Django's file backend writes each batch of messages to a file of its own in `EMAIL_FILE_PATH`,
the messages separated by a line of 79 dashes. Fabflow's senders mark every message with the
organization it belongs to (and a flow's e-mail with its order), so the Outbox page shows an
admin the messages of their organization only.
"""

import email
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from fabflow.accounts.actors import Actor
from fabflow.errors import Forbidden, NotFound

ORGANIZATION_HEADER = "X-Fabflow-Organization"
ORDER_HEADER = "X-Fabflow-Order"
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
FILE_NAME = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9]+\.log$")
# The newest files read for one page: a large outbox costs a page no more than this.
MAX_FILES = 2000


@dataclass(frozen=True)
class KeptMessage:
    """One kept e-mail: `file` and `index` name it on its page."""

    file: str
    index: int
    organization_id: str
    sent_at: datetime
    sender: str
    recipients: str
    subject: str
    order_id: str
    body: str
    attachments: list[str] = field(default_factory=list)


def headers(*, organization_id, order_id=None) -> dict:
    """The headers that tie a message to its organization (and order) in the outbox."""
    marks = {ORGANIZATION_HEADER: str(organization_id)}
    if order_id is not None:
        marks[ORDER_HEADER] = str(order_id)
    return marks


def is_kept() -> bool:
    """Whether outgoing e-mail goes to the outbox (no SMTP server is configured)."""
    return settings.EMAIL_BACKEND == FILE_BACKEND


def folder() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


def kept_messages(*, actor: Actor, limit: int = 100) -> list[KeptMessage]:
    """The kept messages of the admin's organization, newest first (at most `limit`)."""
    organization_id = _organization_of_admin(actor)
    found = []
    for path in _files()[:MAX_FILES]:
        for kept in reversed(_read(path)):
            if kept.organization_id == organization_id:
                found.append(kept)
                if len(found) == limit:
                    return found
    return found


def kept_message(*, actor: Actor, file: str, index: int) -> KeptMessage:
    """One kept message of the admin's organization; NotFound for any other."""
    organization_id = _organization_of_admin(actor)
    if is_kept() and FILE_NAME.match(file) and (folder() / file).is_file():
        for kept in _read(folder() / file):
            if kept.index == index and kept.organization_id == organization_id:
                return kept
    raise NotFound("No such message in the outbox")


def _organization_of_admin(actor: Actor) -> str:
    # Messages are files, not rows `Actor.restrict` could narrow: they are matched on the
    # organization their sender marked. Only admins read them (they hold set-password links).
    if actor.user is None or not actor.user.is_admin:
        raise Forbidden("Only admins read the outbox")
    return str(actor.organization_id)


def _files() -> list[Path]:
    if not is_kept() or not folder().is_dir():
        return []
    # Newest first by the time a file was last written: names carry whole seconds only.
    return sorted(
        (path for path in folder().iterdir() if FILE_NAME.match(path.name)),
        key=lambda path: (path.stat().st_mtime_ns, path.name),
        reverse=True,
    )


def _read(path: Path) -> list[KeptMessage]:
    parts = path.read_bytes().split(SEPARATOR)
    return [_parse(path, index, raw) for index, raw in enumerate(parts) if raw.strip()]


def _parse(path: Path, index: int, raw: bytes) -> KeptMessage:
    parsed = email.message_from_bytes(raw, policy=policy.default)
    try:
        sent_at = parsedate_to_datetime(parsed["Date"])
    except (TypeError, ValueError):
        sent_at = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.get_current_timezone())
    body = parsed.get_body(preferencelist=("plain", "html"))
    return KeptMessage(
        file=path.name,
        index=index,
        organization_id=str(parsed[ORGANIZATION_HEADER] or ""),
        sent_at=sent_at,
        sender=str(parsed["From"] or ""),
        recipients=", ".join(str(value) for value in parsed.get_all("To", [])),
        subject=str(parsed["Subject"] or ""),
        order_id=str(parsed[ORDER_HEADER] or ""),
        body=_text(body),
        attachments=[part.get_filename() or "attachment" for part in parsed.iter_attachments()],
    )


def _text(part) -> str:
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, ValueError):  # a charset Python does not know
        return part.get_payload(decode=True).decode("utf-8", errors="replace")
