"""Bulk jobs run in this process (`runner.run_job`, as a worker's workflow runs it): each action
over chosen orders and over a filter, with exact per-order outcomes and the orders' states after;
refusals that write nothing."""

import pytest
from django.http import QueryDict

from fabflow.bulk import runner, services
from fabflow.bulk.models import BulkJob, BulkJobItem, BulkJobStatus
from fabflow.errors import Conflict, InvalidInput
from fabflow.flows import engine, worker
from fabflow.flows import services as flow_services
from fabflow.flows.models import TaskRun, TaskStatus
from fabflow.orders.models import Order, OrderEvent, OrderEventType
from fabflow.orders.services import create_order
from tests.conftest import ring_products

CHECK_FLOW = [
    {
        "key": "check",
        "tasks": [
            {"key": "check", "handlerKey": "manual-confirmation", "payload": {"title": "Check"}}
        ],
    }
]
PUSH_FLOW = [
    {
        "key": "push",
        "tasks": [
            {
                "key": "push",
                "handlerKey": "consume-rest-api",
                "payload": {"uri": "http://127.0.0.1:9/hook"},
            }
        ],
    }
]


@pytest.fixture
def enqueued(monkeypatch):
    """Flow work and bulk jobs are recorded instead of being sent to workers."""
    work, jobs = [], []
    monkeypatch.setattr(worker, "enqueue", lambda items, new_run=False: work.extend(items))
    monkeypatch.setattr(runner, "enqueue", lambda job: jobs.append(job.pk))
    monkeypatch.setattr(runner, "SETTLE_POLL_SECONDS", 0)
    return {"work": work, "jobs": jobs}


def make_orders(actor, space, count, *, flow_key=None, prefix="B"):
    orders = []
    for index in range(count):
        order = create_order(
            actor=actor, space=space, name=f"{prefix}-{index + 1}", products=ring_products(1, 1)
        ).order
        if flow_key:
            flow_services.start_flow(actor=actor, order_id=order.pk, flow_key=flow_key)
        orders.append(order)
    return orders


def failed_push_orders(actor, space, count):
    """Orders whose connector task failed: they are in Failure."""
    flow_services.create_flow(actor=actor, space=space, name="Push flow", definition=PUSH_FLOW)
    orders = make_orders(actor, space, count, flow_key="push-flow", prefix="P")
    for order in orders:
        task = TaskRun.objects.get(order=order)
        engine.begin_task(str(task.pk), 1)
        engine.fail_task(str(task.pk), 1, error="The shop said no")
    return orders


def outcomes(job):
    return [
        (item.order.name, item.outcome, item.reason)
        for item in BulkJobItem.objects.filter(job=job).select_related("order").order_by("position")
    ]


def counts(job):
    return {name: n for name, n in services.outcome_counts(job).items() if n}


