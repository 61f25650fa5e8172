"""The codes of the errors the accounts app raises (`fabflow.errors` holds the shared ones)."""

from enum import StrEnum


class AccountErrorCode(StrEnum):
    """Why a change to an organization, a user, a product space or a secret key was refused."""

    INVALID_EMAIL = "invalid_email"
    DUPLICATE_EMAIL = "duplicate_email"
    DUPLICATE_SPACE_KEY = "duplicate_space_key"
    INVALID_PASSWORD = "invalid_password"
    INVALID_TAGS = "invalid_tags"
