"""The codes of the errors the orders app raises (`fabflow.errors` holds the shared ones)."""

from enum import StrEnum


class OrderErrorCode(StrEnum):
    """Why an order, product, part or list request was refused."""

    SPACE_NOT_FOUND = "space_not_found"
    SPACE_REQUIRED = "space_required"
    NO_PRODUCTS = "no_products"
    TOO_MANY = "too_many"
    INVALID_AMOUNT = "invalid_amount"
    VALUE_MISMATCH = "value_mismatch"
    DUPLICATE_NAME = "duplicate_name"
    INVALID_FILTER = "invalid_filter"
