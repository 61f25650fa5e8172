"""What the web UI itself stores: failed sign-in attempts (for rate limiting) and saved views."""

from django.db import models
from django.utils import timezone

from fabflow import fields
from fabflow.accounts.models import User
from fabflow.accounts.tenancy import organization_column
from fabflow.ids import uuid7
from fabflow.limits import MAX_SAVED_VIEW_NAME_LENGTH


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


class SavedView(models.Model):
    """A named state of a list page, kept for its owner or shared with their organization.

    The state is the page's query string (filters, search, sort, columns and their order, rows
    per page), so opening a view is opening that URL. A view belongs to an organization, not to
    a product space: the tables it lists span every space.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    organization = organization_column()
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    table = models.CharField(max_length=30)  # a list page's key: "orders", "products", "parts"
    name = models.CharField(max_length=MAX_SAVED_VIEW_NAME_LENGTH)
    query = models.TextField()  # at most MAX_SAVED_VIEW_QUERY_LENGTH characters
    is_shared = models.BooleanField(default=False)
    created_at = fields.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "table", "name"], name="saved_view_name_unique_per_owner"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "table", "is_shared"], name="saved_view_listing"),
        ]

    def __str__(self) -> str:
        return self.name
