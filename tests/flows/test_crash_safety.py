"""Killing workers: every flow still finishes, and no side effect happens twice."""

import random
import time
from collections import Counter

import pytest

from tests.flows.conftest import is_postgres, one_connector_flow


def crash_flow(receiver_url):
    """E-mail → connector, then a second stage entered inline: a wait of 0 ms that leads to a
    manual check, beside a second connector call that starts as a workflow of its own."""
    return [
        {
            "key": "work",
            "tasks": [
                {
                    "key": "mail",
                    "handlerKey": "send-email",
                    "payload": {
                        "recipient": ["shop@example.com"],
                        "subject": "{{ order.name }}",
                        "body": "x",
                    },
                    "next": [
                        {
                            "key": "push",
                            "handlerKey": "consume-rest-api",
                            "payload": {"uri": receiver_url},
                        }
                    ],
                }
            ],
        },
        {
            "key": "wrap",
            "tasks": [
                {
                    "key": "pause",
                    "handlerKey": "wait",
                    "payload": {"duration": 0},
                    "next": [
                        {
                            "key": "check",
                            "handlerKey": "manual-confirmation",
                            "payload": {"title": "Check"},
                        }
                    ],
                },
                {
                    "key": "notify",
                    "handlerKey": "consume-rest-api",
                    "payload": {"uri": receiver_url},
                },
            ],
        },
    ]


@pytest.mark.timeout(240)
def test_sigkilled_workers_lose_no_task_and_repeat_no_side_effect(
    installation, smtp_server, receiver
):
    setup = installation.call("setup", definition=crash_flow(receiver.url()))
    receiver.secret_holder["secret"] = setup["secret"]
    rng = random.Random(20)
    order_ids = []
    for run in range(20):
        [order_id] = installation.call(
            "create_orders", count=1, flow_key=setup["flowKey"], prefix=f"Run {run}"
        )
        order_ids.append(order_id)
        installation.start_worker()
        time.sleep(rng.uniform(0.0, 2.5))
        installation.kill_worker()
    installation.start_worker()
    for order_id in order_ids:
        check = installation.wait_for(
            lambda order_id=order_id: [
                t
                for t in installation.call("tasks", order_id=order_id)
                if t["key"] == "check" and t["status"] == "waiting"
            ],
            timeout=60,
        )[0]
        installation.call("action", name="confirm_task", task_id=check["id"])
    # The stage's second connector call may still be going when its check is confirmed.
    statuses = installation.wait_for(
        lambda: (
            (found := installation.call("orders"))
            and all(found[order_id]["status"] != "in_progress" for order_id in order_ids)
            and found
        ),
        timeout=60,
    )
    assert [statuses[order_id]["status"] for order_id in order_ids] == ["success"] * 20
    # A worker killed after a side effect but before DBOS recorded it repeats that effect on
    # restart; the repeat carries the same delivery id, so the receiver drops it. A repeat
    # under a new id, or a lost effect, would be a bug.
    message_ids = {message["Subject"]: set() for message in smtp_server.messages}
    for message in smtp_server.messages:
        message_ids[message["Subject"]].add(message["Message-ID"])
    assert sorted(message_ids) == sorted(f"Run {run} 1" for run in range(20))
    assert all(len(ids) == 1 for ids in message_ids.values())
    deliveries = Counter(call["delivery"] for call in receiver.calls)
    assert len(deliveries) == 40
    calls_per_order = Counter(
        name
        for name, _delivery in {
            (call["body"]["order"]["name"], call["delivery"]) for call in receiver.calls
        }
    )
    assert calls_per_order == {f"Run {run} 1": 2 for run in range(20)}


@pytest.mark.timeout(180)
def test_a_task_whose_enqueue_was_lost_is_run_by_the_sweep_once(installation, receiver):
    """The process that started the flows died between its commit and its enqueue: each first
    task is pending and no queue holds it. A worker's sweep finds the tasks and runs each once."""
    setup = installation.call("setup", definition=one_connector_flow(receiver.url()))
    receiver.secret_holder["secret"] = setup["secret"]
    order_ids = installation.call(
        "create_orders_whose_enqueue_is_lost", count=3, flow_key=setup["flowKey"]
    )
    assert installation.call("workflows") == {}
    assert {installation.order_status(o) for o in order_ids} == {"in_progress"}

    installation.start_worker()

    installation.wait_for(
        lambda: all(installation.order_status(o) == "success" for o in order_ids), timeout=60
    )
    assert len(installation.call("workflows")) == 3
    assert sorted(call["body"]["order"]["name"] for call in receiver.calls) == [
        "Lost 1",
        "Lost 2",
        "Lost 3",
    ]
    assert lost_enqueue_warnings(installation) == ["enqueuing 3 flow tasks whose enqueue was lost"]


