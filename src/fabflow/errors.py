"""The typed errors that services raise, in the domain's terms.

Each error carries a code (a member of `ErrorCode` or of an app's `error_codes.py`), a message
written for the person who must fix the problem and, where one field is at fault, the domain
path of that field, such as ("products", 0, "unit_value"). Nothing here knows about HTTP:
`fabflow.api.errors` maps the errors to status codes and the API's locations, and
`fabflow.web.errors` maps them to the pages' messages, form errors and 403/404 pages.
"""

from enum import StrEnum


class ErrorCode(StrEnum):
    """The codes every app shares; an app's own codes live in its `error_codes.py`."""

    INVALID = "invalid"
    REQUIRED = "required"
    TOO_LONG = "too_long"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    TOO_LARGE = "too_large"
    UNAVAILABLE = "unavailable"


class FabflowError(Exception):
    """Base of every error a service raises on purpose.

    `field` is the domain path of the field at fault. `loc` is kept for code that still names
    the API's location itself (with "body", "query"…); the API then answers it as it is.
    """

    default_code = ErrorCode.INVALID

    def __init__(self, message: str, *, code: str | None = None, field: tuple = (), loc=None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = tuple(field)
        self.loc = None if loc is None else tuple(loc)


class InvalidInput(FabflowError):
    """The request is well-formed but a value breaks a rule."""


class NotFound(FabflowError):
    """The object does not exist, or belongs to a tenant the caller may not see."""

    default_code = ErrorCode.NOT_FOUND


class Conflict(FabflowError):
    """The request clashes with the current state of an object."""

    default_code = ErrorCode.CONFLICT


class Forbidden(FabflowError):
    """The caller is known but may not do this."""

    default_code = ErrorCode.FORBIDDEN


class TooLarge(FabflowError):
    """An upload is larger than FABFLOW_MAX_UPLOAD_BYTES."""

    default_code = ErrorCode.TOO_LARGE


class Unavailable(FabflowError):
    """A system outside Fabflow (an export target, a storage) failed to do its part."""

    default_code = ErrorCode.UNAVAILABLE
