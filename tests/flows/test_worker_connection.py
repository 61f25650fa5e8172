"""A worker's database call survives a connection the database dropped (a restart, a fail-over).

Only PostgreSQL drops connections under a running process, so this runs in the PostgreSQL pass
(the `scale_out` marker; SQLite's embedded database has no server to lose)."""

import psycopg
import pytest
from django.db import connection

from fabflow.flows import engine, services, worker
from fabflow.flows.models import TaskRun
from fabflow.orders.services import create_order
from tests.conftest import ring_products

FLOW = [
    {
        "key": "check",
        "tasks": [
            {"key": "look", "handlerKey": "manual-confirmation", "payload": {"title": "Look"}}
        ],
    }
]


@pytest.mark.scale_out
@pytest.mark.django_db(transaction=True)
def test_a_call_that_meets_a_dropped_connection_is_made_again_on_a_new_one(admin_actor, space):
    assert connection.vendor == "postgresql", "the scale-out setup runs on PostgreSQL"
    services.create_flow(actor=admin_actor, space=space, name="Check it", definition=FLOW)
    order = create_order(
        actor=admin_actor, space=space, name="DROP-1", products=ring_products()
    ).order
    services.start_flow(actor=admin_actor, order_id=order.pk, flow_key="check-it")
    task = TaskRun.objects.get(order=order)
    connection.ensure_connection()
    dropped = connection.connection.info.backend_pid
    database = connection.settings_dict
    with psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"],
        password=database["PASSWORD"] or None,
        host=database["HOST"],
        port=database["PORT"] or 5432,
        autocommit=True,
    ) as other:
        [[terminated]] = other.execute("SELECT pg_terminate_backend(%s)", [dropped]).fetchall()
    assert terminated is True

    plan = worker._db(engine.replay_plan, str(task.pk), 1)

    assert plan == engine.TaskPlan(kind="manual", retries=3, duration_ms=0)
    assert connection.connection.info.backend_pid != dropped
