"""Model fields that read whatever a row holds, so that no stored value can take a page down.

Rows written by older versions, by hand or through a past bug may hold what their column's type
cannot give back: an amount beyond its column's precision, a time that is no date, JSON that
does not parse, nests too deeply for Python, or has the wrong shape (a list where an object
belongs). Reading such a value gives an `InvalidValue` that keeps what is stored; pages show it
as "invalid value" (`fabflow.web.templatetags.fabflow_web`), the API's documents answer it as
null (`fabflow.orders.documents`), and a save writes it back unchanged.

The first read of an invalid value on a model instance is logged once, at WARNING on the
`fabflow.stored` logger, with the row's table, id and field. The database backends turn the
driver's own failures into invalid values (`fabflow.sqlite`, `fabflow.postgresql`): Django's
converters for times and amounts run before any field's.

The fields deconstruct as Django's own, so migrations neither see nor need them.
"""

import json
import logging
import re
import reprlib
from decimal import Decimal

from django.db import models
from django.db.models.fields.json import KeyTransform
from django.db.models.query_utils import DeferredAttribute

from fabflow.bounds import storable_text

logger = logging.getLogger("fabflow.stored")

INVALID_TEXT = "invalid value"
# A \uD800-\uDFFF escape in JSON text: half of a pair, or a lone surrogate no page can write.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# How much of a stored value a log line or a page shows.
MAX_RAW_PREVIEW = 200


class InvalidValue:
    """A stored value its field cannot read as its type; `raw` is what the database gave."""

    __slots__ = ("is_logged", "raw")

    def __init__(self, raw):
        self.raw = raw
        self.is_logged = False

    def __str__(self) -> str:
        return INVALID_TEXT

    def __repr__(self) -> str:
        return f"InvalidValue({self.preview()})"

    def preview(self) -> str:
        """The stored value as printable text, cut to MAX_RAW_PREVIEW characters."""
        return printable(self.raw)


# repr() of a stored document, cut short at every level: it may nest a thousand levels deep.
_SHORT = reprlib.Repr()
_SHORT.maxlevel = 4
_SHORT.maxstring = _SHORT.maxother = MAX_RAW_PREVIEW


def printable(raw) -> str:
    """`raw` as text safe for a page, a CSV cell or a log line: no NUL, no lone surrogate,
    at most MAX_RAW_PREVIEW characters."""
    if isinstance(raw, bytes | memoryview):
        text = bytes(raw[: MAX_RAW_PREVIEW * 4]).decode("utf-8", "replace")
    else:
        text = raw if isinstance(raw, str) else _SHORT.repr(raw)
    text = text[: MAX_RAW_PREVIEW + 1].replace("\x00", "\ufffd")
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= MAX_RAW_PREVIEW else text[:MAX_RAW_PREVIEW] + "…"


def report_invalid(instance, field: str, value: InvalidValue) -> None:
    """Log, once per instance, that the row `instance` holds in `field` what cannot be read."""
    if value.is_logged:
        return
    value.is_logged = True
    logger.warning(
        "Stored value not readable: %s %s, field %s, stored as %r",
        instance._meta.db_table,
        instance.pk,
        field,
        value.preview(),
    )


class ReportingAttribute(DeferredAttribute):
    """A field's attribute that logs, once per instance, a stored value it could not read.

    A data descriptor (it has `__set__`), so every read passes through it.
    """

    def __get__(self, instance, cls=None):
        value = super().__get__(instance, cls)
        if instance is not None and type(value) is InvalidValue:
            report_invalid(instance, self.field.name, value)
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class _Reporting:
    """Mixin of the fields below: the logging attribute, and Django's own deconstruction."""

    descriptor_class = ReportingAttribute
    django_path = ""

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, self.django_path, args, kwargs

    def get_db_prep_save(self, value, connection):
        if type(value) is InvalidValue:
            return value.raw  # written back as it was read
        return super().get_db_prep_save(value, connection)


class DecimalField(_Reporting, models.DecimalField):
    """Django's DecimalField; an amount the backend cannot read is an InvalidValue, and so is
    PostgreSQL's NaN, which a numeric column holds and no amount is."""

    django_path = "django.db.models.DecimalField"

    def from_db_value(self, value, expression, connection):
        if isinstance(value, Decimal) and not value.is_finite():
            return InvalidValue(value)
        return value


class DateTimeField(_Reporting, models.DateTimeField):
    """Django's DateTimeField; a time the backend cannot read is an InvalidValue."""

    django_path = "django.db.models.DateTimeField"


class CharField(_Reporting, models.CharField):
    """Django's CharField, for text that came from outside (a receiver's answer): whatever its
    column holds reads as text of at most `max_length` characters that every page can show.

    SQLite keeps any bytes in a text column, and its driver fails the whole query on bytes that
    are no UTF-8: there the column is read as bytes, which decode as they did when stored
    (`bounds.storable_text`: U+FFFD for what is no UTF-8 and for NUL).
    """

    django_path = "django.db.models.CharField"

    def select_format(self, compiler, sql, params):
        if compiler.connection.vendor == "sqlite":
            return f"CAST({sql} AS BLOB)", params
        return super().select_format(compiler, sql, params)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if not isinstance(value, str):
            value = bytes(value) if isinstance(value, bytes | memoryview) else str(value)
        return storable_text(value)[: self.max_length]


class JSONField(_Reporting, models.JSONField):
    """Django's JSONField, holding a document of one `shape` (dict or list, or any).

    Text that does not parse, nests too deeply for Python, or parses to another shape reads as
    an InvalidValue (on SQLite and on PostgreSQL alike).
    """

    django_path = "django.db.models.JSONField"

    def __init__(self, *args, shape: type | None = None, **kwargs):
        self.shape = shape
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if not isinstance(value, str) or isinstance(expression, KeyTransform):
            return super().from_db_value(value, expression, connection)
        try:
            document = json.loads(value, cls=self.decoder)
            if SURROGATE_ESCAPE.search(value):
                # Pairs decode to one character; a lone half cannot be written as UTF-8.
                json.dumps(document, ensure_ascii=False).encode()
        except (ValueError, RecursionError):
            return InvalidValue(value)
        if self.shape is not None and not isinstance(document, self.shape):
            return InvalidValue(value)
        return document

    def get_db_prep_save(self, value, connection):
        if type(value) is InvalidValue and connection.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            return Jsonb(value.raw, dumps=lambda text: text)  # the stored text, as stored
        return super().get_db_prep_save(value, connection)
