"""Organizations, their users, product spaces and the secret keys webshops call the API with."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from fabflow.ids import uuid7


class Organization(models.Model):
    """A tenant: a company using Fabflow. No row of one organization is visible to another."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Whether this organization's connectors may call loopback and private addresses (its own
    # systems on the shop floor's network). Off by default; FABFLOW_ALLOW_PRIVATE_WEBHOOKS turns
    # it on for every organization of the installation.
    allow_private_addresses = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    """Creates users whose login is their e-mail address."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("A user needs an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        """An operator of the installation (Django's `createsuperuser` comes here too).

        An operator belongs to no organization: Django's admin site is theirs alone, and no
        organization's data is reachable with their account outside it.
        """
        if fields.get("organization") is not None or fields.get("organization_id") is not None:
            raise ValueError("An operator belongs to no organization")
        fields.update(organization=None, is_admin=False, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with e-mail and password: a member of one organization, or an
    operator of the installation.

    A member belongs to an organization and sees only its data; `is_admin` opens the
    organization's admin pages (users, secret keys). An operator has no organization and is
    `is_staff` and `is_superuser`: Django's admin site is the only thing they may use. The check
    constraint keeps the two kinds apart, so an organization's user can never be staff.
    `tags` highlight the orders that concern this user.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    is_admin = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)
    # What the user chose in the UI (visible table columns, page sizes), kept across devices.
    preferences = models.JSONField(default=dict, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organization__isnull=False, is_staff=False, is_superuser=False)
                    | Q(organization__isnull=True, is_staff=True, is_superuser=True, is_admin=False)
                ),
                name="user_is_member_or_operator",
                violation_error_message=(
                    "A user either belongs to an organization and is not staff, "
                    "or is an operator of the installation with no organization."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_operator(self) -> bool:
        """An operator of the installation: Django's admin site, and no organization's data."""
        return self.organization_id is None

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email


class ProductSpace(models.Model):
    """A collection of products of one organization (also called a product rental).

    Orders and flows live in a space; a secret key acts inside exactly one space. The space's
    `signing_secret` signs outbound webhooks so receivers can check they come from Fabflow.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="spaces")
    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    # The key of the production-file generator this space's products are made with.
    generator = models.CharField(max_length=100, blank=True)
    signing_secret = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="space_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class SecretKey(models.Model):
    """A credential a webshop uses for the API, scoped to one product space.

    Only `key_id` (public, used to find the row) and an HMAC digest of the secret are stored;
    the full secret is shown once, when the key is created.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    space = models.ForeignKey(ProductSpace, on_delete=models.PROTECT, related_name="secret_keys")
    name = models.CharField(max_length=200)
    key_id = models.CharField(max_length=32, unique=True)
    digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
