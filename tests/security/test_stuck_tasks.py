"""No task is ever stuck silently: whatever fails — stored data the engine cannot read, a template,
a handler's bug, a handler raising a BaseException, the engine's own code — ends in a failed task
with its error in the API and on the order's page, and the order in Failure.

Each test runs a real worker process on an installation of its own (tests/flows/conftest.py).
"""

import html
from datetime import timedelta

import pytest

from tests.flows import conftest as flow_fixtures
from tests.flows.conftest import is_postgres

# The engine tests' fixtures: a real SMTP server and HTTP receiver, an installation of its own.
smtp_server = flow_fixtures.smtp_server
receiver = flow_fixtures.receiver
installation = flow_fixtures.installation
crashing_plugin = flow_fixtures.crashing_plugin

pytestmark = pytest.mark.timeout(180)
ONE_HOUR = timedelta(hours=1)

MAIL = {
    "key": "mail",
    "handlerKey": "send-email",
    "payload": {"recipient": ["shop@example.com"], "subject": "{{ order.name }}", "body": "Hi"},
}


def one_task_flow(task: dict) -> list:
    return [{"key": "only", "tasks": [{**task, "retries": 1}]}]


def failed_task(installation, order_id) -> dict:
    installation.wait_for(lambda: installation.order_status(order_id) == "failure")
    [task] = installation.call("tasks", order_id=order_id)
    assert task["status"] == "failed"
    return task


def assert_shown(installation, order_id, error: str) -> None:
    """The error is the task's in the API and is written on the order's page."""
    status, page = installation.call("order_page", order_id=order_id)
    assert status == 200
    assert html.escape(error) in page


