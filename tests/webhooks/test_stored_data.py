"""Stored data the columns cannot read takes no page, answer or change of an order down; a
receiver's kept answer, whatever its column holds, shows as text."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils.html import escape

from fabflow.limits import WEBHOOK_MAX_RESPONSE_BYTES
from fabflow.orders.services import create_order, update_order
from fabflow.webhooks import delivery
from fabflow.webhooks.models import Delivery, DeliveryStatus
from tests.conftest import ring_products


def store_raw(table: str, column: str, row_id, text: str) -> None:
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    key = str(row_id) if connection.vendor == "postgresql" else row_id.hex
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s{cast} WHERE id = %s", [text, key])
        assert cursor.rowcount == 1


def test_unreadable_event_types_and_body_show_and_send_nothing_wrong(
    subscription, receiver, admin, admin_actor, space
):
    order = create_order(actor=admin_actor, space=space, name="R-1", products=ring_products()).order
    sent = Delivery.objects.get()
    store_raw("webhooks_subscription", "event_types", subscription.pk, '{"not": "a list"}')
    store_raw("webhooks_delivery", "body", sent.pk, '["not", "an object"]')
    # A change of the order is recorded; the subscription hears of nothing it cannot read.
    update_order(actor=admin_actor, order_id=order.pk, tags=["rush"])
    assert Delivery.objects.count() == 1
    client = Client()
    client.force_login(admin)
    assert client.get("/webhooks/").status_code == 200
    assert client.get(f"/webhooks/{subscription.pk}/").status_code == 200
    listed = client.get("/api/v1/webhooks").json()
    assert listed["items"][0]["eventTypes"] == []
    # The delivery goes out with an empty body rather than stay stuck.
    assert delivery.deliver_due() == 1
    assert receiver.calls[0]["body"] == {}
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


# A receiver's kept answer as raw SQL writes it on the engines that can store it (SQLite keeps
# any bytes in a text column), and the text the page and the API show for it.
LONGEST = "<i>" + "😀" * (WEBHOOK_MAX_RESPONSE_BYTES - 3)
STORED_ANSWERS = [
    ("sqlite", "not-utf8", "CAST(X'6f6bff00fe' AS TEXT)", [], "ok\ufffd\ufffd\ufffd"),
    ("sqlite", "nul", "CAST(X'610062' AS TEXT)", [], "a\ufffdb"),
    ("sqlite", "encoded-surrogate", "CAST(X'eda080' AS TEXT)", [], "\ufffd\ufffd\ufffd"),
    ("sqlite", "blob", "X'3c623e'", [], "<b>"),
    ("sqlite", "number", "42", [], "42"),
    (
        "sqlite",
        "beyond-the-column",
        "%s",
        ["x" * 3 * WEBHOOK_MAX_RESPONSE_BYTES],
        "x" * WEBHOOK_MAX_RESPONSE_BYTES,
    ),
    ("sqlite", "longest", "%s", [LONGEST], LONGEST),
    ("postgresql", "longest", "%s", [LONGEST], LONGEST),
]


def answers_for_this_engine():
    engine = "sqlite" if "sqlite" in settings.DATABASES["default"]["ENGINE"] else "postgresql"
    return [
        pytest.param(value, params, shown, id=name)
        for stored_on, name, value, params, shown in STORED_ANSWERS
        if stored_on == engine
    ]


@pytest.mark.parametrize(("value", "params", "shown"), answers_for_this_engine())
def test_a_malformed_answer_shows_as_text(
    subscription, admin, admin_actor, space, value, params, shown
):
    create_order(actor=admin_actor, space=space, name="R-1", products=ring_products())
    sent = Delivery.objects.get()
    key = str(sent.pk) if connection.vendor == "postgresql" else sent.pk.hex
    # SQLite keeps text in a boolean column too: it shows as cut on the page, not in the API.
    cut = "yes" if connection.vendor == "sqlite" else True
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE webhooks_delivery SET response_code = 500, response_cut = %s, "
            f"response_body = {value} WHERE id = %s",
            [cut, *params, key],
        )
        assert cursor.rowcount == 1
    client = Client()
    client.force_login(admin)
    page = client.get(f"/webhooks/{subscription.pk}/")
    assert page.status_code == 200
    assert f'tabindex="0">{escape(shown)}</pre>' in page.content.decode()
    assert "(cut at 4 KiB)" in page.content.decode()
    answer = client.get(f"/api/v1/webhooks/{subscription.pk}/deliveries")
    assert answer.status_code == 200
    (item,) = answer.json()["items"]
    assert (item["responseBody"], item["responseCut"]) == (shown, cut is True)
