"""A flow's transitions in the application database, called as a worker calls them (no worker)."""

import pytest
from django.db import transaction

from fabflow.accounts.actors import Actor
from fabflow.flows import engine, services, worker
from fabflow.flows.models import FlowRun, TaskRun, TaskStatus
from fabflow.orders.models import Order, OrderEvent
from fabflow.orders.services import create_order, events_written_together, record_event
from tests.conftest import ring_products

CHAIN = [
    {
        "key": "work",
        "tasks": [
            {
                "key": "mail",
                "handlerKey": "send-email",
                "payload": {"recipient": ["a@example.com"], "subject": "s", "body": "b"},
                "next": [
                    {
                        "key": "push",
                        "handlerKey": "consume-rest-api",
                        "payload": {"uri": "http://127.0.0.1:9/hook"},
                        "next": [
                            {"key": "pause", "handlerKey": "wait", "payload": {"duration": 0}}
                        ],
                    }
                ],
            }
        ],
    }
]


@pytest.fixture
def enqueued(monkeypatch):
    work = []
    monkeypatch.setattr(worker, "enqueue", lambda items, new_run=False: work.extend(items))
    return work


def history(order) -> list[str]:
    return list(
        OrderEvent.objects.filter(order=order)
        .order_by("created_at", "id")
        .values_list("type", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_a_chain_goes_on_inline_with_its_successors_created_running(admin_actor, space, enqueued):
    services.create_flow(actor=admin_actor, space=space, name="Chain", definition=CHAIN)
    order = create_order(actor=admin_actor, space=space, name="C-1", products=ring_products()).order
    services.start_flow(actor=admin_actor, order_id=order.pk, flow_key="chain")
    mail = TaskRun.objects.get(order=order, task_key="mail")
    assert enqueued == [(str(mail.pk), 1)]
    assert engine.begin_task(str(mail.pk), 1) == engine.TaskPlan(
        kind="automatic", retries=3, duration_ms=0
    )

    # The workflow thread's next step takes the task its transition began, as read under the
    # order's lock; only that attempt, and only once.
    assert engine.take_begun(str(mail.pk), 2) is None
    assert engine.take_begun(str(mail.pk), 1) is None
    engine.begin_task(str(mail.pk), 1)  # a replay begins the running task again
    begun = engine.take_begun(str(mail.pk), 1)
    assert (begun.pk, begun.status, begun.order.pk, begun.run.pk) == (
        mail.pk,
        TaskStatus.RUNNING,
        order.pk,
        mail.run_id,
    )

    step = engine.finish_and_continue(str(mail.pk), 1, result={}, waits_for_feedback=False)

    handed = engine.take_begun(step.next.task_id, 1)
    assert (handed.task_key, handed.status, handed.order.pk) == (
        "push",
        TaskStatus.RUNNING,
        order.pk,
    )
    mail.refresh_from_db()
    push = TaskRun.objects.get(order=order, task_key="push")
    assert step == engine.Continuation(
        applied=True,
        work=[],
        next=engine.Successor(task_id=str(push.pk), attempt=1, plan=step.next.plan),
    )
    assert (push.status, push.started_at, push.continues_from) == (
        TaskStatus.RUNNING,
        mail.finished_at,
        mail.pk,
    )
    assert engine.resume_after(str(mail.pk), 1) == (str(push.pk), 1)
    engine.finish_and_continue(str(mail.pk), 1, result={}, waits_for_feedback=False)  # again
    assert engine.take_begun(str(push.pk), 1) is None  # a transition that changed nothing

    step = engine.finish_and_continue(str(push.pk), 1, result={}, waits_for_feedback=False)

    assert step == engine.Continuation(applied=True, work=[], next=None)
    pause = TaskRun.objects.get(order=order, task_key="pause")
    assert (pause.status, pause.continues_from) == (TaskStatus.SUCCEEDED, push.pk)
    assert FlowRun.objects.get(order=order).status == "succeeded"
    assert Order.objects.get(pk=order.pk).status == "success"
    assert history(order) == [
        "created",
        "flow_started",
        "stage_started",
        "status_changed",  # created → in progress
        "task_started",  # mail, by its workflow
        "task_succeeded",
        "task_started",  # push, created running
        "task_succeeded",
        "task_started",  # pause, created running and finished at once
        "task_succeeded",
        "flow_finished",
        "status_changed",  # in progress → success
    ]
    assert enqueued == [(str(mail.pk), 1)]


@pytest.mark.django_db(transaction=True)
def test_events_written_together_are_written_in_order_or_not_at_all(admin_actor, space):
    order = create_order(actor=admin_actor, space=space, name="E-1", products=ring_products()).order
    before = OrderEvent.objects.filter(order=order).count()
    actor = Actor.system(order.organization_id)

    with pytest.raises(RuntimeError), transaction.atomic(), events_written_together():
        record_event(actor=actor, order=order, type="task_started", details={"n": 1})
        raise RuntimeError("the transition fails")
    assert OrderEvent.objects.filter(order=order).count() == before

    with transaction.atomic(), events_written_together():
        for n in range(3):
            record_event(actor=actor, order=order, type="task_started", details={"n": n})
        with events_written_together():  # a nested block leaves the writing to the outer one
            record_event(actor=actor, order=order, type="task_succeeded", details={"n": 3})
        assert OrderEvent.objects.filter(order=order).count() == before
    written = OrderEvent.objects.filter(order=order).order_by("created_at", "id")[before:]
    assert [(event.type, event.details["n"]) for event in written] == [
        ("task_started", 0),
        ("task_started", 1),
        ("task_started", 2),
        ("task_succeeded", 3),
    ]
