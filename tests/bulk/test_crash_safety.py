"""A bulk job whose worker is SIGKILLed in the middle finishes after a restart, and acts on
every order exactly once."""

import subprocess
import sys

import pytest

CHECK_FLOW = [
    {
        "key": "check",
        "tasks": [
            {"key": "check", "handlerKey": "manual-confirmation", "payload": {"title": "Check"}}
        ],
    }
]
ORDERS = 40


def start_bulk_driver(installation):
    """The installation's driver, with the bulk calls (tests/bulk/driver.py)."""
    installation.driver = subprocess.Popen(
        [sys.executable, "-m", "tests.bulk.driver"],
        env={**installation.env, "PYTHONPATH": installation.python_path()},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=installation.root,
    )


@pytest.mark.timeout(300)
def test_a_sigkilled_bulk_confirm_finishes_after_a_restart_confirming_each_order_once(
    installation,
):
    # Confirming sets flows going: 10 orders a second spreads the job over about 4 seconds.
    installation.env["FABFLOW_BULK_ORDERS_PER_SECOND"] = "10"
    start_bulk_driver(installation)
    setup = installation.call("setup", definition=CHECK_FLOW)
    order_ids = installation.call("create_orders", count=ORDERS, flow_key=setup["flowKey"])
    installation.start_worker()
    job_id = installation.call(
        "create_bulk_job", action="confirm", arguments={"comment": "ok"}, order_ids=order_ids
    )
    installation.wait_for(
        lambda: installation.call("bulk_job", job_id=job_id)["counts"]["done"] >= 5
    )
    installation.kill_worker()
    killed = installation.call("bulk_job", job_id=job_id)
    assert killed["status"] == "running"
    assert 5 <= killed["counts"]["done"] < ORDERS
    installation.start_worker()
    finished = installation.wait_for(
        lambda: (
            (job := installation.call("bulk_job", job_id=job_id))["status"] == "finished" and job
        ),
        timeout=60,
    )
    assert finished["counts"] == {
        "pending": 0,
        "working": 0,
        "done": ORDERS,
        "refused": 0,
        "failed": 0,
    }
    assert installation.call("order_events", event_type="task_confirmed") == {
        order_id: 1 for order_id in order_ids
    }
    statuses = installation.call("orders")
    assert {statuses[order_id]["status"] for order_id in order_ids} == {"success"}


def push_flow(url: str) -> list:
    return [
        {
            "key": "push",
            "tasks": [{"key": "push", "handlerKey": "consume-rest-api", "payload": {"uri": url}}],
        }
    ]


@pytest.mark.timeout(300)
def test_a_sigkilled_bulk_retry_finishes_after_a_restart_retrying_each_order_once(
    installation, receiver
):
    # The retried tasks are enqueued by the job: after the restart, those of the orders still
    # to do are enqueued too, and those already retried are not retried again.
    installation.env["FABFLOW_BULK_ORDERS_PER_SECOND"] = "10"
    start_bulk_driver(installation)
    setup = installation.call("setup", definition=push_flow(receiver.url()))
    receiver.secret_holder["secret"] = setup["secret"]
    receiver.answers = [400] * ORDERS  # each order's first call fails for good; retries succeed
    installation.start_worker()
    order_ids = installation.call("create_orders", count=ORDERS, flow_key=setup["flowKey"])
    installation.wait_for(
        lambda: {o["status"] for o in installation.call("orders").values()} == {"failure"},
        timeout=60,
    )
    job_id = installation.call("create_bulk_job", action="retry", arguments={}, order_ids=order_ids)
    installation.wait_for(
        lambda: installation.call("bulk_job", job_id=job_id)["counts"]["pending"] <= ORDERS - 5
    )
    installation.kill_worker()
    assert installation.call("bulk_job", job_id=job_id)["counts"]["pending"] > 0
    installation.start_worker()
    finished = installation.wait_for(
        lambda: (
            (job := installation.call("bulk_job", job_id=job_id))["status"] == "finished" and job
        ),
        timeout=90,
    )
    assert finished["counts"]["done"] == ORDERS
    statuses = installation.call("orders")
    assert {statuses[order_id]["status"] for order_id in order_ids} == {"success"}
    # Two calls per order: the first attempt's and the retry's (a repeat of one attempt after
    # the kill would carry the same delivery id; a second retry, a new one).
    deliveries = {(call["body"]["order"]["name"], call["delivery"]) for call in receiver.calls}
    per_order = {}
    for name, _delivery in deliveries:
        per_order[name] = per_order.get(name, 0) + 1
    assert per_order == {f"Order {index + 1}": 2 for index in range(ORDERS)}