@pytest.mark.timeout(180)
def test_a_retried_task_is_not_taken_for_lost_while_its_enqueue_is_on_the_way(
    installation, receiver
):
    """A retry makes an old task pending again and enqueues it once its transaction commits. A
    sweep that looks in between sees a pending task without a workflow; it must not call that a
    lost enqueue (and enqueue it) before a second look."""
    setup = installation.call("setup", definition=one_connector_flow(receiver.url()))
    receiver.secret_holder["secret"] = setup["secret"]
    receiver.answers = [400]  # refused for good: the task fails at once
    [order_id] = installation.call("create_orders", count=1, flow_key=setup["flowKey"])
    installation.start_worker()
    installation.wait_for(lambda: installation.order_status(order_id) == "failure", timeout=60)
    [task] = installation.call("tasks", order_id=order_id)
    time.sleep(6)  # older than a sweep's "pending for a while"

    # The enqueue comes 4.5 s after the commit: one sweep (every 5 s) finds the task pending and
    # without a workflow, as it would be if the enqueue were lost.
    status = installation.call("retry_with_a_late_enqueue", task_id=task["id"], seconds=4.5)

    assert status == "pending"
    installation.wait_for(lambda: installation.order_status(order_id) == "success", timeout=60)
    assert lost_enqueue_warnings(installation) == []


def lost_enqueue_warnings(installation) -> list[str]:
    """The worker's log lines about enqueues it found lost."""
    return [
        line.split("] ", 1)[-1].strip()
        for log in installation.root.glob("worker-*.log")
        for line in log.read_text().splitlines()
        if "whose enqueue was lost" in line
    ]


@pytest.mark.scale_out
@pytest.mark.timeout(180)
def test_a_second_worker_takes_over_the_work_of_a_killed_one(installation, receiver):
    assert is_postgres(), "several workers share work on PostgreSQL (the scale-out setup)"
    definition = [
        {
            "key": "work",
            "tasks": [
                {
                    "key": "pause",
                    "handlerKey": "wait",
                    "payload": {"duration": 4000},
                    "next": [
                        {
                            "key": "push",
                            "handlerKey": "consume-rest-api",
                            "payload": {"uri": receiver.url()},
                        }
                    ],
                }
            ],
        }
    ]
    setup = installation.call("setup", definition=definition)
    installation.start_worker("alpha")
    installation.start_worker("beta")
    installation.wait_for(lambda: installation.call("heartbeats").keys() == {"alpha", "beta"}, 60)
    order_ids = installation.call("create_orders", count=20, flow_key=setup["flowKey"])
    installation.wait_for(
        lambda: "PENDING" in installation.call("executor_workflows", executor_id="alpha").values(),
        timeout=60,
    )

    installation.kill_worker("alpha")

    # What alpha held when it died: the workflows it was running (each sleeping in its 4 s
    # pause), which stay its own until another worker takes them over.
    held = {
        workflow
        for workflow, status in installation.call("executor_workflows", executor_id="alpha").items()
        if status == "PENDING"
    }
    assert held
    installation.wait_for(
        lambda: all(installation.order_status(o) == "success" for o in order_ids), timeout=90
    )
    assert installation.call("heartbeats") == {"alpha": True, "beta": False}
    finished_by_beta = installation.call("executor_workflows", executor_id="beta")
    assert {workflow: finished_by_beta.get(workflow) for workflow in held} == dict.fromkeys(
        held, "SUCCESS"
    )
    assert "PENDING" not in installation.call("executor_workflows", executor_id="alpha").values()
    # Every order's connector call was made under one delivery id, those of the taken-over
    # workflows included (a call alpha was making as it died is repeated under the same id, which
    # the receiver drops).
    order_of_workflow = {
        f"task-{task['id']}-{task['attempt']}": order_id
        for order_id in order_ids
        for task in installation.call("tasks", order_id=order_id)
        if task["key"] == "pause"
    }
    deliveries = {(call["body"]["order"]["id"], call["delivery"]) for call in receiver.calls}
    calls = Counter(order_id for order_id, _delivery in deliveries)
    assert calls == dict.fromkeys(order_ids, 1)
    assert {order_of_workflow[workflow] for workflow in held} <= calls.keys()
    assert len({call["delivery"] for call in receiver.calls}) == 20
