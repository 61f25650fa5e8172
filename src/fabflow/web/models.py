"""What the web UI itself stores: failed sign-in attempts, for rate limiting."""

from django.db import models
from django.utils import timezone


class SignInFailure(models.Model):
    """One failed sign-in, counted per account from one address, per account, and per address.

    Kept in the database rather than a per-process cache, so that every web process of a
    deployment counts the same attempts.
    """

    class Scope(models.TextChoices):
        PAIR = "pair", "Account from one address"  # a digest of the e-mail and the address
        ACCOUNT = "account", "Account"  # the e-mail address typed in, whether it exists or not
        ADDRESS = "address", "Address"  # the client's IP address

    scope = models.CharField(max_length=10, choices=Scope.choices)
    key = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["scope", "key", "created_at"], name="signin_failure_lookup"),
            models.Index(fields=["created_at"], name="signin_failure_created"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} at {self.created_at:%Y-%m-%d %H:%M}"
