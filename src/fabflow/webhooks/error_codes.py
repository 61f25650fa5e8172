"""The codes of the errors the webhooks app raises (`fabflow.errors` holds the shared ones)."""

from enum import StrEnum


class WebhookErrorCode(StrEnum):
    """Why a webhook subscription was refused."""

    INVALID_URL = "invalid_url"
    ADDRESS_REFUSED = "address_refused"
    INVALID_EVENT_TYPES = "invalid_event_types"
