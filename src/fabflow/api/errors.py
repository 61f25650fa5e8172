"""One mapping from every refusal to CONTRACT.md's error shape.

`{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` with the status the error names:
service errors (`fabflow.errors`), request validation, authentication, CSRF, unreadable or
oversized bodies. Anything else is a bug and stays a 500.
"""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, HttpError, ValidationError

from fabflow.errors import FabflowError

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
        body = error_body(loc=exc.loc, msg=exc.message, type=exc.error_type)
        return respond(request, exc.status_code, body)

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
