"""The columns that say who did something: the user or the secret key, declared once.

A row that names its actor keeps the actor's name at the time in a label of its own, so it reads
right after the user or the key is gone; the links themselves become empty then. Users and keys
are deactivated or revoked, never deleted in normal use, so the links need no index.
"""

from django.db import models

from fabflow.accounts.models import SecretKey, User


def user_column() -> models.ForeignKey:
    """The user who acted, if a user did."""
    return models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )


def key_column() -> models.ForeignKey:
    """The secret key that acted, if a key did."""
    return models.ForeignKey(
        SecretKey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
