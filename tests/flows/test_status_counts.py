"""The dashboard's status counters stay equal to a direct count under concurrent writes: several
processes create orders and confirm or reject their tasks while a real worker moves them on."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.flows.conftest import Installation

pytestmark = pytest.mark.timeout(240)

PROCESSES = 3
ORDERS_EACH = 8
FLOW = [
    {
        "key": "prepare",
        "tasks": [{"key": "pause", "handlerKey": "wait", "payload": {"duration": 0}}],
    },
    {
        "key": "make",
        "tasks": [
            {
                "key": "print",
                "handlerKey": "manual-confirmation",
                "payload": {"title": "Print {{ order.name }}"},
            }
        ],
    },
]


def waiting_print(driver: Installation, order_id: str) -> str | None:
    found = [
        task["id"]
        for task in driver.call("tasks", order_id=order_id)
        if task["key"] == "print" and task["status"] == "waiting"
    ]
    return found[0] if found else None


def burst(installation: Installation, flow_key: str, process: int) -> list[str]:
    """One process's share: create orders, then confirm a third and reject a third of them as
    soon as the worker has brought each to its manual task, while the others are created."""
    driver = Installation(installation.root, installation.env)
    try:
        orders = driver.call(
            "create_orders", count=ORDERS_EACH, flow_key=flow_key, prefix=f"Burst {process}"
        )
        for number, order_id in enumerate(orders):
            if number % 3 == 0:
                continue  # left waiting for its print
            task_id = installation.wait_for(lambda o=order_id: waiting_print(driver, o))
            if number % 3 == 1:
                answer = driver.call("action", name="confirm_task", task_id=task_id)
            else:
                answer = driver.call("action", name="reject_task", task_id=task_id, reason="No")
            assert "error" not in answer, answer
        return orders
    finally:
        driver.stop_driver()


def test_the_counters_equal_a_direct_count_after_a_burst_of_concurrent_changes(installation):
    setup = installation.call("setup", definition=FLOW)
    installation.start_worker()

    with ThreadPoolExecutor(max_workers=PROCESSES) as pool:
        made = list(pool.map(lambda p: burst(installation, setup["flowKey"], p), range(PROCESSES)))

    assert sum(len(orders) for orders in made) == PROCESSES * ORDERS_EACH
    # Orders left alone reach their manual task too: every order settles in a final state.
    expected = {"in_progress": 9, "success": 9, "failure": 6}
    installation.wait_for(lambda: installation.call("status_counts")["direct"] == expected)
    counts = installation.call("status_counts")
    assert counts["counted"] == {"created": 0, "unhealthy": 0, **expected}
