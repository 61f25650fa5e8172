"""The exceptions a refusal of the API raises, carrying the API's error body.

Every refusal of Fabflow's API answers `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`;
`FabflowError` keeps that body, the status code and the request's id (`X-Request-ID`, to quote
when reporting a problem). Its subclasses name the statuses a program usually tells apart.
"""

import json
from typing import Any

import httpx


class FabflowError(Exception):
    """The API refused a call: `status_code`, the error JSON (`body`), its `detail` items."""

    def __init__(self, status_code: int, body: Any, request_id: str | None = None):
        self.status_code = status_code
        self.body = body
        self.request_id = request_id
        super().__init__(self._summary())

    @property
    def detail(self) -> list[dict]:
        """The error items of the body: each a `loc`, a `msg` and a `type`."""
        detail = self.body.get("detail") if isinstance(self.body, dict) else None
        return (
            [item for item in detail if isinstance(item, dict)] if isinstance(detail, list) else []
        )

    @property
    def locations(self) -> list[tuple]:
        """Where each error stands, e.g. `("body", "products", 0, "units")`."""
        return [tuple(item.get("loc") or ()) for item in self.detail]

    @property
    def messages(self) -> list[str]:
        """The message of each error, in order."""
        return [str(item.get("msg", "")) for item in self.detail]

    def _summary(self) -> str:
        try:
            reason = httpx.codes(self.status_code).name.replace("_", " ").lower()
        except ValueError:
            reason = "error"
        parts = [
            f"{'.'.join(map(str, loc))}: {msg}"
            for loc, msg in zip(self.locations, self.messages, strict=True)
        ]
        return f"{self.status_code} {reason}" + (": " + "; ".join(parts) if parts else "")


class BadRequest(FabflowError):
    """400: the body could not be read (not JSON, unreadable form data)."""


class Unauthorized(FabflowError):
    """401: no key, or an unknown or revoked one."""


class Forbidden(FabflowError):
    """403: the caller may not do this."""


class NotFound(FabflowError):
    """404: no such object, or one of another product space or organization."""


class Conflict(FabflowError):
    """409: the call conflicts with the current state (a reused order name, a running flow)."""


class TooLarge(FabflowError):
    """413: a body or file beyond the limits."""


class InvalidInput(FabflowError):
    """422: a value breaks a rule; `locations` say which."""


ERRORS_BY_STATUS: dict[int, type[FabflowError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: TooLarge,
    422: InvalidInput,
}


def error_for(status_code: int, content: bytes, headers: httpx.Headers) -> FabflowError:
    """The exception for a refusal: its body as JSON when it is JSON, else as text."""
    try:
        body: Any = json.loads(content)
    except ValueError:
        body = content.decode("utf-8", "replace")
    error_class = ERRORS_BY_STATUS.get(status_code, FabflowError)
    return error_class(status_code, body, headers.get("X-Request-ID"))
