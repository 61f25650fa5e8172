"""The checks of limits.py's bounds that a schema cannot state: how deep and how large a JSON
document is, whether text is valid Unicode a database stores, and how received bytes become such
text.

The request parser runs `check_json` over every JSON body; services run `check_document` and
`check_text` over what they store, whoever calls them. Each refusal is an `InvalidInput` naming
the location of the fault.
"""

import json

from fabflow.errors import InvalidInput
from fabflow.limits import MAX_JSON_DEPTH, MAX_JSON_DOCUMENT_BYTES

SURROGATES = range(0xD800, 0xE000)


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None: PostgreSQL refuses NUL characters, and a lone
    UTF-16 surrogate (which JSON's "\\ud800" escape can produce) cannot be written as UTF-8."""
    if "\x00" in text:
        return "Text must not contain NUL characters"
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Text must be valid Unicode: it holds a lone UTF-16 surrogate"
    return None


def storable_text(raw: bytes | str) -> str:
    """`raw` as text every database stores and `text_problem` accepts: bytes decode as UTF-8,
    and what is no UTF-8 (a lone surrogate too) or a NUL character becomes U+FFFD."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace").replace("\x00", "\ufffd")


def check_text(text: str, *, field: tuple = (), loc: tuple | None = None) -> None:
    """Refuse text that cannot be stored (see `text_problem`); `field` is its domain path (`loc`,
    an API location, is kept for callers that still name one)."""
    problem = text_problem(text)
    if problem is not None:
        raise InvalidInput(problem, field=field, loc=loc)


def check_json(value, *, field: tuple = (), loc: tuple | None = None, max_depth: int) -> None:
    """Refuse a JSON value nested deeper than `max_depth`, or holding text (a key or a string)
    that cannot be stored; the path names the first fault found."""
    try:
        _check_json(value, field if loc is None else loc, max_depth)
    except InvalidInput as error:
        if loc is None:
            raise
        raise InvalidInput(error.message, loc=error.field) from None


def _check_json(value, field: tuple, max_depth: int) -> None:
    stack = [(value, field, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            check_text(item, field=where)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth >= max_depth:
            raise InvalidInput(f"JSON must not nest deeper than {max_depth} levels", field=where)
        if isinstance(item, dict):
            for key, child in item.items():
                check_text(key, field=where)  # a key that cannot be stored cannot be a path
                stack.append((child, (*where, key), depth + 1))
        else:
            stack.extend((child, (*where, index), depth + 1) for index, child in enumerate(item))


def document_size(value) -> int:
    """The bytes `value` takes as compact UTF-8 JSON, as the API answers it."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def check_document(
    value, *, field: tuple = (), loc: tuple | None = None, max_bytes: int = MAX_JSON_DOCUMENT_BYTES
) -> int:
    """Refuse a JSON document deeper than MAX_JSON_DEPTH, larger than `max_bytes`, or holding
    text that cannot be stored; answer its size."""
    if not value and isinstance(value, dict | list):
        return 2  # {} or []: most parts and products carry one
    check_json(value, field=field, loc=loc, max_depth=MAX_JSON_DEPTH)
    size = document_size(value)
    if size > max_bytes:
        raise InvalidInput(
            f"This JSON document takes {size} bytes, more than the limit of {max_bytes}",
            field=field,
            loc=loc,
        )
    return size
