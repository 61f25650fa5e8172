"""The order, product and part details pages and the task actions, through Django's test client."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from fabflow.files.services import add_asset
from fabflow.flows import services as flow_services
from fabflow.flows.models import TaskRun
from fabflow.orders.models import Order, OrderEvent
from fabflow.orders.services import create_order
from tests.conftest import ring_products

FLOW = [
    {
        "key": "make",
        "name": "Make",
        "tags": ["printing"],
        "tasks": [
            {
                "key": "print",
                "handlerKey": "manual-confirmation",
                "timeoutDuration": 3600000,
                "payload": {
                    "title": "Print the rings",
                    "description": "On printer 2",
                    "tags": ["printing"],
                },
            }
        ],
    }
]


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def order(admin_actor, space):
    return create_order(
        actor=admin_actor, space=space, name="WEB-2001", products=ring_products(2, 2)
    ).order


@pytest.fixture
def running(admin_actor, space, order):
    flow_services.create_flow(actor=admin_actor, space=space, name="Print rings", definition=FLOW)
    flow_services.start_flow(actor=admin_actor, order_id=order.pk, flow_key="print-rings")
    return TaskRun.objects.get(order=order)


def test_an_order_without_flow_offers_to_start_one(signed_in, admin_actor, space, order):
    flow_services.create_flow(actor=admin_actor, space=space, name="Print rings", definition=FLOW)
    response = signed_in.get(f"/orders/{order.pk}/")
    assert response.status_code == 200
    assert response.context["run"] is None
    assert [flow.key for flow in response.context["flows"]] == ["print-rings"]
    assert [p.name for p in response.context["products"]] == ["Ring 1", "Ring 2"]
    response = signed_in.post(f"/orders/{order.pk}/flow/", {"flow_key": "print-rings"})
    assert response.status_code == 303
    order.refresh_from_db()
    assert order.status == "in_progress"
    page = signed_in.get(f"/orders/{order.pk}/")
    assert page.context["flows"] == []
    assert [
        (s["name"], [(n.key, n.state) for n in s["nodes"]]) for s in page.context["stages"]
    ] == [("Make", [("print", "waiting")])]
    assert "Print rings · version 1 · Running" in page.content.decode()


def test_the_manual_task_is_listed_with_its_buttons_and_highlighted(signed_in, running, order):
    response = signed_in.get(f"/orders/{order.pk}/")
    [task] = response.context["action_tasks"]
    assert (task.title, task.description, task.can_answer, task.can_recover, task.is_mine) == (
        "Print the rings",
        "On printer 2",
        True,
        False,
        True,
    )
    page = response.content.decode()
    assert f"/orders/{order.pk}/tasks/{task.pk}/confirm/" in page
    assert f'data-reject-url="/orders/{order.pk}/tasks/{task.pk}/reject/"' in page
    assert "Overdue" not in page


def test_confirming_brings_the_order_to_success(signed_in, running, order):
    response = signed_in.post(f"/orders/{order.pk}/tasks/{running.pk}/confirm/")
    assert response.status_code == 303
    order.refresh_from_db()
    assert order.status == "success"
    page = signed_in.get(f"/orders/{order.pk}/")
    assert page.context["action_tasks"] == []
    texts = [item["text"] for item in page.context["history"]["items"]]
    assert texts[:3] == [
        "Status changed from In progress to Success",
        "Flow finished",
        "Task confirmed: “Print the rings”",
    ]
    assert page.context["history"]["items"][2]["event"].actor_label == "Max Maker"


def test_rejecting_needs_a_reason_shown_in_place(signed_in, running, order):
    before = OrderEvent.objects.filter(order=order).count()
    response = signed_in.post(f"/orders/{order.pk}/tasks/{running.pk}/reject/", {"reason": "  "})
    assert response.status_code == 422
    assert response.context["reject"] == {
        "task_id": str(running.pk),
        "reason": "  ",
        "error": "Give a reason for rejecting the task",
    }
    running.refresh_from_db()
    assert running.status == "waiting"
    assert OrderEvent.objects.filter(order=order).count() == before


def test_reject_then_retry_then_skip(signed_in, running, order):
    signed_in.post(f"/orders/{order.pk}/tasks/{running.pk}/reject/", {"reason": "Cracked band"})
    order.refresh_from_db()
    running.refresh_from_db()
    assert (order.status, running.status, running.error) == ("failure", "failed", "Cracked band")
    page = signed_in.get(f"/orders/{order.pk}/")
    [task] = page.context["action_tasks"]
    assert (task.can_answer, task.can_recover) == (False, True)
    assert "Cracked band" in page.content.decode()
    signed_in.post(f"/orders/{order.pk}/tasks/{running.pk}/retry/")
    order.refresh_from_db()
    running.refresh_from_db()
    assert (order.status, running.status, running.attempt) == ("in_progress", "waiting", 2)
    signed_in.post(f"/orders/{order.pk}/tasks/{running.pk}/reject/", {"reason": "Again"})
    signed_in.post(f"/orders/{order.pk}/tasks/{running.pk}/skip/")
    order.refresh_from_db()
    running.refresh_from_db()
    assert (order.status, running.status) == ("success", "skipped")


def test_a_refused_action_says_why_and_changes_nothing(signed_in, running, order):
    response = signed_in.post(f"/orders/{order.pk}/tasks/{running.pk}/retry/", follow=True)
    assert (
        "Only a failed or overdue task can be retried; this one is waiting"
        in response.content.decode()
    )
    running.refresh_from_db()
    assert (running.status, running.attempt) == ("waiting", 1)


def test_another_organizations_order_and_task_are_not_found(client, stranger, running, order):
    client.force_login(stranger)
    assert client.get(f"/orders/{order.pk}/").status_code == 404
    assert client.post(f"/orders/{order.pk}/tasks/{running.pk}/confirm/").status_code == 404
    running.refresh_from_db()
    assert running.status == "waiting"


def test_a_task_of_another_order_is_not_found_through_this_one(
    signed_in, admin_actor, space, running
):
    other = create_order(
        actor=admin_actor, space=space, name="WEB-2002", products=ring_products(1, 1)
    ).order
    assert signed_in.post(f"/orders/{other.pk}/tasks/{running.pk}/confirm/").status_code == 404
    running.refresh_from_db()
    assert running.status == "waiting"


def test_files_thumbnail_and_pages_of_product_and_part(signed_in, admin_actor, order):
    product = order.products.order_by("position").first()
    part = product.parts.order_by("position").first()
    preview = add_asset(
        actor=admin_actor,
        owner_type="product",
        owner_id=product.pk,
        upload=SimpleUploadedFile("ring.png", png(), content_type="image/png"),
        kind="preview",
    )
    stl = add_asset(
        actor=admin_actor,
        owner_type="part",
        owner_id=part.pk,
        upload=SimpleUploadedFile("band.stl", b"solid band\nendsolid band\n"),
        kind="production",
    )
    page = signed_in.get(f"/orders/{order.pk}/")
    assert page.context["thumbnail"] == f"/api/v1/assets/{preview.pk}/content"
    assert [(row.asset.filename, row.owner) for row in page.context["files"]] == [
        ("ring.png", "Product Ring 1"),
        ("band.stl", "Part Band 1.1"),
    ]
    product_page = signed_in.get(f"/products/{product.pk}/")
    assert product_page.status_code == 200
    assert product_page.context["configuration"] == [("size", "52")]
    assert [p.name for p in product_page.context["parts"]] == ["Band 1.1", "Band 1.2"]
    assert product_page.context["thumbnail"] == f"/api/v1/assets/{preview.pk}/content"
    text = product_page.content.decode()
    assert f'href="/orders/{order.pk}/">WEB-2001</a>' in text
    assert f'href="/parts/{part.pk}/">Band 1.1</a>' in text
    part_page = signed_in.get(f"/parts/{part.pk}/")
    assert [row.asset.filename for row in part_page.context["files"]] == ["band.stl"]
    assert f'href="/api/v1/assets/{stl.pk}/content"' in part_page.content.decode()
    download = signed_in.get(f"/api/v1/assets/{stl.pk}/content")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"solid band\nendsolid band\n"


def test_the_live_region_answers_alone_to_htmx(signed_in, running, order):
    response = signed_in.get(
        f"/orders/{order.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="order-live"
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="order-live"')
    assert "<html" not in page
    # A waiting manual task changes only by a person's hand: the page does not poll.
    assert response.context["is_live"] is False


def test_the_page_refreshes_while_a_task_is_pending_and_reads_that_first(signed_in, running, order):
    """Whether the engine works is read before the order, its run and its tasks: what is read
    after it is at least as new, so a page that stops refreshing (its engine's work done) shows
    all of that work, never an order read a moment before the work's last change."""
    TaskRun.objects.filter(pk=running.pk).update(status="pending")
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(f"/orders/{order.pk}/")
    assert response.context["is_live"] is True
    assert 'hx-trigger="every 2s"' in response.content.decode()
    tables = [_first_table(query["sql"]) for query in queries.captured_queries]
    assert tables.index("flows_taskrun") < tables.index("orders_order")


def _first_table(sql: str) -> str | None:
    """The table a SELECT reads first (after FROM), unquoted."""
    found = re.search(r'\bFROM\s+"?(\w+)"?', sql)
    return found.group(1) if found else None


def test_pages_of_unknown_ids_are_not_found(signed_in, db):
    import uuid

    for url in ["/orders/{}/", "/products/{}/", "/parts/{}/"]:
        assert signed_in.get(url.format(uuid.uuid4())).status_code == 404
    assert Order.objects.count() == 0
