"""A typed Python client for Fabflow's REST API v1.

`fabflow_client.generated` is made from the API's OpenAPI description (`make client`); this
package adds the facades, the errors and the signature check by hand.
"""

from fabflow_client.errors import (
    BadRequest,
    Conflict,
    FabflowError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooLarge,
    Unauthorized,
)
from fabflow_client.facade import AsyncFabflow, Fabflow
from fabflow_client.signatures import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    sign,
    verify_signature,
)

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "AsyncFabflow",
    "BadRequest",
    "Conflict",
    "Fabflow",
    "FabflowError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "TooLarge",
    "Unauthorized",
    "sign",
    "verify_signature",
]
