"""api/errors.py alone turns a service error (a class, a code, a domain field path) into the
contract's status and body."""

import pytest

from fabflow.api.errors import service_error_body
from fabflow.errors import Conflict, FabflowError, InvalidInput, NotFound, TooLarge
from fabflow.files.export_targets import ExportFailed
from fabflow.flows.error_codes import FlowErrorCode
from fabflow.orders.error_codes import OrderErrorCode


def body(loc, msg, type_):
    return {"detail": [{"loc": loc, "msg": msg, "type": type_}]}


@pytest.mark.parametrize(
    ("error", "status", "loc", "type_"),
    [
        (
            InvalidInput("m", field=("products", 0, "unit_value")),
            422,
            ["body", "products", 0, "unitValue"],
            "invalid_input",
        ),
        (
            InvalidInput("m", field=("products", 1, "data", "my_key", "a_b")),
            422,
            ["body", "products", 1, "data", "my_key", "a_b"],
            "invalid_input",
        ),
        (
            InvalidInput("m", code=OrderErrorCode.INVALID_FILTER, field=("createdAfter",)),
            422,
            ["query", "createdAfter"],
            "invalid_input",
        ),
        (
            InvalidInput("m", code=FlowErrorCode.AMBIGUOUS_FLOW_KEY, field=("space_key",)),
            422,
            ["query", "spaceKey"],
            "invalid_input",
        ),
        (NotFound("m"), 404, [], "not_found"),
        (InvalidInput("m", code=FlowErrorCode.SAMPLE_CHOICE), 422, ["body"], "invalid_input"),
        (Conflict("m", field=("name",)), 409, ["body", "name"], "conflict"),
        (TooLarge("m", field=("file",)), 413, ["body", "file"], "too_large"),
        (ExportFailed("m"), 502, [], "export_failed"),
        (FabflowError("m"), 400, [], "invalid"),
    ],
)
def test_each_class_code_and_path_maps_to_one_status_and_location(error, status, loc, type_):
    assert service_error_body(error) == (status, body(loc, "m", type_))


def test_errors_carry_their_code_and_domain_path():
    error = InvalidInput("m", code=OrderErrorCode.NO_PRODUCTS, field=("products",))
    assert (error.code, error.field) == ("no_products", ("products",))
    assert NotFound("m").code == "not_found"
