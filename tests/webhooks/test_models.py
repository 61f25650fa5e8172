"""The database holds a delivery to the statuses it may have."""

import pytest
from django.db import IntegrityError, transaction

from fabflow.orders.services import create_order
from fabflow.webhooks.models import Delivery
from tests.conftest import ring_products


def test_a_delivery_status_outside_the_known_ones_is_refused(subscription, admin_actor, space):
    create_order(actor=admin_actor, space=space, name="R-1", products=ring_products(1, 1))
    sent = Delivery.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.filter(pk=sent.pk).update(status="lost")
    assert Delivery.objects.get().status == "pending"
