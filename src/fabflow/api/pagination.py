"""Cursor (keyset) pagination over a FilterSet's total ordering.

A cursor holds the sort values of the last row of a page, so the next page starts right after it
whatever rows were inserted meanwhile: nothing is skipped or repeated, and no page costs more than
the first (no OFFSET). Cursors are opaque to clients.

A page also ends early once its documents reach MAX_PAGE_BYTES (it always holds one), its cursor
continuing from there: every answer of a list stays bounded, whatever `limit` asks.
"""

import base64
import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q

from fabflow.errors import InvalidInput
from fabflow.fields import InvalidValue, printable
from fabflow.limits import MAX_PAGE_BYTES

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
BAD_CURSOR = "This cursor is not valid; start again without one"


def paginate(
    queryset, *, keys, limit: int, cursor: str | None, documents: Callable[[list], list[str]]
) -> tuple[list[str], str | None]:
    """One page of `queryset` (ordered by `keys`) after `cursor`: the JSON texts `documents`
    writes for its rows (orders/documents.py), and the next page's cursor. Only ids and sort
    values are read here; the page ends early where its documents reach MAX_PAGE_BYTES."""
    if cursor:
        queryset = _after(queryset, keys, _decode(cursor, queryset.model, keys))
    rows = list(queryset.values_list("pk", *[key.field for key in keys])[: limit + 1])
    page = rows[:limit]
    texts = documents([row[0] for row in page])
    kept = _within_budget(texts)
    if kept == len(texts) and len(rows) <= limit:
        return texts, None
    # A row deleted between the two reads has no text, so text `kept - 1` belongs to row
    # `kept - 1` or a later one: continuing after that row may repeat a document, never skip one.
    last = page[kept - 1] if kept < len(texts) else page[-1]
    return texts[:kept], _encode(list(last[1:]))


def _within_budget(texts: list[str]) -> int:
    """How many of `texts`, from the first, fit in MAX_PAGE_BYTES (at least one)."""
    # A character takes at most 4 bytes as UTF-8: most pages are far below the budget, and
    # only those that might reach it pay for encoding their texts to count their bytes.
    if sum(len(text) for text in texts) * 4 <= MAX_PAGE_BYTES:
        return len(texts)
    size = 0
    for count, text in enumerate(texts):
        size += len(text) if text.isascii() else len(text.encode())
        if count and size > MAX_PAGE_BYTES:
            return count
    return len(texts)


def _encode(values: list) -> str:
    raw = json.dumps([_json(value) for value in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _json(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, InvalidValue):
        # As stored (fabflow.fields): the next page goes on after it where its field can read
        # the text back (an amount beyond its precision); elsewhere the cursor is refused.
        return printable(value.raw)
    return value


def _decode(cursor: str, model, keys) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError
        decoded = []
        for key, value in zip(keys, values, strict=True):
            if key.field == "search_rank":
                if not isinstance(value, int) or isinstance(value, bool):
                    raise ValueError
                decoded.append(value)
            elif value is None:
                if not key.nullable:
                    raise ValueError
                decoded.append(None)
            else:
                if not isinstance(value, str | int):
                    raise ValueError
                decoded.append(model._meta.get_field(key.field).to_python(value))
        return decoded
    except (ValueError, TypeError, ValidationError, UnicodeDecodeError):
        raise InvalidInput(BAD_CURSOR, loc=("query", "cursor")) from None


def _after(queryset, keys, values):
    if keys[0].field == "search_rank":
        beyond = "lt" if keys[0].descending else "gt"
        return queryset.filter(**{f"search_rank__{beyond}": values[0]})
    first, tie = keys
    value, tie_value = values
    beyond = "lt" if first.descending else "gt"
    tie_beyond = "lt" if tie.descending else "gt"
    if value is None:
        # Rows without a value come last, ordered by id among themselves.
        return queryset.filter(
            Q(**{f"{first.field}__isnull": True}) & Q(**{f"{tie.field}__{tie_beyond}": tie_value})
        )
    # `field <= value AND (...)` lets the database walk its index from the cursor onwards.
    condition = Q(**{f"{first.field}__{beyond}e": value}) & (
        Q(**{f"{first.field}__{beyond}": value})
        | Q(**{first.field: value, f"{tie.field}__{tie_beyond}": tie_value})
    )
    if first.nullable:
        condition |= Q(**{f"{first.field}__isnull": True})
    return queryset.filter(condition)