def deep_json(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_unreadable_stored_data_and_template_errors_fail_their_tasks_with_the_reason(
    installation,
):
    # One installation for every path (each costs a migration and a worker start).
    setup = installation.call("setup", definition=one_task_flow(MAIL))
    overflowing = {**MAIL, "payload": {**MAIL["payload"], "body": "{{ 10.0 ** 1000 }}"}}
    template_flow = installation.call(
        "create_flow", definition=one_task_flow(overflowing), name="Overflowing template"
    )
    broken_flow = installation.call(
        "create_flow", definition=one_task_flow(MAIL), name="Broken version"
    )
    [bad_data, bad_value, fine] = installation.call(
        "create_orders", count=3, flow_key=setup["flowKey"]
    )
    [bad_template] = installation.call("create_orders", count=1, flow_key=template_flow, prefix="T")
    [bad_version] = installation.call("create_orders", count=1, flow_key=broken_flow, prefix="V")
    # 990 levels: as deep as SQLite stores JSON, deeper than Python reads it.
    assert installation.call(
        "store_raw", table="orders_order", column="data", row_id=bad_data, text=deep_json(990)
    )
    if not is_postgres():
        # Beyond the column's precision: only SQLite stores it (PostgreSQL refuses the write).
        installation.call(
            "store_raw", table="orders_order", column="value", row_id=bad_value, text="1e30"
        )
    installation.call(
        "store_raw",
        table="flows_flowversion",
        column="definition",
        row_id=installation.call("flow_version_id", flow_key=broken_flow),
        text='{"not": "a list of stages"}',
    )
    installation.start_worker()

    data_error = (
        "The task's order or flow cannot be read: UnreadableData: "
        "the order's data is not readable as stored"
    )
    task = failed_task(installation, bad_data)
    assert (task["error"], task["attempt"]) == (data_error, 1)
    assert_shown(installation, bad_data, data_error)
    if not is_postgres():
        value_error = data_error.replace("data", "value")
        assert failed_task(installation, bad_value)["error"] == value_error

    # A template error only running reveals fails at once, without retries.
    template_error = (
        "The template of payload.body cannot be rendered: "
        "OverflowError: (34, 'Numerical result out of range')"
    )
    assert failed_task(installation, bad_template)["error"] == template_error
    assert_shown(installation, bad_template, template_error)
    failures = [
        details["error"]
        for event_type, details in installation.call("events", order_id=bad_template)
        if event_type == "task_failed"
    ]
    assert failures == [template_error]

    # The engine's own code fails on the unreadable version: the task fails with its error.
    engine_error = failed_task(installation, bad_version)["error"]
    assert engine_error == (
        "The flow engine failed while starting the task: "
        "TypeError: 'InvalidValue' object is not iterable"
    )
    assert_shown(installation, bad_version, engine_error)

    installation.wait_for(lambda: installation.order_status(fine) == "success")


def test_a_handler_that_crashes_ends_in_a_failed_task(crashing_plugin):
    installation = crashing_plugin
    errors = {
        # An unexpected exception is retried (retries: 1), like a network error.
        "exception": "ZeroDivisionError: division by zero",
        # A BaseException that is no Exception fails the task at its first try.
        "base-exception": "The handler stopped with Stop: the handler gave up",
    }
    orders = {}
    for raises in errors:
        crash = {"key": "crash", "handlerKey": "crash", "payload": {"raises": raises}}
        if not orders:
            flow_key = installation.call("setup", definition=one_task_flow(crash))["flowKey"]
        else:
            flow_key = installation.call(
                "create_flow", definition=one_task_flow(crash), name=f"Crash {raises}"
            )
        [orders[raises]] = installation.call(
            "create_orders", count=1, flow_key=flow_key, prefix=raises
        )
    installation.start_worker()

    for raises, error in errors.items():
        task = failed_task(installation, orders[raises])
        assert (task["error"], task["attempt"]) == (error, 1)
        assert_shown(installation, orders[raises], error)
        # The worker is still at work: a retry runs the handler again, and fails again.
        assert installation.call("action", name="retry_task", task_id=task["id"]) == {
            "status": "pending",
            "attempt": 2,
        }
    for order_id in orders.values():
        installation.wait_for(
            lambda order_id=order_id: (
                installation.call("tasks", order_id=order_id)[0]["status"] == "failed"
            )
        )
    tries = (installation.root / "crash-tries.txt").read_text().splitlines()
    assert (tries.count("exception"), tries.count("base-exception")) == (4, 2)


MANUAL_AND_MAIL = [
    {
        "key": "both",
        "tasks": [
            {**MAIL, "timeoutDuration": 1000},
            {
                "key": "check",
                "handlerKey": "manual-confirmation",
                "timeoutDuration": 1000,
                "payload": {"title": "Check"},
            },
        ],
    }
]


@pytest.fixture
def started_order(admin_actor, space, monkeypatch):
    from fabflow.flows import services, worker
    from fabflow.orders.services import create_order
    from tests.conftest import ring_products

    monkeypatch.setattr(worker, "enqueue", lambda work, new_run=False: None)
    services.create_flow(
        actor=admin_actor, space=space, name="Both tasks", definition=MANUAL_AND_MAIL
    )
    order = create_order(actor=admin_actor, space=space, name="S-1", products=ring_products()).order
    services.start_flow(actor=admin_actor, order_id=order.pk, flow_key="both-tasks")
    return order


@pytest.mark.django_db(transaction=True)
def test_when_even_failing_a_task_fails_plain_updates_record_it(started_order, monkeypatch):
    from fabflow.flows import engine, worker
    from fabflow.flows.models import FlowRun, TaskRun
    from fabflow.orders.models import Order, OrderEvent

    mail = TaskRun.objects.get(order=started_order, task_key="mail")

    def unreadable(*args, **kwargs):
        raise TypeError("the order cannot be read")

    monkeypatch.setattr(engine, "fail_task", unreadable)
    worker._fail(str(mail.pk), 1, "The handler stopped with Stop: no")

    mail.refresh_from_db()
    assert (mail.status, mail.error) == ("failed", "The handler stopped with Stop: no")
    assert FlowRun.objects.get(order=started_order).status == "failed"
    assert Order.objects.get(pk=started_order.pk).status == "failure"
    event = OrderEvent.objects.filter(order=started_order).order_by("-created_at").first()
    assert (event.type, event.details) == (
        "task_failed",
        {"taskId": str(mail.pk), "attempt": 1, "error": "The handler stopped with Stop: no"},
    )
    # Once failed, it is not failed again.
    engine.fail_task_at_last(str(mail.pk), 1, error="again")
    assert OrderEvent.objects.filter(order=started_order, type="task_failed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_task_that_cannot_be_marked_overdue_fails_and_the_others_still_time_out(
    started_order, monkeypatch
):
    from fabflow.flows import engine
    from fabflow.flows.models import TaskRun

    check = TaskRun.objects.get(order=started_order, task_key="check")
    real_mark = engine._mark_overdue

    def mark(task_id):
        if str(task_id) == str(check.pk):
            raise TypeError("the task's row cannot be read")
        return real_mark(task_id)

    monkeypatch.setattr(engine, "_mark_overdue", mark)
    engine.begin_task(str(TaskRun.objects.get(order=started_order, task_key="mail").pk), 1)
    assert engine.mark_overdue_tasks(now=check.deadline_at + ONE_HOUR) == 1

    tasks = {task.task_key: task for task in TaskRun.objects.filter(order=started_order)}
    assert (tasks["mail"].status, tasks["mail"].is_overdue) == ("running", True)
    assert (tasks["check"].status, tasks["check"].error) == (
        "failed",
        "The flow engine failed while marking it overdue: TypeError: the task's row cannot be read",
    )
