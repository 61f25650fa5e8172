"""Fixtures shared by every test: two organizations with their spaces, users and keys."""

from decimal import Decimal

import pytest

from fabflow.accounts import services as account_services
from fabflow.accounts.actors import Actor
from fabflow.orders.services import PartInput, ProductInput


@pytest.fixture
def organization(db):
    return account_services.create_organization(name="Ringmakers")


@pytest.fixture
def space(organization):
    return account_services.create_space(organization=organization, name="Rings", key="rings")


@pytest.fixture
def other_space(organization):
    return account_services.create_space(organization=organization, name="Lamps", key="lamps")


@pytest.fixture
def admin(organization):
    return account_services.create_user(
        organization=organization,
        email="admin@ringmakers.test",
        password="correct horse battery",
        name="Ada Admin",
        is_admin=True,
    )


@pytest.fixture
def member(organization):
    return account_services.create_user(
        organization=organization,
        email="maker@ringmakers.test",
        password="correct horse battery",
        name="Max Maker",
        tags=["printing"],
    )


@pytest.fixture
def admin_actor(admin):
    return Actor.for_user(admin)


@pytest.fixture
def secret_key(admin_actor, space):
    return account_services.create_secret_key(actor=admin_actor, space=space, name="Webshop")


@pytest.fixture
def key_actor(secret_key):
    return Actor.for_key(secret_key.key)


@pytest.fixture
def stranger_organization(db):
    return account_services.create_organization(name="Lampworks")


@pytest.fixture
def stranger_space(stranger_organization):
    return account_services.create_space(
        organization=stranger_organization, name="Rings", key="rings"
    )


@pytest.fixture
def stranger(stranger_organization):
    return account_services.create_user(
        organization=stranger_organization,
        email="boss@lampworks.test",
        password="correct horse battery",
        is_admin=True,
    )


def ring_products(count: int = 3, parts: int = 2) -> list[ProductInput]:
    """`count` ring products of `parts` parts each, for building orders in tests."""
    return [
        ProductInput(
            name=f"Ring {index + 1}",
            units=index + 1,
            unit_value=Decimal("10.50"),
            configuration={"size": 52 + index},
            parts=[PartInput(name=f"Band {index + 1}.{part + 1}") for part in range(parts)],
        )
        for index in range(count)
    ]


@pytest.fixture
def export_root(settings, tmp_path):
    """The one folder export targets may write into."""
    root = tmp_path / "exports"
    root.mkdir()
    settings.FABFLOW_EXPORT_FOLDERS = [str(root)]
    return root
