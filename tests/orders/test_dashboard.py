"""The Dashboard: its numbers equal direct counts and the counts of the Orders table each one
links to, for the signed-in user's organization only, and its status counters stay exact under
concurrent creations and status changes (tests/flows/test_status_counts.py)."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fabflow.accounts.actors import Actor
from fabflow.flows import engine
from fabflow.flows import services as flows
from fabflow.flows.models import TaskRun, TaskStatus
from fabflow.orders import overview, status_counts
from fabflow.orders.dashboard import chart, duration_text
from fabflow.orders.models import Order, OrderStatusCount
from fabflow.orders.services import create_order, filter_orders
from tests.conftest import ring_products

PASSWORD = "correct horse battery"
FLOW = [
    {
        "key": "make",
        "name": "Make",
        "tasks": [
            {
                "key": "print",
                "handlerKey": "manual-confirmation",
                "timeoutDuration": 3600000,
                "payload": {"title": "Print the rings", "tags": ["printing"]},
            }
        ],
    }
]
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def waiting_task(order_id):
    return TaskRun.objects.get(order_id=order_id, status=TaskStatus.WAITING).pk


def order_with_flow(actor, space, name, **fields):
    order = create_order(
        actor=actor, space=space, name=name, products=ring_products(1, 1), **fields
    ).order
    flows.start_flow(actor=actor, order_id=order.pk, flow_key="make-rings")
    return order


@pytest.fixture
def production(admin_actor, space):
    """Orders of every status in one space, created and finished on several days."""
    flows.create_flow(actor=admin_actor, space=space, name="Make rings", definition=FLOW)
    names = {}
    for number in range(3):
        names[f"new-{number}"] = create_order(
            actor=admin_actor,
            space=space,
            name=f"NEW-{number}",
            products=ring_products(1, 1),
        ).order
    for number in range(4):
        names[f"busy-{number}"] = order_with_flow(
            admin_actor, space, f"BUSY-{number}", deadline=NOW + timedelta(hours=2 + number * 10)
        )
    for number in range(3):
        order = order_with_flow(
            admin_actor, space, f"DONE-{number}", deadline=NOW + timedelta(hours=1)
        )
        flows.confirm_task(actor=admin_actor, task_id=waiting_task(order.pk), comment="Done")
        names[f"done-{number}"] = order
    for number in range(2):
        order = order_with_flow(admin_actor, space, f"FAILED-{number}")
        flows.reject_task(actor=admin_actor, task_id=waiting_task(order.pk), reason="Scratched")
        names[f"failed-{number}"] = order
    late = order_with_flow(admin_actor, space, "LATE-0")
    TaskRun.objects.filter(order=late).update(deadline_at=NOW - timedelta(hours=1))
    engine.mark_overdue_tasks(timezone.now())
    names["late-0"] = late
    # Spread creations and finishes over the window: day offsets back from NOW.
    for offset, key in enumerate(["new-0", "busy-1", "done-0", "done-1", "failed-1"]):
        when = NOW - timedelta(days=offset * 3, hours=5)
        Order.objects.filter(pk=names[key].pk).update(created_at=when)
    Order.objects.filter(pk=names["done-1"].pk).update(finished_at=NOW - timedelta(days=2))
    Order.objects.filter(pk=names["done-2"].pk).update(finished_at=NOW - timedelta(days=40))
    return names


def linked_count(actor, query: str) -> int:
    """The number of rows the Orders table lists at `?query`."""
    return filter_orders(actor=actor, params=QueryDict(query)).qs.count()


def every_count(numbers: overview.Overview) -> list[overview.Count]:
    counts = list(numbers.statuses)
    for day in numbers.days:
        counts += [day.created, day.finished]
    counts += [lead.finished for lead in numbers.lead_times]
    counts += [numbers.needs_attention.total, numbers.at_risk.total, numbers.waiting_for_you.total]
    return counts


def test_every_number_equals_the_count_of_the_table_it_links_to(production, member):
    actor = Actor.for_user(member)
    numbers = overview.production_overview(actor=actor, tags=member.tags, now=NOW)

    for count in every_count(numbers):
        assert linked_count(actor, count.query) == count.count, count


def test_the_numbers_equal_direct_counts(production, member):
    actor = Actor.for_user(member)
    numbers = overview.production_overview(actor=actor, tags=member.tags, now=NOW)

    assert {c.label: c.count for c in numbers.statuses} == {
        "Created": 3,
        "In progress": 4,
        "Success": 3,
        "Unhealthy": 1,
        "Failure": 2,
    }
    # The other orders were created today, long after NOW.
    created = {day.day.isoformat(): day.created.count for day in numbers.days if day.created.count}
    assert created == dict.fromkeys(
        ["2026-02-26", "2026-03-01", "2026-03-04", "2026-03-07", "2026-03-10"], 1
    )
    assert (numbers.days[0].day.isoformat(), len(numbers.days)) == ("2026-02-09", 30)
    finished = {
        day.day.isoformat(): day.finished.count for day in numbers.days if day.finished.count
    }
    assert finished == {"2026-03-08": 1}  # done-1; done-2 finished before the window
    [lead] = numbers.lead_times
    assert (lead.flow_key, lead.finished.count) == ("make-rings", 1)
    assert lead.p50 == lead.p90 == timedelta(days=7, hours=5).total_seconds()
    assert [line.name for line in numbers.needs_attention.lines] == [
        "FAILED-1",
        "FAILED-0",
        "LATE-0",
    ]
    assert numbers.needs_attention.lines[0].reason == "Print the rings failed"
    assert numbers.needs_attention.lines[2].reason == "Print the rings overdue"
    # Waiting for the member's tag "printing": every order whose print task waits.
    assert numbers.waiting_for_you.total.count == 5
    # Not done, deadline within a day of NOW: the Success orders due in an hour are done.
    assert [line.name for line in numbers.at_risk.lines] == ["BUSY-0", "BUSY-1", "BUSY-2"]


def test_lead_times_are_nearest_rank_percentiles_per_flow(production, member):
    finished = Order.objects.filter(name__startswith="DONE-")
    for hours, order in zip([1, 2, 10], finished.order_by("name"), strict=True):
        Order.objects.filter(pk=order.pk).update(
            created_at=NOW - timedelta(days=1, hours=hours), finished_at=NOW - timedelta(days=1)
        )
    numbers = overview.production_overview(actor=Actor.for_user(member), tags=[], now=NOW)

    [lead] = numbers.lead_times
    assert (lead.flow_key, lead.finished.count, lead.p50, lead.p90) == (
        "make-rings",
        3,
        7200.0,
        36000.0,
    )
    assert (duration_text(lead.p50), duration_text(lead.p90)) == ("2 h 0 min", "10 h 0 min")
    assert duration_text(3 * 86400 + 4 * 3600) == "3 d 4 h"


def test_a_user_without_tags_has_nothing_waiting(production, admin):
    numbers = overview.production_overview(actor=Actor.for_user(admin), tags=[], now=NOW)
    assert (numbers.waiting_for_you.total.count, numbers.waiting_for_you.lines) == (0, [])


def test_another_organization_sees_none_of_these_numbers(production, stranger):
    numbers = overview.production_overview(
        actor=Actor.for_user(stranger), tags=["printing"], now=NOW
    )

    assert [count.count for count in every_count(numbers)] == [0] * len(every_count(numbers))
    assert numbers.needs_attention.lines == numbers.at_risk.lines == []
    client = Client()
    client.force_login(stranger)
    page = client.get(reverse("dashboard")).content.decode()
    assert "BUSY-" not in page and "FAILED-" not in page and "LATE-" not in page


def test_the_page_links_every_number_to_the_orders_table(production, member):
    client = Client()
    client.force_login(member)
    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/?status=failure"' in page
    assert "LATE-0" in page and "Print the rings overdue" in page
    assert '<title id="chart-title">' in page and "style=" not in page


def test_the_chart_scales_bars_from_zero_to_a_round_maximum():
    day = overview.Day
    days = [
        day(
            datetime(2026, 3, 1).date(),
            overview.Count("Created", 7, ""),
            overview.Count("Finished", 0, ""),
        ),
        day(
            datetime(2026, 3, 2).date(),
            overview.Count("Created", 0, ""),
            overview.Count("Finished", 10, ""),
        ),
    ]
    drawn = chart(days)
    assert drawn.scale_max == 10
    assert drawn.days[0].created.height == round((drawn.baseline - drawn.top) * 0.7, 1)
    assert drawn.days[1].finished.height == drawn.baseline - drawn.top
    assert drawn.days[0].finished.height == drawn.days[1].created.height == 0
    # The last day's date ends at its bars, so it is not cut at the chart's right edge.
    assert [(day.label_anchor, day.label) for day in drawn.days] == [
        ("middle", "03-01"),
        ("end", "03-02"),
    ]
    last = drawn.days[-1]
    assert last.label_x == round(last.finished.x + last.finished.width, 1) <= drawn.width


def test_recount_rebuilds_the_counters_from_the_orders(production, member):
    OrderStatusCount.objects.update(count=0)
    status_counts.recount()
    assert status_counts.status_counts(actor=Actor.for_user(member)) == dict(
        Counter(Order.objects.values_list("status", flat=True))
    )


def test_stored_tags_that_are_no_list_take_no_page_down(production, member):
    type(member).objects.filter(pk=member.pk).update(tags="printing")
    client = Client()
    client.force_login(member)
    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert "You have no tags" in response.content.decode()
