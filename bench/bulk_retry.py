"""The bulk retry of bench/ui.py, run in processes of the benchmark's installation.

    python bench/bulk_retry.py prepare N   N orders of the dataset's organization, each with a
                                           flow whose one task (a wait of 0 ms) has failed
    python bench/bulk_retry.py start N     a bulk retry of every failed prepared order (N); its id
    python bench/bulk_retry.py status ID   the job as JSON: status, counts, started and finished

Prints one JSON line; never asserts.
"""

import json
import os
import sys

FLOW = [
    {"key": "run", "tasks": [{"key": "pause", "handlerKey": "wait", "payload": {"duration": 0}}]}
]
FLOW_NAME = "Bench bulk retry"
BATCH = 500
# The prepared orders carry it, so the job's filter matches them and none of the dataset's.
TAG = "bench-bulk-retry"


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabflow.settings")
    import django

    django.setup()


def _actor():
    from fabflow.accounts.actors import Actor
    from fabflow.accounts.models import User

    return Actor.for_user(User.objects.get(email="bench@example.com"))


def prepare(count: int) -> dict:
    from decimal import Decimal

    from django.db import transaction

    from fabflow.accounts.models import ProductSpace
    from fabflow.flows import engine, worker
    from fabflow.flows import services as flow_services
    from fabflow.flows.models import OrderFlow, TaskRun
    from fabflow.orders.services import PartInput, ProductInput, create_order

    # The tasks are failed here at once: no worker needs to run them first.
    worker.enqueue = lambda work, new_run=False: None
    actor = _actor()
    space = ProductSpace.objects.filter(organization_id=actor.organization_id).first()
    flow = OrderFlow.objects.filter(space=space, name=FLOW_NAME).first() or (
        flow_services.create_flow(actor=actor, space=space, name=FLOW_NAME, definition=FLOW)
    )
    products = [
        ProductInput(
            name="Ring", units=1, unit_value=Decimal("10.00"), parts=[PartInput(name="Band")]
        )
    ]
    for start in range(0, count, BATCH):
        with transaction.atomic():
            for index in range(start, min(count, start + BATCH)):
                order = create_order(
                    actor=actor,
                    space=space,
                    name=f"Bulk retry {os.getpid()}-{index}",
                    products=products,
                    tags=[TAG],
                ).order
                flow_services.start_flow(actor=actor, order_id=order.pk, flow_key=flow.key)
                task = TaskRun.objects.get(order=order)
                engine.begin_task(str(task.pk), 1)
                engine.fail_task(str(task.pk), 1, error="Failed for the benchmark")
    return {"prepared": count}


def start(count: int) -> dict:
    from django.http import QueryDict

    from fabflow.bulk import services

    job = services.create_job(
        actor=_actor(),
        action="retry",
        arguments={},
        filter_params=QueryDict(f"status=failure&anyTag={TAG}"),
        confirm_count=count,
    )
    return {"job": str(job.pk), "orders": job.order_count}


def status(job_id: str) -> dict:
    from django.db.models import Max

    from fabflow.bulk import services
    from fabflow.bulk.models import BulkJob, BulkJobItem

    job = BulkJob.objects.get(pk=job_id)
    last_acted = BulkJobItem.objects.filter(job=job).aggregate(last=Max("acted_at"))["last"]
    return {
        "lastActedAt": last_acted.isoformat() if last_acted else None,
        "status": job.status,
        "counts": services.outcome_counts(job),
        "startedAt": job.started_at.isoformat() if job.started_at else None,
        "finishedAt": job.finished_at.isoformat() if job.finished_at else None,
    }


if __name__ == "__main__":
    _setup()
    command, argument = sys.argv[1], sys.argv[2]
    calls = {"prepare": lambda: prepare(int(argument)), "start": lambda: start(int(argument))}
    calls["status"] = lambda: status(argument)
    print(json.dumps(calls[command]()))
