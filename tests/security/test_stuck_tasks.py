"""No task is ever stuck silently: whatever fails — stored data the engine cannot read, a template,
a handler's bug, a handler raising a BaseException, the engine's own code — ends in a failed task
with its error in the API and on the order's page, and the order in Failure.

Each test runs a real worker process on an installation of its own (tests/flows/conftest.py).
"""

import html

import pytest

from tests.flows import conftest as flow_fixtures
from tests.flows.conftest import is_postgres

# The engine tests' fixtures: a real SMTP server and HTTP receiver, an installation of its own.
smtp_server = flow_fixtures.smtp_server
receiver = flow_fixtures.receiver
installation = flow_fixtures.installation
crashing_plugin = flow_fixtures.crashing_plugin

pytestmark = pytest.mark.timeout(180)

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
