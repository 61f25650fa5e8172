"""The first start of an embedded installation: an organization, a space, an admin and a key."""

import secrets
from dataclasses import dataclass

from django.db import transaction

from fabflow import config
from fabflow.accounts import services
from fabflow.accounts.actors import Actor
from fabflow.accounts.models import Organization, User

# The first space's generator: a box with a lid is a product any demo shop can sell, so a flow
# with `generate-production-files` works on a new installation before anything is configured.
FIRST_SPACE_GENERATOR = "box"


@dataclass(frozen=True)
class Bootstrap:
    """What a new installation was given; the password and secret are shown this once."""

    email: str
    password: str
    space_key: str
    secret: str


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def bootstrap_if_empty() -> Bootstrap | None:
    """Create the first organization, product space, admin and secret key on a new database.

    Does nothing (and returns None) when any organization exists already.
    """
    with transaction.atomic():
        if Organization.objects.exists():
            return None
        organization = services.create_organization(
            name=config.env_str("FABFLOW_ORGANIZATION", "My company")
        )
        space = services.create_space(
            organization=organization, name="Demo", key="demo", generator=FIRST_SPACE_GENERATOR
        )
        email = config.env_str("FABFLOW_ADMIN_EMAIL", "admin@example.com")
        password = config.env_str("FABFLOW_ADMIN_PASSWORD") or generate_password()
        admin = User.objects.create_user(
            email=email,
            password=password,
            name="Administrator",
            organization=organization,
            is_admin=True,
        )
        created = services.create_secret_key(
            actor=Actor.for_user(admin), space=space, name="Demo webshop"
        )
    return Bootstrap(email=email, password=password, space_key=space.key, secret=created.secret)
