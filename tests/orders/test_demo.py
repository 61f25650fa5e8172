"""`fabflow demo`: demo orders whose every status comes from the flow engine."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from fabflow.flows.models import FlowRun, FlowRunStatus, TaskRun, TaskStatus
from fabflow.orders.demo import FLOW_KEY, REJECTIONS, load_demo
from fabflow.orders.models import Order, OrderEvent, OrderStatus

STAGE_TAGS = {"check": "design", "print": "printing", "ship": "shipping"}


def tasks_of(order) -> list[tuple[str, str]]:
    return list(
        TaskRun.objects.filter(order=order)
        .order_by("stage_index")
        .values_list("task_key", "status")
    )


def test_every_status_is_reached_through_the_demo_flow(space):
    assert load_demo(space=space, count=60) == 60

    orders = list(Order.objects.filter(space=space))
    assert len(orders) == 60
    statuses = Counter(order.status for order in orders)
    assert set(statuses) == set(OrderStatus.values)
    for order in orders:
        runs = list(FlowRun.objects.filter(order=order))
        tasks = tasks_of(order)
        if order.status == OrderStatus.CREATED:
            assert (order.flow_key, runs, tasks) == ("", [], [])
            continue
        assert order.flow_key == FLOW_KEY
        assert len(runs) == 1
        done = [key for key, status in tasks if status == TaskStatus.SUCCEEDED]
        if order.status == OrderStatus.SUCCESS:
            assert runs[0].status == FlowRunStatus.SUCCEEDED
            assert done == ["approve-design", "confirm-printed", "hand-over"]
            continue
        current = TaskRun.objects.get(
            order=order, status__in=[TaskStatus.WAITING, TaskStatus.FAILED]
        )
        assert [key for key, _ in tasks] == [*done, current.task_key]
        assert STAGE_TAGS[current.stage_key] in order.tags
        if order.status == OrderStatus.IN_PROGRESS:
            assert (current.status, current.is_overdue) == (TaskStatus.WAITING, False)
        elif order.status == OrderStatus.UNHEALTHY:
            assert (current.task_key, current.status, current.is_overdue) == (
                "approve-design",
                TaskStatus.WAITING,
                True,
            )
        else:
            assert order.status == OrderStatus.FAILURE
            assert current.status == TaskStatus.FAILED
            assert current.error in REJECTIONS
    # Each order's history tells how it got there: In progress, then Success, and so on.
    for order in orders:
        changes = [
            event.details["to"]
            for event in OrderEvent.objects.filter(order=order, type="status_changed").order_by(
                "created_at", "id"
            )
        ]
        expected = {
            OrderStatus.CREATED: [],
            OrderStatus.IN_PROGRESS: ["in_progress"],
            OrderStatus.SUCCESS: ["in_progress", "success"],
            OrderStatus.UNHEALTHY: ["in_progress", "unhealthy"],
            OrderStatus.FAILURE: ["in_progress", "failure"],
        }[order.status]
        assert changes == expected, order.name


def test_loading_again_keeps_the_orders_and_adds_the_missing_ones(space):
    load_demo(space=space, count=10)
    kept = {order.pk: order.updated_at for order in Order.objects.all()}

    assert load_demo(space=space, count=12) == 2
    assert Order.objects.count() == 12
    assert {o.pk: o.updated_at for o in Order.objects.filter(pk__in=kept)} == kept
    assert load_demo(space=space, count=12) == 0


def test_the_command_names_the_space_and_refuses_an_unknown_one(space, capsys):
    call_command("demo", "--space", space.key, "--orders", "3")
    assert capsys.readouterr().out == f"Loaded 3 demo orders into {space.name}\n"

    with pytest.raises(CommandError, match="No product space 'nowhere'"):
        call_command("demo", "--space", "nowhere")
