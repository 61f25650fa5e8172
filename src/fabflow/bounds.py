"""The checks of limits.py's bounds that a schema cannot state: how deep and how large a JSON
document is, and whether text is valid Unicode a database stores.

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


def check_text(text: str, *, loc: tuple) -> None:
    """Refuse text that cannot be stored (see `text_problem`)."""
    problem = text_problem(text)
    if problem is not None:
        raise InvalidInput(problem, loc=loc)


def check_json(value, *, loc: tuple, max_depth: int) -> None:
    """Refuse a JSON value nested deeper than `max_depth`, or holding text (a key or a string)
    that cannot be stored; the location names the first fault found."""
    stack = [(value, loc, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            check_text(item, loc=where)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth >= max_depth:
            raise InvalidInput(f"JSON must not nest deeper than {max_depth} levels", loc=where)
        if isinstance(item, dict):
            for key, child in item.items():
                check_text(key, loc=where)  # a key that cannot be stored cannot be a location
                stack.append((child, (*where, key), depth + 1))
        else:
            stack.extend((child, (*where, index), depth + 1) for index, child in enumerate(item))


def document_size(value) -> int:
    """The bytes `value` takes as compact UTF-8 JSON, as the API answers it."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def check_document(value, *, loc: tuple, max_bytes: int = MAX_JSON_DOCUMENT_BYTES) -> int:
    """Refuse a JSON document deeper than MAX_JSON_DEPTH, larger than `max_bytes`, or holding
    text that cannot be stored; answer its size."""
    if not value and isinstance(value, dict | list):
        return 2  # {} or []: most parts and products carry one
    check_json(value, loc=loc, max_depth=MAX_JSON_DEPTH)
    size = document_size(value)
    if size > max_bytes:
        raise InvalidInput(
            f"This JSON document takes {size} bytes, more than the limit of {max_bytes}", loc=loc
        )
    return size
