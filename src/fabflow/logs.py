"""What every log line of Fabflow carries, and the JSON format an operator's tools read.

A request or a flow task sets its context (`log_context`): the request id, the organization,
the order, the task and the workflow. `ContextFilter` puts the context on every record logged
meanwhile, and masks secret keys and bearer tokens that a message might quote. `JsonFormatter`
writes one JSON object per line (`LOG_FORMAT=json`); the default text format is the message.
"""

import contextlib
import json
import logging
import re
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

# The fields a context may carry, in the order a JSON line shows them.
CONTEXT_FIELDS = ("request_id", "organization", "order", "task", "workflow")

_context: ContextVar[dict | None] = ContextVar("fabflow_log_context", default=None)

# A secret key (`ffk_<id>_<secret>`) keeps its id, which names it, and loses its secret.
_SECRET_KEY = re.compile(r"\b(ffk_[0-9a-f]{12}_)[A-Za-z0-9_\-]+")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[^\s\"',;]+")
MASK = "********"


@contextlib.contextmanager
def log_context(**fields):
    """Carry `fields` (of CONTEXT_FIELDS) on every record logged inside the block.

    A value may be a callable, called only when a record is logged (an organization known
    once the request is authenticated)."""
    inherited = _context.get() or {}
    token = _context.set({**inherited, **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields) -> None:
    """Add `fields` to the context of the innermost `log_context` block (none outside one)."""
    current = _context.get()
    if current is not None:
        current.update({k: v for k, v in fields.items() if v is not None})


def current_context() -> dict:
    """The context fields that apply now, their callables resolved, empty ones left out."""
    resolved = {}
    for name, value in (_context.get() or {}).items():
        if isinstance(value, Callable):
            try:
                value = value()
            except Exception:  # a context that cannot be resolved must not lose the record
                value = None
        if value is not None and value != "":
            resolved[name] = str(value)
    return resolved


def mask_secrets(text: str) -> str:
    """`text` with the secret part of secret keys and bearer tokens masked."""
    return _BEARER.sub(rf"\1{MASK}", _SECRET_KEY.sub(rf"\1{MASK}", text))


# A statement on the session table carries session keys (credentials) and session data (a new
# secret key waiting to be shown once, among others): its SQL is never logged.
SESSION_TABLE = "django_session"


def _hide_session_statement(record: logging.LogRecord, message: str) -> str:
    if record.name != "django.db.backends" or SESSION_TABLE not in message:
        return message
    verb = next((word for word in ("SELECT", "INSERT", "UPDATE", "DELETE") if word in message), "")
    return f"{verb} {SESSION_TABLE} (values hidden)".strip()


class ContextFilter(logging.Filter):
    """Puts the current context on each record and masks secrets in its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(_hide_session_statement(record, message))
        if masked != message:
            record.msg, record.args = masked, None
        record.fabflow_context = current_context()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context, an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = getattr(record, "fabflow_context", None)
        if context is None:
            context = current_context()
        line.update((name, context[name]) for name in CONTEXT_FIELDS if name in context)
        if record.exc_info:
            line["exception"] = mask_secrets(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


LOG_FORMATS = ("text", "json")


def logging_settings(*, log_format: str, level: str) -> dict:
    """Django's LOGGING for `log_format` (text or json) at `level` (empty: the defaults)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {
            "text": {"format": "%(message)s"},
            "json": {"()": JsonFormatter},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["context"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": level or "WARNING"},
        "loggers": {"fabflow": {"level": level or "INFO", "propagate": True}},
    }
