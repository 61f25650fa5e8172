"""The order's history in words: a complete, readable line for every event type, as the writers
store it and as it may be found broken in the database; tasks named by their titles, files by
their names and kinds; and the order page's History card, which shows whole lines."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fabflow.fields import InvalidValue
from fabflow.files.services import add_asset
from fabflow.orders import history
from fabflow.orders.history import EventNames, describe_event, event_names
from fabflow.orders.models import OrderEvent, OrderEventType
from fabflow.orders.services import create_order
from tests.conftest import ring_products

TASK_ID = "01a23e1e-05cc-78b7-b191-ffa4c2fb9fa2"
TASK = {"taskId": TASK_ID, "taskKey": "print", "stageKey": "make", "handlerKey": "h", "attempt": 1}
NAMES = EventNames(
    task_titles={TASK_ID: "Print the rings"},
    file_kinds={"ring.stl": "Production file", "ring.png": "Preview"},
)

# Each event type as its writer stores it, and the line it reads as.
WRITTEN = {
    OrderEventType.CREATED: (
        {"products": 2, "parts": 4, "value": "25.00"},
        "Order created with 2 products and 4 parts, worth € 25.00",
    ),
    OrderEventType.UPDATED: (
        {"changes": {"tags": [[], ["rush"]], "data": [{}, {"a": 1}]}},
        "Changed data, tags",
    ),
    OrderEventType.STATUS_CHANGED: (
        {"from": "created", "to": "in_progress"},
        "Status changed from Created to In progress",
    ),
    OrderEventType.ASSET_ADDED: (
        {"source": "task:make", "generator": "ring", "files": ["ring.stl", "ring.png"]},
        "2 files added by the ring generator: ring.stl (Production file), ring.png (Preview)",
    ),
    OrderEventType.ASSET_REPLACED: (
        {"source": "task:make", "generator": "ring", "files": ["ring.stl"], "replaced": 1},
        "File ring.stl (Production file) replaced by the ring generator",
    ),
    OrderEventType.FLOW_STARTED: (
        {"flowKey": "print-rings", "version": 3, "runId": "r"},
        "Flow print-rings v3 started",
    ),
    OrderEventType.STAGE_STARTED: (
        {"stageKey": "make", "stageName": "Make it"},
        "Stage Make it started",
    ),
    OrderEventType.FLOW_FINISHED: ({"runId": "r", "status": "succeeded"}, "Flow finished"),
    OrderEventType.TASK_STARTED: (TASK, "Task started: “Print the rings”"),
    OrderEventType.TASK_WAITING: (TASK, "Task waiting: “Print the rings”"),
    OrderEventType.TASK_SUCCEEDED: (
        {**TASK, "feedback": "Printed fine"},
        "Task succeeded: “Print the rings” — Printed fine",
    ),
    OrderEventType.TASK_FAILED: (
        {**TASK, "attempt": 3, "error": "Printer offline"},
        "Task failed: “Print the rings” (attempt 3) — Printer offline",
    ),
    OrderEventType.TASK_OVERDUE: (
        {**TASK, "deadlineAt": "2026-01-01T00:00:00+00:00"},
        "Task overdue: “Print the rings”",
    ),
    OrderEventType.TASK_CONFIRMED: (
        {**TASK, "comment": "Done"},
        "Task confirmed: “Print the rings” — Done",
    ),
    OrderEventType.TASK_REJECTED: (
        {**TASK, "error": "Cracked band"},
        "Task rejected: “Print the rings” — Cracked band",
    ),
    OrderEventType.TASK_RETRIED: (
        {**TASK, "attempt": 2},
        "Task retried: “Print the rings” (attempt 2)",
    ),
    OrderEventType.TASK_SKIPPED: (TASK, "Task skipped: “Print the rings”"),
}

# Each event type with nothing stored: a whole line still, saying what happened.
EMPTY = {
    OrderEventType.CREATED: "Order created",
    OrderEventType.UPDATED: "Order updated",
    OrderEventType.STATUS_CHANGED: "Status changed",
    OrderEventType.ASSET_ADDED: "Files added",
    OrderEventType.ASSET_REPLACED: "Files replaced",
    OrderEventType.FLOW_STARTED: "Flow started",
    OrderEventType.STAGE_STARTED: "Stage started",
    OrderEventType.FLOW_FINISHED: "Flow finished",
    OrderEventType.TASK_STARTED: "Task started",
    OrderEventType.TASK_WAITING: "Task waiting",
    OrderEventType.TASK_SUCCEEDED: "Task succeeded",
    OrderEventType.TASK_FAILED: "Task failed",
    OrderEventType.TASK_OVERDUE: "Task overdue",
    OrderEventType.TASK_CONFIRMED: "Task confirmed",
    OrderEventType.TASK_REJECTED: "Task rejected",
    OrderEventType.TASK_RETRIED: "Task retried",
    OrderEventType.TASK_SKIPPED: "Task skipped",
}


def event(kind, details) -> OrderEvent:
    return OrderEvent(type=kind, details=details, actor_label="Fabflow")


def test_every_event_type_is_told():
    assert set(WRITTEN) == set(OrderEventType) == set(EMPTY)


@pytest.mark.parametrize("kind", list(OrderEventType))
def test_each_event_reads_as_a_line_naming_the_task_by_its_title(kind):
    details, line = WRITTEN[kind]
    assert describe_event(event(kind, details), NAMES) == line


@pytest.mark.parametrize("kind", list(OrderEventType))
def test_each_event_with_nothing_stored_still_reads_as_a_whole_line(kind):
    assert describe_event(event(kind, {}), NAMES) == EMPTY[kind]


def test_a_task_unknown_to_the_names_is_named_by_its_key_or_not_at_all():
    assert describe_event(event(OrderEventType.TASK_CONFIRMED, TASK)) == "Task confirmed: “print”"
    # The last-resort failure stores the task's id only.
    stored = {"taskId": "01a23e1e-0000-7000-8000-000000000000", "attempt": 1, "error": "Lost"}
    assert describe_event(event(OrderEventType.TASK_FAILED, stored), NAMES) == (
        "Task failed — Lost"
    )


def test_an_uploaded_file_is_named_with_its_kind_as_stored():
    stored = {"asset": "a", "filename": "shade.png", "kind": "preview", "product": "p"}
    assert describe_event(event(OrderEventType.ASSET_ADDED, stored)) == (
        "File shade.png (Preview) added"
    )
    # A kind no label names is left out; the name still shows.
    stored = {"filename": "notes.txt", "kind": "scribbles"}
    assert describe_event(event(OrderEventType.ASSET_ADDED, stored)) == "File notes.txt added"


def test_generated_files_are_named_up_to_a_bound_and_counted_beyond():
    files = [f"part-{number}.stl" for number in range(25)]
    line = describe_event(event(OrderEventType.ASSET_ADDED, {"generator": "box", "files": files}))
    named = ", ".join(f"part-{number}.stl" for number in range(history.MAX_FILES_NAMED))
    assert line == f"25 files added by the box generator: {named} and 15 more"


def test_a_generator_that_made_nothing_says_what_it_removed():
    stored = {"generator": "ring", "files": [], "replaced": 2}
    assert describe_event(event(OrderEventType.ASSET_REPLACED, stored)) == (
        "2 earlier files removed by the ring generator, none made"
    )


@pytest.mark.parametrize(
    ("kind", "details", "line"),
    [
        (
            OrderEventType.CREATED,
            {"products": [1], "value": None},
            "Order created with [1] product(s)",
        ),
        (OrderEventType.UPDATED, {"changes": "everything"}, "Order updated"),
        (OrderEventType.STATUS_CHANGED, {"to": "success"}, "Status changed to Success"),
        (
            OrderEventType.STATUS_CHANGED,
            {"from": "weird", "to": 7},
            "Status changed from weird to 7",
        ),
        (OrderEventType.ASSET_ADDED, {"files": "ring.stl"}, "Files added"),
        (
            OrderEventType.ASSET_ADDED,
            {"files": [None, "", "ring.stl"]},
            "File ring.stl (Production file) added",
        ),
        (OrderEventType.ASSET_ADDED, {"filename": ["x"], "kind": 3}, "File ['x'] added"),
        (OrderEventType.FLOW_STARTED, {"flowKey": "demo", "version": None}, "Flow demo started"),
        (OrderEventType.STAGE_STARTED, {"stageKey": "make", "stageName": ""}, "Stage make started"),
        (
            OrderEventType.TASK_CONFIRMED,
            {"taskId": 5, "taskKey": None, "attempt": "2", "comment": {"x": 1}},
            "Task confirmed — {'x': 1}",
        ),
        (
            OrderEventType.TASK_REJECTED,
            {"taskKey": "a\x00b", "error": "x\x00y"},
            "Task rejected: “a\ufffdb” — x\ufffdy",
        ),
    ],
)
def test_details_of_the_wrong_shape_read_as_far_as_they_can(kind, details, line):
    assert describe_event(event(kind, details), NAMES) == line


def test_a_long_stored_text_is_cut():
    line = describe_event(event(OrderEventType.TASK_CONFIRMED, {**TASK, "comment": "x" * 5000}))
    assert line == "Task confirmed: “print” — " + "x" * 200 + "…"


def test_details_the_database_cannot_read_are_shown_as_such():
    line = describe_event(event(OrderEventType.CREATED, InvalidValue('{"products": ')))
    assert line == 'Order created — details: invalid value ({"products": )'


def test_an_unknown_event_type_is_shown_as_such():
    assert describe_event(event("exploded", {"taskKey": "x"})) == "invalid value (exploded)"


# -- names from the database, and the order page ------------------------------------------------


@pytest.fixture
def order(admin_actor, space):
    return create_order(
        actor=admin_actor, space=space, name="WEB-3001", products=ring_products(1, 1)
    ).order


def test_the_names_hold_the_kinds_of_the_orders_files(admin_actor, order):
    product = order.products.get()
    part = product.parts.get()
    add_asset(
        actor=admin_actor,
        owner_type="product",
        owner_id=product.pk,
        upload=SimpleUploadedFile("engraving.txt", b"For Ada", "text/plain"),
        kind="other",
    )
    add_asset(
        actor=admin_actor,
        owner_type="part",
        owner_id=part.pk,
        upload=SimpleUploadedFile("band.stl", b"solid band\nendsolid band\n", "model/stl"),
        kind="production",
    )
    names = event_names(order, task_titles={TASK_ID: "Print"})
    assert names == EventNames(
        task_titles={TASK_ID: "Print"},
        file_kinds={"engraving.txt": "Other", "band.stl": "Production file"},
    )


TIMELINE_LINE = re.compile(r'<li class="[a-z]+">\s*<span>(.*?)</span>', re.S)


def test_the_history_card_shows_the_latest_lines_whole_and_all_when_asked(client, member, order):
    for number in range(12):
        OrderEvent.objects.create(
            order=order, type=OrderEventType.UPDATED, details={"changes": {f"field{number}": []}}
        )
    client.force_login(member)

    page = client.get(f"/orders/{order.pk}/")
    latest = page.context["history"]
    assert (len(latest["items"]), latest["is_all"], latest["has_more"]) == (10, False, True)
    assert latest["items"][0]["text"] == "Changed field11"
    assert f'href="/orders/{order.pk}/?history=all#history-card"' in page.content.decode()

    page = client.get(f"/orders/{order.pk}/", {"history": "all"})
    every = page.context["history"]
    assert (len(every["items"]), every["is_all"], every["has_more"]) == (13, True, False)
    assert every["items"][-1]["text"] == "Order created with 1 product and 1 part, worth € 10.50"


def test_stored_event_details_of_any_shape_never_take_the_page_down(client, member, order):
    for kind in OrderEventType:
        for details in ({}, {"files": 7, "taskId": [], "attempt": None, "from": {}}, ["a", 1]):
            OrderEvent.objects.create(order=order, type=kind, details=details)
    OrderEvent.objects.create(order=order, type="exploded", details={})
    client.force_login(member)

    page = client.get(f"/orders/{order.pk}/", {"history": "all"})

    assert page.status_code == 200
    lines = TIMELINE_LINE.findall(page.content.decode())
    assert len(lines) == 3 * len(OrderEventType) + 2
    assert all(line.strip() and "None" not in line for line in lines)
