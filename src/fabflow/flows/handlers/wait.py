"""Waits a fixed time before the flow moves on (a durable sleep: a restart does not reset it)."""

from pydantic import Field

from fabflow.flows.registry import PayloadModel

key = "wait"
kind = "wait"


class Payload(PayloadModel):
    duration: int = Field(ge=0, le=366 * 24 * 3600 * 1000, description="milliseconds to wait")


def describe(context) -> dict:
    """The task only waits its duration."""
    return {"waits": {"durationMs": context.payload.duration}}
