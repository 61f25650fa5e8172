"""A Django process that runs services against a test installation, driven over stdin/stdout.

The engine tests run real `fabflow worker` processes on a database of their own; this driver is
how the test reaches that database: one JSON request per line in, one JSON answer per line out.
"""

import json
import os
import sys
import traceback
from decimal import Decimal


def setup(definition, flow_name="Test order flow", organization_name="Ringmakers"):
    from fabflow.accounts import services as accounts
    from fabflow.accounts.actors import Actor
    from fabflow.flows import services

    organization = accounts.create_organization(name=organization_name)
    space = accounts.create_space(organization=organization, name="Rings", key="rings")
    actor = Actor.system(organization.pk)
    flow = services.create_flow(actor=actor, space=space, name=flow_name, definition=definition)
    return {
        "organization": str(organization.pk),
        "flowKey": flow.key,
        "secret": space.signing_secret,
    }


def create_flow(definition, name):
    """Another flow in the installation's space; its key."""
    from fabflow.accounts.models import ProductSpace
    from fabflow.flows import services

    space = ProductSpace.objects.get()
    return services.create_flow(actor=_actor(), space=space, name=name, definition=definition).key


def store_raw(table, column, row_id, text):
    """Write `text` into a column of one row with plain SQL, past every check (a JSON column
    takes it as JSON)."""
    from django.db import connection

    is_postgres = connection.vendor == "postgresql"
    cast = "::jsonb" if is_postgres and column in ("data", "definition") else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s{cast} WHERE id = %s",
            [text, row_id if is_postgres else row_id.replace("-", "")],
        )
        return cursor.rowcount


def flow_version_id(flow_key):
    from fabflow.flows.models import FlowVersion

    return str(FlowVersion.objects.get(flow__key=flow_key).pk)


def order_page(order_id):
    """The order's page as an administrator of the organization sees it: (status, text)."""
    from django.test import Client

    from fabflow.accounts import services as accounts
    from fabflow.accounts.models import Organization, User

    admin = User.objects.filter(email="admin@ringmakers.test").first()
    if admin is None:
        admin = accounts.create_user(
            organization=Organization.objects.get(),
            email="admin@ringmakers.test",
            password="correct horse battery",
            is_admin=True,
        )
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    response = client.get(f"/orders/{order_id}/")
    return [response.status_code, response.content.decode()]


def prepare_client():
    """What a web process does as it starts: set up its client of the engine."""
    from fabflow import durable
    from fabflow.flows import worker

    worker.prepare_client_in_background().join()
    return durable.has_client()


def _actor(organization=None):
    """The system acting for the organization `organization` (its id), or for the only one."""
    import uuid

    from fabflow.accounts.actors import Actor
    from fabflow.accounts.models import Organization

    return Actor.system(uuid.UUID(organization) if organization else Organization.objects.get().pk)


def create_orders(count, flow_key, prefix="Order", organization=None):
    """`count` orders in the space of the organization (the only one when None), each with the
    flow `flow_key` started; their ids."""
    from django.db import transaction

    from fabflow.accounts.models import ProductSpace
    from fabflow.flows import services
    from fabflow.orders.services import PartInput, ProductInput, create_order

    actor = _actor(organization)
    space = ProductSpace.objects.get(organization_id=actor.organization_id)
    ids = []
    for index in range(count):
        with transaction.atomic():
            order = create_order(
                actor=actor,
                space=space,
                name=f"{prefix} {index + 1}",
                products=[
                    ProductInput(
                        name="Ring",
                        units=2,
                        unit_value=Decimal("10.50"),
                        parts=[PartInput(name="Band")],
                    )
                ],
                flow_key=flow_key,
            ).order
            services.start_flow(actor=actor, order_id=order.pk, flow_key=flow_key)
        ids.append(str(order.pk))
    return ids


def create_orders_whose_enqueue_is_lost(count, flow_key):
    """Orders whose first task is pending with no workflow, as when the process that started
    their flows died between its commit and its enqueue; their ids."""
    from unittest import mock

    from fabflow.flows import worker

    with mock.patch.object(worker, "enqueue", lambda work, **options: None):
        return create_orders(count, flow_key, prefix="Lost")


def retry_with_a_late_enqueue(task_id, seconds):
    """Retry the task as a slow process would: its enqueue comes `seconds` after the retry's
    commit made the (old) task pending again; the task's status after the retry."""
    import time
    from unittest import mock

    from fabflow.flows import services, worker

    enqueue = worker.enqueue

    def late(work, **options):
        time.sleep(seconds)
        enqueue(work, **options)

    with mock.patch.object(worker, "enqueue", late):
        return services.retry_task(actor=_actor(), task_id=task_id).status


def orders():
    from fabflow.orders.models import Order

    return {str(o.pk): {"status": o.status, "tags": o.tags} for o in Order.objects.all()}


def status_counts():
    """The orders per status as the dashboard's counters hold them, and as counted directly."""
    from django.db.models import Count

    from fabflow.orders.models import Order
    from fabflow.orders.status_counts import status_counts as counted

    direct = Order.objects.order_by().values_list("status").annotate(total=Count("id"))
    return {"counted": counted(actor=_actor()), "direct": dict(direct)}


def tasks(order_id):
    from fabflow.flows import services

    return [
        {
            "id": str(t.pk),
            "key": t.task_key,
            "status": t.status,
            "attempt": t.attempt,
            "overdue": t.is_overdue,
            "error": t.error,
            "title": t.title,
            "description": t.description,
            "createdAt": t.created_at,
            "startedAt": t.started_at,
            "deadlineAt": t.deadline_at,
            "result": t.result,
            "token": t.feedback_token,
            "continuesFrom": str(t.continues_from) if t.continues_from else None,
        }
        for t in services.list_tasks(actor=_actor(), order_id=order_id)
    ]


def workflows():
    """The ids of the task workflows in DBOS's system database, with their priority."""
    from fabflow import durable
    from fabflow.flows import worker

    client = durable.client(durable.APPLICATION)
    return {
        status.workflow_id: status.priority
        for status in client.list_workflows(name=worker.WORKFLOW_NAME)
    }


def executor_workflows(executor_id):
    """The task workflows DBOS records as run by the worker `executor_id`: {id: status}."""
    from fabflow import durable
    from fabflow.flows import worker

    client = durable.client(durable.APPLICATION)
    return {
        status.workflow_id: status.status
        for status in client.list_workflows(name=worker.WORKFLOW_NAME, executor_id=executor_id)
    }


def heartbeats():
    """The workers that have heart-beaten: {executor id: whether another took them over}."""
    from fabflow.flows.models import WorkerHeartbeat

    return {
        beat.executor_id: beat.taken_over_at is not None for beat in WorkerHeartbeat.objects.all()
    }


def events(order_id):
    from fabflow.orders.models import OrderEvent

    return [
        [e.type, e.details]
        for e in OrderEvent.objects.filter(order_id=order_id).order_by("created_at")
    ]


def action(name, **kwargs):
    from fabflow.errors import FabflowError
    from fabflow.flows import services

    function = getattr(services, name)
    try:
        if name == "receive_feedback":
            task = function(**kwargs)
        else:
            task = function(actor=_actor(), **kwargs)
    except FabflowError as error:
        return {"error": type(error).__name__, "message": error.message}
    return {"status": task.status, "attempt": task.attempt}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabflow.settings")
    import django

    django.setup()
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = {"ok": globals()[request["fn"]](**request.get("kwargs", {}))}
        except Exception:
            answer = {"exception": traceback.format_exc()}
        sys.stdout.write(json.dumps(answer, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
