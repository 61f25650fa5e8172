"""A task a person confirms or rejects in the UI or through the API."""

from pydantic import Field, field_validator

from fabflow.accounts.services import normalize_tags
from fabflow.flows.registry import PayloadModel

key = "manual-confirmation"
kind = "manual"


class Payload(PayloadModel):
    title: str = Field(min_length=1, max_length=300, description="what the person must do")
    description: str = Field(default="", max_length=10000)
    tags: list[str] = Field(default_factory=list, description="users with a tag see it highlighted")

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the title cannot be blank")
        return value.strip()

    @field_validator("tags")
    @classmethod
    def _normalize(cls, value: list[str]) -> list[str]:
        return normalize_tags(value)


def describe(context) -> dict:
    """The task waits for a person, who sees this title, description and tags."""
    payload = context.payload
    return {
        "waitsFor": "person",
        "title": payload.title,
        "description": payload.description,
        "tags": list(payload.tags),
    }
