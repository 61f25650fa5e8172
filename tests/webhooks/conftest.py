"""The real outside parts webhook tests meet: the connector tests' HTTP receiver and SMTP server,
and an installation with worker processes of its own."""

import pytest

from fabflow.webhooks.services import create_subscription
from tests.flows.conftest import installation, receiver, smtp_server  # noqa: F401


@pytest.fixture
def subscription(settings, admin_actor, receiver):  # noqa: F811
    """A subscription of the first organization to every order.created and order.updated, at
    the receiver, which checks signatures with its secret."""
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    created = create_subscription(
        actor=admin_actor,
        url=receiver.url("/fabflow"),
        event_types=["order.created", "order.updated", "order.status_changed"],
    )
    receiver.secret_holder["secret"] = created.secret
    return created.subscription
