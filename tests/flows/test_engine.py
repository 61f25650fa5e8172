"""The engine end to end: real worker processes, a real SMTP server and a real HTTP receiver."""

import pytest

from tests.flows.conftest import one_connector_flow

pytestmark = pytest.mark.timeout(180)


def three_stage_flow(receiver_url):
    return [
        {
            "key": "prepare",
            "name": "Prepare",
            "tags": ["design"],
            "tasks": [
                {
                    "key": "tell-shop",
                    "handlerKey": "send-email",
                    "payload": {
                        "recipient": ["shop@example.com"],
                        "subject": "Order {{ order.name }} started",
                        "body": "{{ order.name }}: {{ products|length }} products",
                    },
                    "next": [
                        {
                            "key": "notify-erp",
                            "handlerKey": "consume-rest-api",
                            "payload": {"uri": receiver_url},
                            "next": [
                                {"key": "settle", "handlerKey": "wait", "payload": {"duration": 10}}
                            ],
                        }
                    ],
                },
                {"key": "pause", "handlerKey": "wait", "payload": {"duration": 0}},
            ],
        },
        {
            "key": "make",
            "tags": ["printing"],
            "tasks": [
                {
                    "key": "print",
                    "handlerKey": "manual-confirmation",
                    "payload": {"title": "Print {{ order.name }}", "tags": ["printing"]},
                }
            ],
        },
        {
            "key": "ship",
            "tasks": [
                {
                    "key": "track",
                    "handlerKey": "consume-rest-api",
                    "payload": {"uri": receiver_url, "sendsFeedback": True},
                }
            ],
        },
    ]


def task(installation, order_id, key):
    found = [t for t in installation.call("tasks", order_id=order_id) if t["key"] == key]
    return found[0] if found else {"status": None}


def test_a_three_stage_flow_with_parallel_tasks_and_next_chains_reaches_success(
    installation, smtp_server, receiver
):
    setup = installation.call("setup", definition=three_stage_flow(receiver.url()))
    receiver.secret_holder["secret"] = setup["secret"]
    [order_id] = installation.call("create_orders", count=1, flow_key=setup["flowKey"])
    assert installation.call("orders")[order_id] == {"status": "in_progress", "tags": ["design"]}
    installation.start_worker()

    installation.wait_for(lambda: task(installation, order_id, "print")["status"] == "waiting")
    assert installation.call("orders")[order_id] == {"status": "in_progress", "tags": ["printing"]}
    statuses = {t["key"]: t["status"] for t in installation.call("tasks", order_id=order_id)}
    assert statuses == {
        "tell-shop": "succeeded",
        "pause": "succeeded",
        "notify-erp": "succeeded",
        "settle": "succeeded",
        "print": "waiting",
    }
    # The chain tell-shop → notify-erp → settle ran in one workflow; the parallel task in one of
    # its own; both were the first tasks of a new run, enqueued behind work of runs in progress.
    ids = {t["key"]: t["id"] for t in installation.call("tasks", order_id=order_id)}
    assert installation.call("workflows") == {
        f"task-{ids['tell-shop']}-1": 10,
        f"task-{ids['pause']}-1": 10,
    }
    [message] = smtp_server.messages
    assert message["Subject"] == "Order Order 1 started"
    assert message["To"] == "shop@example.com"
    assert message.get_payload().strip() == "Order 1: 1 products"
    # Kept in an outbox instead, the message would be listed for its organization and order.
    assert (message["X-Fabflow-Organization"], message["X-Fabflow-Order"]) == (
        setup["organization"],
        order_id,
    )
    [call] = receiver.calls
    assert call["signed"] is True
    assert call["body"]["order"]["name"] == "Order 1"
    assert call["body"]["order"]["products"][0]["units"] == 2

    print_task = task(installation, order_id, "print")
    assert installation.call("action", name="confirm_task", task_id=print_task["id"]) == {
        "status": "succeeded",
        "attempt": 1,
    }
    track = installation.wait_for(
        lambda: (t := task(installation, order_id, "track"))["status"] == "waiting" and t
    )
    assert len(receiver.calls) == 2
    # The next stage's first task follows a run in progress: it has the higher priority.
    assert installation.call("workflows")[f"task-{track['id']}-1"] == 1
    assert receiver.calls[1]["body"]["order"]["updateUrl"] == (
        f"http://fabflow.test/api/v1/feedback/{track['token']}"
    )
    assert installation.order_status(order_id) == "in_progress"
    answer = installation.call(
        "action", name="receive_feedback", token=track["token"], status="success", message="Shipped"
    )
    assert answer == {"status": "succeeded", "attempt": 1}
    assert installation.call("orders")[order_id] == {"status": "success", "tags": []}
    refused = installation.call(
        "action", name="receive_feedback", token=track["token"], status="success"
    )
    assert refused["error"] == "Conflict"
    types = [event_type for event_type, _ in installation.call("events", order_id=order_id)]
    assert types.count("status_changed") == 2
    assert types[-2:] == ["flow_finished", "status_changed"]


