"""A task's timeout runs from when the task starts, not from when it was created; a web process
sets up its client of the engine as it starts, so its first order waits for nothing."""

import importlib
import sys
from datetime import timedelta

import pytest

from fabflow.flows import engine, services, worker
from fabflow.flows.models import TaskRun, TaskStatus
from fabflow.orders.services import create_order
from tests.conftest import ring_products
from tests.flows import conftest as flow_fixtures

smtp_server = flow_fixtures.smtp_server
receiver = flow_fixtures.receiver
installation = flow_fixtures.installation

# The tour's example: an e-mail that is overdue one second after it starts.
MAIL = {
    "key": "mail",
    "handlerKey": "send-email",
    "timeoutDuration": 1000,
    "payload": {"recipient": ["shop@example.com"], "subject": "{{ order.name }}", "body": "Hi"},
}
CHECK = {
    "key": "check",
    "handlerKey": "manual-confirmation",
    "timeoutDuration": 5000,
    "payload": {"title": "Check it"},
}
ONE_SECOND = timedelta(milliseconds=1000)


@pytest.fixture
def enqueued(monkeypatch):
    work = []
    monkeypatch.setattr(worker, "enqueue", lambda items, new_run=False: work.extend(items))
    return work


@pytest.mark.django_db(transaction=True)
def test_a_deadline_runs_from_the_start_of_each_attempt(admin_actor, space, enqueued):
    definition = [{"key": "work", "tasks": [{**MAIL, "retries": 0}, CHECK]}]
    services.create_flow(actor=admin_actor, space=space, name="Timeouts", definition=definition)
    order = create_order(actor=admin_actor, space=space, name="T-1", products=ring_products()).order
    services.start_flow(actor=admin_actor, order_id=order.pk, flow_key="timeouts")

    mail = TaskRun.objects.get(order=order, task_key="mail")
    check = TaskRun.objects.get(order=order, task_key="check")
    # Pending, waiting for a worker: no deadline yet, however long the wait.
    assert (mail.status, mail.started_at, mail.deadline_at) == (TaskStatus.PENDING, None, None)
    # A manual task starts waiting for a person when it is created.
    assert check.started_at == check.created_at
    assert check.deadline_at == check.started_at + timedelta(milliseconds=5000)

    engine.begin_task(str(mail.pk), 1)
    mail.refresh_from_db()
    assert mail.started_at > mail.created_at
    assert mail.deadline_at == mail.started_at + ONE_SECOND

    engine.fail_task(str(mail.pk), 1, error="The mail server refused")
    services.retry_task(actor=admin_actor, task_id=mail.pk)
    mail.refresh_from_db()
    assert (mail.attempt, mail.status, mail.started_at, mail.deadline_at) == (
        2,
        TaskStatus.PENDING,
        None,
        None,
    )
    engine.begin_task(str(mail.pk), 2)
    mail.refresh_from_db()
    assert mail.deadline_at == mail.started_at + ONE_SECOND
    assert engine.mark_overdue_tasks(now=mail.started_at + ONE_SECOND / 2) == 0
    assert engine.mark_overdue_tasks(now=mail.deadline_at) == 1


def test_a_web_process_sets_up_its_engine_client_as_it_starts(monkeypatch):
    started = []
    monkeypatch.setattr(worker, "prepare_client_in_background", lambda: started.append(True))
    sys.modules.pop("fabflow.wsgi", None)
    try:
        importlib.import_module("fabflow.wsgi")
    finally:
        sys.modules.pop("fabflow.wsgi", None)
    assert started == [True]


def assert_started_within_timeout(installation, order_id) -> None:
    installation.wait_for(lambda: installation.order_status(order_id) == "success")
    [task] = installation.call("tasks", order_id=order_id)
    started, deadline = task["startedAt"], task["deadlineAt"]
    assert deadline == (_time(started) + ONE_SECOND).isoformat(sep=" ")
    assert task["overdue"] is False
    types = [event for event, _ in installation.call("events", order_id=order_id)]
    assert "task_overdue" not in types


def _time(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text)


def test_the_first_order_of_a_fresh_process_is_not_overdue_cold_or_warm(installation):
    setup = installation.call("setup", definition=[{"key": "tell", "tasks": [MAIL]}])
    installation.start_worker()
    # Cold: the fresh driver process sets its client up on its first enqueue.
    [cold] = installation.call("create_orders", count=1, flow_key=setup["flowKey"])
    assert_started_within_timeout(installation, cold)
    # Warm: a fresh process sets its client up first, as a web process does when it starts.
    installation.stop_driver()
    assert installation.call("prepare_client") is True
    [warm] = installation.call("create_orders", count=1, flow_key=setup["flowKey"], prefix="W")
    assert_started_within_timeout(installation, warm)
