"""REST API v1: an order's history (`GET /orders/{id}/events`), as its page tells it."""

import html
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from fabflow.accounts import services as account_services
from fabflow.accounts.actors import Actor
from fabflow.files.services import add_asset
from fabflow.flows import services as flow_services
from fabflow.flows.models import TaskRun
from fabflow.orders.models import Order, OrderEvent, OrderEventType
from fabflow.orders.services import record_event
from tests.api.conftest import order_body
from tests.flows.driver import store_raw

TIMELINE_ITEM = re.compile(
    r'<li class="[a-z]+">\s*<span>(.*?)</span>\s*<span class="meta"><span class="actor">(.*?)</span>',
    re.S,
)


@pytest.fixture
def order_with_history(key_client, member, member_client):
    """An order created and changed by a key, changed by a member, and noted by Fabflow."""
    created = key_client.post("/orders", order_body("Order 77"))
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]
    assert key_client.patch(f"/orders/{order_id}", {"tags": ["rush"]}).status_code == 200
    csrf = _csrf_token(member_client)
    changed = member_client.patch(
        f"/orders/{order_id}", {"data": {"note": "engrave"}}, headers={"X-CSRFToken": csrf}
    )
    assert changed.status_code == 200, changed.content
    order = Order.objects.get(pk=order_id)
    record_event(
        actor=Actor.system(organization_id=order.organization_id),
        order=order,
        type=OrderEventType.STATUS_CHANGED,
        details={"from": "created", "to": "in_progress"},
    )
    return order


def _csrf_token(member_client) -> str:
    member_client.client.get("/")
    return member_client.client.cookies["csrftoken"].value


def test_the_history_reads_as_the_order_page_tells_it(order_with_history, key_client, member):
    response = key_client.get(f"/orders/{order_with_history.pk}/events")

    assert response.status_code == 200
    body = response.json()
    assert body["nextCursor"] is None
    assert [(item["type"], item["actor"], item["text"]) for item in body["items"]] == [
        (
            "status_changed",
            {"kind": "system", "label": "Fabflow"},
            "Status changed from Created to In progress",
        ),
        ("updated", {"kind": "user", "label": "Max Maker"}, "Changed data"),
        ("updated", {"kind": "key", "label": "Secret key Webshop"}, "Changed tags"),
        (
            "created",
            {"kind": "key", "label": "Secret key Webshop"},
            "Order created with 3 products and 6 parts, worth € 63.00",
        ),
    ]
    assert body["items"][1]["details"] == {
        "changes": {"data": [{"shopOrder": 1001}, {"note": "engrave"}]}
    }
    page = Client()
    page.force_login(member)
    shown = TIMELINE_ITEM.findall(page.get(f"/orders/{order_with_history.pk}/").content.decode())
    assert [(html.unescape(text), html.unescape(label)) for text, label in shown] == [
        (item["text"], item["actor"]["label"]) for item in body["items"]
    ]


def test_each_line_carries_its_id_and_time_as_the_api_writes_times(order_with_history, key_client):
    items = key_client.get(f"/orders/{order_with_history.pk}/events").json()["items"]
    created = OrderEvent.objects.get(order=order_with_history, type="created")

    assert items[-1]["id"] == str(created.pk)
    order = key_client.get(f"/orders/{order_with_history.pk}").json()
    assert items[-1]["createdAt"] == order["createdAt"]
    assert items[-1]["createdAt"].endswith("Z")


def test_cursor_pages_cover_the_history_once(order_with_history, key_client):
    seen = []
    cursor = None
    pages = 0
    while True:
        query = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        response = key_client.get(f"/orders/{order_with_history.pk}/events", data=query)
        assert response.status_code == 200
        seen += [item["id"] for item in response.json()["items"]]
        pages += 1
        cursor = response.json()["nextCursor"]
        if cursor is None:
            break

    everything = key_client.get(f"/orders/{order_with_history.pk}/events").json()["items"]
    assert seen == [item["id"] for item in everything]
    assert pages == 4


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 501}, ["query", "limit"]),
        ({"cursor": "not-a-cursor"}, ["query", "cursor"]),
    ],
)
def test_bad_page_parameters_are_a_422(order_with_history, key_client, query, loc):
    response = key_client.get(f"/orders/{order_with_history.pk}/events", data=query)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_another_organization_or_space_gets_404(
    order_with_history, stranger_client, other_space_client
):
    for client in (stranger_client, other_space_client):
        response = client.get(f"/orders/{order_with_history.pk}/events")
        assert response.status_code == 404
        assert b"Webshop" not in response.content
    assert stranger_client.get(f"/orders/{uuid.uuid4()}/events").status_code == 404


def test_an_operator_is_named_without_an_address(order_with_history, key_client):
    operator = account_services.create_operator(email="ops@fabflow.test", password="long enough pw")
    event = OrderEvent.objects.filter(order=order_with_history, type="updated").first()
    OrderEvent.objects.filter(pk=event.pk).update(
        actor_user=operator, actor_key=None, actor_label="ops@fabflow.test"
    )

    response = key_client.get(f"/orders/{order_with_history.pk}/events")

    assert b"ops@fabflow.test" not in response.content
    actors = {item["id"]: item["actor"] for item in response.json()["items"]}
    assert actors[str(event.pk)] == {"kind": "user", "label": "Fabflow operator"}


def test_unreadable_stored_details_and_time_answer_empty_and_null(order_with_history, key_client):
    event = OrderEvent.objects.get(order=order_with_history, type="created")
    store_raw(OrderEvent._meta.db_table, "details", str(event.pk), '["not", "an object"]')
    # A time no calendar holds: SQLite keeps any text, PostgreSQL has its infinity.
    garbage_time = "then" if connection.vendor == "sqlite" else "infinity"
    store_raw(OrderEvent._meta.db_table, "created_at", str(event.pk), garbage_time)

    response = key_client.get(f"/orders/{order_with_history.pk}/events")

    assert response.status_code == 200
    unreadable = next(item for item in response.json()["items"] if item["id"] == str(event.pk))
    assert unreadable["details"] == {}
    assert unreadable["createdAt"] is None
    assert unreadable["text"] == ('Order created — details: invalid value (["not", "an object"])')


def test_tasks_and_files_are_named_as_the_order_page_names_them(
    key_client, member, admin_actor, space
):
    definition = [
        {
            "key": "make",
            "tasks": [
                {
                    "key": "print",
                    "handlerKey": "manual-confirmation",
                    "payload": {"title": "Print the rings"},
                }
            ],
        }
    ]
    flow_services.create_flow(actor=admin_actor, space=space, name="Print", definition=definition)
    order_id = key_client.post("/orders", order_body("Order 78")).json()["id"]
    flow_services.start_flow(actor=admin_actor, order_id=order_id, flow_key="print")
    task = TaskRun.objects.get(order_id=order_id)
    flow_services.confirm_task(actor=admin_actor, task_id=task.pk, comment="Done")
    upload = SimpleUploadedFile("notes.txt", b"engrave inside", "text/plain")
    add_asset(actor=admin_actor, owner_type="order", owner_id=order_id, upload=upload, kind="other")

    items = key_client.get(f"/orders/{order_id}/events").json()["items"]

    texts = [item["text"] for item in items]
    assert texts[0] == "File notes.txt (Other) added"
    assert "Task confirmed: “Print the rings” — Done" in texts
    assert "Task waiting: “Print the rings”" in texts
    page = Client()
    page.force_login(member)
    shown = TIMELINE_ITEM.findall(page.get(f"/orders/{order_id}/?history=all").content.decode())
    assert [html.unescape(text) for text, _label in shown] == texts
