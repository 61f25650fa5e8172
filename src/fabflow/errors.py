"""The typed errors that services raise; `fabflow.api.errors` and the forms map them to users.

Each error carries a message written for the person who must fix the problem and, where one field
is at fault, its location as a tuple such as ("body", "products", 0, "units").
"""


class FabflowError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400
    error_type = "invalid"

    def __init__(self, message: str, *, loc: tuple = ()):
        super().__init__(message)
        self.message = message
        self.loc = tuple(loc)


class InvalidInput(FabflowError):
    """The request is well-formed but a value breaks a rule (a 422 for the API)."""

    status_code = 422
    error_type = "invalid_input"


class NotFound(FabflowError):
    """The object does not exist, or belongs to a tenant the caller may not see."""

    status_code = 404
    error_type = "not_found"


class Conflict(FabflowError):
    """The request clashes with the current state of an object."""

    status_code = 409
    error_type = "conflict"


class Forbidden(FabflowError):
    """The caller is known but may not do this."""

    status_code = 403
    error_type = "forbidden"
