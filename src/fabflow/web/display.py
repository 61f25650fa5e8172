"""How the UI shows stored values, those it cannot read included.

A value that cannot be shown (an `InvalidValue` of fabflow.fields, a status no version of
Fabflow defines, a time outside what the calendar can show) is shown as "invalid value", with
what is stored beside it where that is printable, and the rest of the page works. Tables,
details pages, exports and templates (the `fabflow_values` filters) all show values through
these functions.

Times read the same everywhere, in ISO 8601 order and the site's time zone: a day as
`2025-03-01`, a moment as `2025-03-01 14:05` (with seconds where the order of events matters).
Templates show a time with `{{ value|when }}`, never with Django's `date` filter, whose
formats follow the locale.
"""

import json
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from fabflow.fields import INVALID_TEXT, InvalidValue, printable, report_invalid

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
DATETIME_SECONDS_FORMAT = "Y-m-d H:i:s"
ISO_FORMATS = frozenset({DATE_FORMAT, DATETIME_FORMAT, DATETIME_SECONDS_FORMAT})
# The longest text a details page shows of one stored value; the rest is cut.
MAX_SHOWN_CHARACTERS = 10_000


def invalid_text(value: InvalidValue) -> str:
    """The marker as plain text, e.g. for a CSV cell: "invalid value (what is stored)"."""
    preview = value.preview()
    return f"{INVALID_TEXT} ({preview})" if preview else INVALID_TEXT


def invalid_html(value: InvalidValue) -> SafeString:
    """The marker on a page, what is stored in its tooltip."""
    return format_html(
        '<span class="badge badge-failure invalid-value" title="Stored as: {}">{}</span>',
        value.preview(),
        INVALID_TEXT,
    )


def moment(value) -> datetime | InvalidValue | None:
    """A stored time in the site's time zone; an InvalidValue when it cannot be shown there."""
    if value is None or isinstance(value, InvalidValue):
        return value
    try:
        return timezone.localtime(value)
    except (OverflowError, ValueError, TypeError, AttributeError):
        return InvalidValue(value)


def moment_text(value, format_string: str = DATETIME_FORMAT) -> str:
    """A time as `2025-03-01 14:05` in the site's time zone; "" for none."""
    local = moment(value)
    if local is None:
        return ""
    if isinstance(local, InvalidValue):
        return invalid_text(local)
    return _iso(local, format_string)


def moment_html(value, format_string: str = DATETIME_FORMAT) -> SafeString | str:
    """A time in a <time> element, or the marker."""
    local = moment(value)
    if local is None:
        return ""
    if isinstance(local, InvalidValue):
        return invalid_html(local)
    return format_html(
        '<time datetime="{}">{}</time>', local.isoformat(), _iso(local, format_string)
    )


def _iso(local: datetime, format_string: str) -> str:
    if format_string not in ISO_FORMATS:
        raise ValueError(f"Times are shown in one of {sorted(ISO_FORMATS)}, not {format_string!r}")
    return date_format(local, format_string)


def money_text(value, *, grouped: bool = False) -> str:
    """An amount with two decimals (thousands grouped on pages), or the marker."""
    amount = _amount(value)
    if isinstance(amount, InvalidValue):
        return invalid_text(amount)
    return f"{amount:,.2f}" if grouped else f"{amount:.2f}"


def money_html(value) -> SafeString | str:
    amount = _amount(value)
    if isinstance(amount, InvalidValue):
        return invalid_html(amount)
    return f"{amount:,.2f}"


def _amount(value) -> Decimal | InvalidValue:
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value if isinstance(value, InvalidValue) else InvalidValue(value)


def choice(record, field: str, labels: dict) -> str | InvalidValue:
    """The label of the stored choice `field` of `record`; an InvalidValue, logged, for a
    value none of `labels` names."""
    value = getattr(record, field)
    if isinstance(value, str) and value in labels:
        return labels[value]
    if not isinstance(value, InvalidValue):
        value = InvalidValue(value)
        report_invalid(record, field, value)
    return value


def choice_html(record, field: str, labels: dict) -> SafeString:
    """A status badge, or the marker."""
    label = choice(record, field, labels)
    if isinstance(label, InvalidValue):
        return invalid_html(label)
    return format_html('<span class="badge badge-{}">{}</span>', getattr(record, field), label)


def choice_text(record, field: str, labels: dict) -> str:
    label = choice(record, field, labels)
    return invalid_text(label) if isinstance(label, InvalidValue) else label


def texts(value) -> list[str]:
    """The items of a stored list of words (tags) as text; none for anything but a list."""
    if not isinstance(value, list):
        return []
    return [printable(item) for item in value if isinstance(item, str | int | float)]


def tags_html(value) -> SafeString | str:
    """Stored tags as tag chips ("" for none), or the marker."""
    if isinstance(value, InvalidValue):
        return invalid_html(value)
    return format_html_join(" ", '<span class="tag">{}</span>', ((tag,) for tag in texts(value)))


def tags_text(value) -> str:
    """Stored tags comma-separated, or the marker."""
    if isinstance(value, InvalidValue):
        return invalid_text(value)
    return ", ".join(texts(value))


def mapping(value) -> dict:
    """A stored JSON object, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}


def json_text(value) -> str:
    """A stored JSON value as text for a page: strings as they are, the rest as JSON; cut
    after MAX_SHOWN_CHARACTERS; the marker for what cannot be written."""
    if isinstance(value, InvalidValue):
        return invalid_text(value)
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (RecursionError, TypeError, ValueError):
            return invalid_text(InvalidValue(value))
    text = text.encode("utf-8", "replace").decode("utf-8")
    if len(text) > MAX_SHOWN_CHARACTERS:
        return f"{text[:MAX_SHOWN_CHARACTERS]}… ({len(text):,} characters)"
    return text