def test_a_worker_goes_on_through_stages_in_one_workflow_and_starts_parallel_tasks_itself(
    installation, smtp_server, receiver
):
    mail = {
        "key": "mail",
        "handlerKey": "send-email",
        "payload": {"recipient": ["shop@example.com"], "subject": "{{ order.name }}", "body": "x"},
        "next": [{"key": "hop", "handlerKey": "wait", "payload": {"duration": 0}}],
    }
    definition = [
        {"key": "first", "tasks": [mail]},
        {
            "key": "second",
            "tasks": [
                {
                    "key": "push",
                    "handlerKey": "consume-rest-api",
                    "payload": {"uri": receiver.url()},
                },
                {
                    "key": "side",
                    "handlerKey": "consume-rest-api",
                    "payload": {"uri": receiver.url()},
                },
            ],
        },
        {
            "key": "third",
            "tasks": [{"key": "last", "handlerKey": "wait", "payload": {"duration": 0}}],
        },
    ]
    setup = installation.call("setup", definition=definition)
    receiver.secret_holder["secret"] = setup["secret"]
    [order_id] = installation.call("create_orders", count=1, flow_key=setup["flowKey"])
    installation.start_worker()
    installation.wait_for(lambda: installation.order_status(order_id) == "success")

    tasks = {t["key"]: t for t in installation.call("tasks", order_id=order_id)}
    assert {key: t["status"] for key, t in tasks.items()} == dict.fromkeys(
        ["mail", "hop", "push", "side", "last"], "succeeded"
    )
    # The worker went on from the e-mail through the zero wait into the next stage's first task
    # in the same workflow; the stage's other task started as a workflow of its own, without the
    # queue; whichever of the two finished last went on into the third stage.
    assert tasks["mail"]["continuesFrom"] is None
    assert tasks["hop"]["continuesFrom"] == tasks["mail"]["id"]
    assert tasks["push"]["continuesFrom"] == tasks["hop"]["id"]
    assert tasks["side"]["continuesFrom"] is None
    assert tasks["last"]["continuesFrom"] in {tasks["push"]["id"], tasks["side"]["id"]}
    assert tasks["hop"]["result"] == {"waitedMs": 0}
    workflows = installation.call("workflows")
    assert set(workflows) == {f"task-{tasks['mail']['id']}-1", f"task-{tasks['side']['id']}-1"}
    assert workflows[f"task-{tasks['mail']['id']}-1"] == 10
    assert len(smtp_server.messages) == 1
    assert len({call["delivery"] for call in receiver.calls}) == 2