@pytest.mark.django_db(transaction=True)
def test_confirm_over_chosen_orders_confirms_each_once_and_refuses_one_without_a_task(
    admin_actor, space, enqueued
):
    flow_services.create_flow(
        actor=admin_actor, space=space, name="Check flow", definition=CHECK_FLOW
    )
    waiting = make_orders(admin_actor, space, 2, flow_key="check-flow")
    [idle] = make_orders(admin_actor, space, 1, prefix="Idle")
    job = services.create_job(
        actor=admin_actor,
        action="confirm",
        arguments={"comment": "Looks good"},
        order_ids=[o.pk for o in [*waiting, idle]],
    )
    assert enqueued["jobs"] == [job.pk]
    assert runner.run_job(job.pk) == "finished"
    job.refresh_from_db()
    assert job.status == BulkJobStatus.FINISHED
    assert outcomes(job) == [
        ("B-1", "done", "Confirmed: “Check”"),
        ("B-2", "done", "Confirmed: “Check”"),
        ("Idle-1", "refused", "No manual task of the order is waiting"),
    ]
    assert counts(job) == {"done": 2, "refused": 1}
    assert [Order.objects.get(pk=o.pk).status for o in waiting] == ["success", "success"]
    confirmations = OrderEvent.objects.filter(type=OrderEventType.TASK_CONFIRMED)
    assert sorted(e.details["comment"] for e in confirmations) == ["Looks good"] * 2
    # Run again (as a recovered workflow would): nothing is done twice.
    runner.run_job(job.pk)
    assert OrderEvent.objects.filter(type=OrderEventType.TASK_CONFIRMED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_retry_over_a_filter_counts_a_task_that_fails_again_as_failed(admin_actor, space, enqueued):
    first, second, third = failed_push_orders(admin_actor, space, 3)
    make_orders(admin_actor, space, 1, prefix="Other")  # Created: not matched
    job = services.create_job(
        actor=admin_actor,
        action="retry",
        arguments={},
        filter_params=QueryDict("status=failure&ordering=name"),
    )
    assert job.order_count == 3
    job = services.begin_job(job.pk)
    actor = services.job_actor(job)
    for item_id in services.pending_items(job, 10):
        assert services.act_on_item(job=job, actor=actor, item_id=item_id)
    assert counts(job) == {"working": 3}
    # The retried tasks run: one fails again, one succeeds, the third is still running.
    tasks = {o.name: TaskRun.objects.get(order=o) for o in (first, second, third)}
    assert {t.attempt for t in tasks.values()} == {2}
    engine.begin_task(str(tasks["P-1"].pk), 2)
    engine.fail_task(str(tasks["P-1"].pk), 2, error="Still no")
    engine.begin_task(str(tasks["P-2"].pk), 2)
    engine.finish_task(str(tasks["P-2"].pk), 2, result={}, waits_for_feedback=False)
    assert services.settle_items(job) == 1
    engine.begin_task(str(tasks["P-3"].pk), 2)
    engine.finish_task(str(tasks["P-3"].pk), 2, result={}, waits_for_feedback=False)
    assert runner.run_job(job.pk) == "finished"
    assert outcomes(BulkJob.objects.get(pk=job.pk)) == [
        ("P-1", "failed", "Task “push” failed: Still no"),
        ("P-2", "done", "Retried: “push”"),
        ("P-3", "done", "Retried: “push”"),
    ]
    assert counts(job) == {"done": 2, "failed": 1}
    assert [Order.objects.get(pk=o.pk).status for o in (first, second, third)] == [
        "failure",
        "success",
        "success",
    ]


@pytest.mark.django_db(transaction=True)
def test_skip_and_reject(admin_actor, space, enqueued):
    [failed] = failed_push_orders(admin_actor, space, 1)
    skip = services.create_job(
        actor=admin_actor, action="skip", arguments={}, order_ids=[failed.pk]
    )
    runner.run_job(skip.pk)
    assert outcomes(skip) == [("P-1", "done", "Skipped: “push”")]
    assert Order.objects.get(pk=failed.pk).status == "success"
    assert TaskRun.objects.get(order=failed).status == TaskStatus.SKIPPED
    flow_services.create_flow(
        actor=admin_actor, space=space, name="Check flow", definition=CHECK_FLOW
    )
    [waiting] = make_orders(admin_actor, space, 1, flow_key="check-flow")
    reject = services.create_job(
        actor=admin_actor,
        action="reject",
        arguments={"reason": "Wrong size"},
        order_ids=[waiting.pk],
    )
    runner.run_job(reject.pk)
    assert outcomes(reject) == [("B-1", "done", "Rejected: “Check”")]
    assert Order.objects.get(pk=waiting.pk).status == "failure"
    assert TaskRun.objects.get(order=waiting).error == "Wrong size"


@pytest.mark.django_db(transaction=True)
def test_start_flow_is_done_when_its_tasks_ran_without_failing(admin_actor, space, enqueued):
    flow_services.create_flow(
        actor=admin_actor, space=space, name="Check flow", definition=CHECK_FLOW
    )
    orders = make_orders(admin_actor, space, 2)
    job = services.create_job(
        actor=admin_actor,
        action="start_flow",
        arguments={"flowKey": "check-flow"},
        order_ids=[o.pk for o in orders],
    )
    runner.run_job(job.pk)
    assert outcomes(job) == [
        ("B-1", "done", "Flow Check flow v1 started"),
        ("B-2", "done", "Flow Check flow v1 started"),
    ]
    assert {Order.objects.get(pk=o.pk).status for o in orders} == {"in_progress"}
    # Started again: each order has a flow running, which the service refuses.
    again = services.create_job(
        actor=admin_actor,
        action="start_flow",
        arguments={"flowKey": "check-flow"},
        order_ids=[o.pk for o in orders],
    )
    runner.run_job(again.pk)
    assert counts(again) == {"refused": 2}


@pytest.mark.django_db(transaction=True)
def test_add_and_remove_a_tag_over_a_filter(admin_actor, space, enqueued):
    orders = make_orders(admin_actor, space, 3)
    create_order(
        actor=admin_actor, space=space, name="Tagged", products=ring_products(1, 1), tags=["rush"]
    )
    job = services.create_job(
        actor=admin_actor,
        action="add_tag",
        arguments={"tag": " rush "},
        filter_params=QueryDict("ordering=name"),
    )
    runner.run_job(job.pk)
    assert outcomes(job) == [
        ("B-1", "done", "Tag 'rush' added"),
        ("B-2", "done", "Tag 'rush' added"),
        ("B-3", "done", "Tag 'rush' added"),
        ("Tagged", "refused", "The order already carries the tag 'rush'"),
    ]
    assert [Order.objects.get(pk=o.pk).tags for o in orders] == [["rush"]] * 3
    removal = services.create_job(
        actor=admin_actor, action="remove_tag", arguments={"tag": "rush"}, order_ids=[orders[0].pk]
    )
    runner.run_job(removal.pk)
    assert counts(removal) == {"done": 1}
    assert Order.objects.get(pk=orders[0].pk).tags == []


@pytest.mark.django_db(transaction=True)
def test_refusals_write_nothing(admin_actor, space, stranger, stranger_space, settings, enqueued):
    from fabflow.accounts.actors import Actor

    mine, _other = make_orders(admin_actor, space, 2)
    stranger_actor = Actor.for_user(stranger)
    [theirs] = make_orders(stranger_actor, stranger_space, 1, prefix="S")
    refusals = [
        (dict(action="retry", arguments={}, order_ids=[mine.pk, theirs.pk]), ("order_ids",)),
        (dict(action="explode", arguments={}, order_ids=[mine.pk]), ("action",)),
        (dict(action="reject", arguments={}, order_ids=[mine.pk]), ("arguments", "reason")),
        (dict(action="add_tag", arguments={"tag": ""}, order_ids=[mine.pk]), ("arguments", "tag")),
        (
            dict(action="add_tag", arguments={"tag": "x", "colour": 1}, order_ids=[mine.pk]),
            ("arguments", "colour"),
        ),
        (
            dict(action="start_flow", arguments={"flowKey": "nope"}, order_ids=[mine.pk]),
            ("arguments", "flowKey"),
        ),
        (dict(action="retry", arguments={}, order_ids=[]), ("order_ids",)),
        (
            dict(action="retry", arguments={}, filter_params=QueryDict("status=success")),
            ("filter",),
        ),
        (
            dict(action="retry", arguments={}, filter_params=QueryDict("status=nope")),
            ("filter", "status"),
        ),
    ]
    for kwargs, loc in refusals:
        with pytest.raises(InvalidInput) as refused:
            services.create_job(actor=admin_actor, **kwargs)
        assert refused.value.field == loc, kwargs
    settings.FABFLOW_BULK_MAX_ORDERS = 1
    with pytest.raises(InvalidInput) as refused:
        services.create_job(
            actor=admin_actor, action="add_tag", arguments={"tag": "x"}, filter_params=QueryDict("")
        )
    assert refused.value.message == (
        "The filter matches more than 1 orders, the most one bulk action covers; narrow it"
    )
    assert BulkJob.objects.count() == BulkJobItem.objects.count() == 0
    assert enqueued["jobs"] == []


@pytest.mark.django_db(transaction=True)
def test_over_the_bound_asks_first_with_the_exact_count(admin_actor, space, settings, enqueued):
    settings.FABFLOW_BULK_CONFIRM_OVER = 2
    orders = make_orders(admin_actor, space, 3)
    ids = [o.pk for o in orders]
    with pytest.raises(services.ConfirmationRequired) as asked:
        services.create_job(
            actor=admin_actor, action="add_tag", arguments={"tag": "x"}, order_ids=ids
        )
    assert asked.value.count == 3
    assert asked.value.field == ("confirm_count",)
    with pytest.raises(services.ConfirmationRequired):
        services.create_job(
            actor=admin_actor,
            action="add_tag",
            arguments={"tag": "x"},
            order_ids=ids,
            confirm_count=2,
        )
    assert BulkJob.objects.count() == 0
    kept = services.create_job(
        actor=admin_actor,
        action="add_tag",
        arguments={"tag": "x"},
        order_ids=ids,
        keep_unconfirmed=True,
    )
    assert kept.status == BulkJobStatus.AWAITING_CONFIRMATION
    assert enqueued["jobs"] == []
    assert services.confirm_job(actor=admin_actor, job_id=kept.pk).status == BulkJobStatus.QUEUED
    assert enqueued["jobs"] == [kept.pk]
    with pytest.raises(Conflict):
        services.cancel_job(actor=admin_actor, job_id=kept.pk)
    confirmed = services.create_job(
        actor=admin_actor, action="add_tag", arguments={"tag": "y"}, order_ids=ids, confirm_count=3
    )
    assert confirmed.status == BulkJobStatus.QUEUED


@pytest.mark.django_db(transaction=True)
def test_another_organization_cannot_see_or_confirm_a_job(admin_actor, space, stranger, enqueued):
    from fabflow.accounts.actors import Actor
    from fabflow.errors import NotFound

    orders = make_orders(admin_actor, space, 1)
    job = services.create_job(
        actor=admin_actor, action="add_tag", arguments={"tag": "x"}, order_ids=[orders[0].pk]
    )
    for call in (services.get_job, services.confirm_job, services.cancel_job):
        with pytest.raises(NotFound):
            call(actor=Actor.for_user(stranger), job_id=job.pk)
