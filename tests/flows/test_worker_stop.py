"""Stopping a worker with SIGTERM while a `wait` task sleeps: it exits at once, and the wait
goes on, durably, in the worker that starts next."""

import signal
import subprocess
import time

import pytest

WAIT_SECONDS = 20


def waiting_flow():
    return [
        {
            "key": "pause",
            "tasks": [
                {"key": "wait", "handlerKey": "wait", "payload": {"duration": WAIT_SECONDS * 1000}}
            ],
        }
    ]


@pytest.mark.timeout(120)
def test_sigterm_stops_a_worker_whose_wait_sleeps_and_the_wait_finishes_once_after_restart(
    installation,
):
    setup = installation.call("setup", definition=waiting_flow())
    worker = installation.start_worker()
    [order_id] = installation.call("create_orders", count=1, flow_key=setup["flowKey"])
    installation.wait_for(
        lambda: [
            t for t in installation.call("tasks", order_id=order_id) if t["status"] == "running"
        ]
    )
    sleep_ends = time.monotonic() + WAIT_SECONDS

    worker.send_signal(signal.SIGTERM)
    try:
        exit_code = worker.wait(timeout=max(sleep_ends - time.monotonic() - 5, 1))
    except subprocess.TimeoutExpired:
        raise AssertionError("the worker was still running while its wait task slept") from None
    installation.workers.pop("local")

    assert exit_code == 0
    assert [t["status"] for t in installation.call("tasks", order_id=order_id)] == ["running"]
    installation.start_worker()
    installation.wait_for(lambda: installation.order_status(order_id) == "success", timeout=60)
    [task] = installation.call("tasks", order_id=order_id)
    assert (task["status"], task["attempt"], task["result"]) == (
        "succeeded",
        1,
        {"waitedMs": WAIT_SECONDS * 1000},
    )
    finished = [
        event
        for event in installation.call("events", order_id=order_id)
        if event[0] == "task_succeeded"
    ]
    assert len(finished) == 1
    log = (installation.root / "worker-local.log").read_text()
    assert "Traceback" not in log
    assert "before DBOS was launched" not in log