def test_a_rejected_task_fails_the_order_and_a_retry_brings_it_back(installation):
    definition = [
        {
            "key": "check",
            "tasks": [
                {"key": "approve", "handlerKey": "manual-confirmation", "payload": {"title": "OK?"}}
            ],
        }
    ]
    setup = installation.call("setup", definition=definition)
    [order_id] = installation.call("create_orders", count=1, flow_key=setup["flowKey"])
    approve = task(installation, order_id, "approve")
    assert installation.call("action", name="retry_task", task_id=approve["id"]) == {
        "error": "Conflict",
        "message": "Only a failed or overdue task can be retried; this one is waiting",
    }
    rejected = installation.call(
        "action", name="reject_task", task_id=approve["id"], reason="Wrong size"
    )
    assert rejected == {"status": "failed", "attempt": 1}
    assert installation.order_status(order_id) == "failure"
    assert task(installation, order_id, "approve")["error"] == "Wrong size"
    assert installation.call("action", name="confirm_task", task_id=approve["id"])["error"] == (
        "Conflict"
    )
    assert installation.call("action", name="retry_task", task_id=approve["id"]) == {
        "status": "waiting",
        "attempt": 2,
    }
    assert installation.order_status(order_id) == "in_progress"
    installation.call("action", name="confirm_task", task_id=approve["id"])
    assert installation.order_status(order_id) == "success"


def test_an_overdue_manual_task_makes_the_order_unhealthy_until_it_is_confirmed(installation):
    definition = [
        {
            "key": "check",
            "tasks": [
                {
                    "key": "approve",
                    "handlerKey": "manual-confirmation",
                    "timeoutDuration": 1000,
                    "payload": {"title": "OK?"},
                    "next": [{"key": "pause", "handlerKey": "wait", "payload": {"duration": 300}}],
                }
            ],
        }
    ]
    setup = installation.call("setup", definition=definition)
    [order_id] = installation.call("create_orders", count=1, flow_key=setup["flowKey"])
    installation.start_worker()
    installation.wait_for(lambda: installation.order_status(order_id) == "unhealthy", timeout=15)
    approve = task(installation, order_id, "approve")
    assert approve["overdue"] is True
    installation.call("action", name="confirm_task", task_id=approve["id"])
    assert installation.order_status(order_id) == "in_progress"
    installation.wait_for(lambda: installation.order_status(order_id) == "success")
    changes = [
        details["to"]
        for event_type, details in installation.call("events", order_id=order_id)
        if event_type == "status_changed"
    ]
    assert changes == ["in_progress", "unhealthy", "in_progress", "success"]


def test_a_connector_that_fails_twice_succeeds_on_the_third_attempt(installation, receiver):
    setup = installation.call("setup", definition=one_connector_flow(receiver.url()))
    receiver.secret_holder["secret"] = setup["secret"]
    receiver.answers = [500, 500]
    [order_id] = installation.call("create_orders", count=1, flow_key=setup["flowKey"])
    installation.start_worker()
    installation.wait_for(lambda: installation.order_status(order_id) == "success")
    assert len(receiver.calls) == 3
    assert len({call["delivery"] for call in receiver.calls}) == 1
    assert all(call["signed"] for call in receiver.calls)
    push = task(installation, order_id, "push")
    assert (push["status"], push["attempt"], push["result"]["statusCode"]) == ("succeeded", 1, 200)


def test_a_connector_that_keeps_failing_fails_the_order_and_skip_moves_on(installation, receiver):
    definition = [
        {
            "key": "sync",
            "tasks": [
                {
                    "key": "push",
                    "handlerKey": "consume-rest-api",
                    "retries": 1,
                    "payload": {"uri": receiver.url()},
                    "next": [{"key": "after", "handlerKey": "wait", "payload": {"duration": 0}}],
                }
            ],
        }
    ]
    setup = installation.call("setup", definition=definition)
    receiver.answers = [503, 503]
    [order_id] = installation.call("create_orders", count=1, flow_key=setup["flowKey"])
    installation.start_worker()
    installation.wait_for(lambda: installation.order_status(order_id) == "failure")
    push = task(installation, order_id, "push")
    assert push["error"] == f"POST {receiver.url()} answered 503"
    assert len(receiver.calls) == 2
    assert installation.call("action", name="skip_task", task_id=push["id"]) == {
        "status": "skipped",
        "attempt": 1,
    }
    installation.wait_for(lambda: installation.order_status(order_id) == "success")
    assert task(installation, order_id, "after")["status"] == "succeeded"
