"""The codes of the errors the flows app raises (`fabflow.errors` holds the shared ones)."""

from enum import StrEnum


class FlowErrorCode(StrEnum):
    """Why a flow, a flow definition or an action on a task was refused."""

    INVALID_DEFINITION = "invalid_definition"
    DUPLICATE_KEY = "duplicate_key"
    FLOW_NOT_FOUND = "flow_not_found"
    NO_VERSION = "no_version"
    FLOW_ACTIVE = "flow_active"
    AMBIGUOUS_FLOW_KEY = "ambiguous_flow_key"
    REASON_REQUIRED = "reason_required"
    INVALID_FEEDBACK = "invalid_feedback"
    SAMPLE_CHOICE = "sample_choice"
