"""The migration that keeps organization users off Django's admin site."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fabflow.accounts.models import User

BEFORE = [("accounts", "0003_organization_allow_private_addresses")]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_organization_staff_are_demoted_and_keep_their_organization():
    executor = migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    organization = old.get_model("accounts", "Organization").objects.create(name="Org B")
    old_user = old.get_model("accounts", "User")
    for email, is_admin in [("boss@orgb.test", True), ("maker@orgb.test", False)]:
        old_user.objects.create(
            email=email,
            organization=organization,
            is_admin=is_admin,
            is_staff=True,
            is_superuser=True,
            password="!",
        )

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    users = User.objects.order_by("email").values_list(
        "email", "organization__name", "is_admin", "is_staff", "is_superuser"
    )
    assert list(users) == [
        ("boss@orgb.test", "Org B", True, False, False),
        ("maker@orgb.test", "Org B", False, False, False),
    ]
