"""One mapping from every refusal to CONTRACT.md's error shape.

`{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`: service errors (`fabflow.errors`,
whose class gives the status and type, whose code and domain field path give the location),
request validation, authentication, CSRF, unreadable or oversized bodies. Anything else is a
bug and stays a 500.
"""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, HttpError, ValidationError

from fabflow.api.uploads import NotMultipart
from fabflow.errors import (
    Conflict,
    FabflowError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooLarge,
    Unavailable,
)

HTTP_ERROR_TYPES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_input",
}


# Each class of service error answers this status and type; the first class of an error's MRO
# found here wins. Unavailable answers its code as the type ("export_failed").
SERVICE_ERROR_STATUS = {
    NotMultipart: (400, "bad_request"),
    InvalidInput: (422, "invalid_input"),
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    Forbidden: (403, "forbidden"),
    TooLarge: (413, "too_large"),
    Unavailable: (502, None),
    FabflowError: (400, "invalid"),
}

# The codes whose field is a query parameter; every other field is in the body.
QUERY_CODES = frozenset({"invalid_filter", "ambiguous_flow_key"})

# The codes that refuse the body as a whole (no one field of it is at fault).
WHOLE_BODY_CODES = frozenset({"sample_choice"})

# The fields that hold a caller's own JSON document: the keys below them are the caller's.
DOCUMENT_FIELDS = frozenset(
    {"data", "configuration", "addresses", "definition", "payload", "arguments", "filter"}
)


def service_error_body(error: FabflowError) -> tuple[int, dict]:
    """The status and CONTRACT.md body of a service error."""
    status, type_ = next(
        SERVICE_ERROR_STATUS[cls] for cls in type(error).__mro__ if cls in SERVICE_ERROR_STATUS
    )
    return status, error_body(loc=api_location(error), msg=error.message, type=type_ or error.code)


def api_location(error: FabflowError) -> tuple:
    """Where the API's caller finds the field at fault: ("body", "products", 0, "unitValue")."""
    if error.loc is not None:
        return error.loc
    if not error.field:
        return ("body",) if error.code in WHOLE_BODY_CODES else ()
    part = "query" if error.code in QUERY_CODES else "body"
    return (part, *api_names(error.field))


def api_names(field: tuple) -> list:
    """The API's camelCase names of a domain path, up to and with the first document field."""
    names = []
    for index, name in enumerate(field):
        if not isinstance(name, str):
            names.append(name)
            continue
        head, *rest = name.split("_")
        names.append(head + "".join(word.capitalize() for word in rest))
        if name in DOCUMENT_FIELDS:
            return [*names, *field[index + 1 :]]
    return names


def error_body(*, loc=(), msg: str, type: str) -> dict:
    return {"detail": [{"loc": list(loc), "msg": msg, "type": type}]}


def install(api) -> None:
    """Register the handlers on a NinjaAPI."""

    def respond(request, status: int, body: dict, headers: dict | None = None):
        response = api.create_response(request, body, status=status)
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    def service_error(request, exc: FabflowError):
        status, body = service_error_body(exc)
        return respond(request, status, body)

    def validation_error(request, exc: ValidationError):
        detail = [
            {
                "loc": _contract_loc(error.get("loc", ())),
                "msg": error.get("msg", "Invalid value"),
                "type": error.get("type", "invalid"),
            }
            for error in exc.errors
        ]
        return respond(request, 422, {"detail": detail})

    def authentication_error(request, exc: AuthenticationError):
        body = error_body(
            loc=("header", "Authorization"),
            msg="Send a valid secret key as 'Authorization: Bearer <key>', or sign in",
            type="unauthorized",
        )
        return respond(request, 401, body, {"WWW-Authenticate": "Bearer"})

    def http_error(request, exc: HttpError):
        # Ninja wraps whatever the body parser raises in a 400 "Cannot parse request body";
        # a fault the parser found inside valid JSON keeps its own status and location.
        if isinstance(exc.__cause__, FabflowError):
            return service_error(request, exc.__cause__)
        status = exc.status_code
        return respond(
            request, status, error_body(msg=str(exc), type=HTTP_ERROR_TYPES.get(status, "error"))
        )

    def not_found(request, exc):
        return respond(request, 404, error_body(msg="Not found", type="not_found"))

    def too_big(request, exc):
        return respond(
            request,
            413,
            error_body(loc=("body",), msg="The request body is too large", type="too_large"),
        )

    def bad_multipart(request, exc):
        return respond(
            request,
            400,
            error_body(loc=("body",), msg=f"Unreadable form data: {exc}", type="bad_request"),
        )

    api.add_exception_handler(FabflowError, service_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(AuthenticationError, authentication_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(RequestDataTooBig, too_big)
    api.add_exception_handler(TooManyFieldsSent, too_big)
    api.add_exception_handler(MultiPartParserError, bad_multipart)


def _contract_loc(loc) -> list:
    """Ninja names the body parameter (`body.payload.products`); the contract does not."""
    loc = list(loc)
    if len(loc) >= 2 and loc[0] == "body" and loc[1] == "payload":
        del loc[1]
    return loc
