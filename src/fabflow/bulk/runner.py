"""Running bulk jobs in the workers: one DBOS workflow per job, on a queue of its own.

The workflow `bulk-<job id>` acts on the job's pending orders one by one (each order's action
and its item's outcome in one transaction, `services.act_on_item`), then waits for the tasks it
set going to finish and records their outcome, then ends the job. It checkpoints nothing in DBOS:
its progress is the items' outcomes, so a workflow recovered after a worker was killed simply
goes on with the orders still pending, and acts on none twice.

The queue `fabflow-bulk` is partitioned by organization: one organization's jobs run one at a
time, whatever the number of workers, so one organization's jobs cannot take every place from
another's (a worker runs FABFLOW_BULK_CONCURRENCY jobs at once). Jobs of flow actions act on at
most FABFLOW_BULK_ORDERS_PER_SECOND orders a second: with one job of an organization running at
a time, that is the organization's rate of bulk calls towards its connectors.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection

from fabflow import durable
from fabflow.bulk import services
from fabflow.bulk.models import BulkJob

logger = logging.getLogger(__name__)

QUEUE_NAME = "fabflow-bulk"
WORKFLOW_NAME = "fabflow.bulk-job"
# Items read at a time; an order acted on is committed before the next one.
CHUNK = 200
# How long a job waits for the tasks it set going, and how often it looks.
SETTLE_SECONDS = 15 * 60
SETTLE_POLL_SECONDS = 0.5
# A database error on one order: the job waits this long, then takes the order again.
DATABASE_RETRY_SECONDS = 1.0
MAX_DATABASE_RETRIES = 30

_registered: dict = {}


def workflow_id(job_id) -> str:
    return f"bulk-{job_id}"


def register_workflows() -> None:
    """Register the bulk job workflow with DBOS; workers call this before DBOS launches."""
    if _registered:
        return

    @durable.workflow(name=WORKFLOW_NAME)
    def bulk_job_workflow(job_id: str) -> str:
        return run_outside_the_workflow(job_id)

    _registered["workflow"] = bulk_job_workflow


def run_outside_the_workflow(job_id: str) -> str:
    """Run the job in a thread of its own, outside DBOS's workflow context.

    The flow work an action enqueues (a retried task) would otherwise be recorded as a child of
    the job's workflow, and a replay, which skips the orders already acted on, would find the
    children recorded in another order and enqueue none of the new ones."""
    outcome: dict = {}

    def work():
        try:
            outcome["result"] = run_job(job_id)
        except BaseException as error:
            outcome["error"] = error
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=work, name=f"fabflow-bulk-{job_id}")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def register_queues() -> None:
    """Work off the bulk queue in this (launched) worker: one job per organization at a time."""
    durable.register_partitioned_queue(
        QUEUE_NAME,
        concurrency=settings.FABFLOW_BULK_CONCURRENCY,
        partition_concurrency=1,
        polling_seconds=max(settings.FABFLOW_QUEUE_POLL_SECONDS, 0.5),
    )


def enqueue(job: BulkJob) -> None:
    """Put the job on the bulk queue, in its organization's partition; enqueuing twice runs it
    once. Should DBOS be out of reach, a worker's sweep enqueues it later."""
    try:
        durable.enqueue(
            durable.Enqueued(
                queue_name=QUEUE_NAME,
                workflow_name=WORKFLOW_NAME,
                workflow_id=workflow_id(job.pk),
                application=durable.APPLICATION,
                partition_key=str(job.organization_id),
            ),
            str(job.pk),
        )
    except Exception:
        logger.exception("cannot enqueue bulk job %s now; a worker's sweep will", job.pk)


def enqueue_lost_jobs(older_than_seconds: float) -> int:
    """Enqueue the jobs queued for a while that DBOS does not know (their enqueue was lost)."""
    jobs = services.unstarted_jobs(older_than_seconds)
    if not jobs:
        return 0
    known = durable.known_workflow_ids([workflow_id(job.pk) for job in jobs])
    lost = [job for job in jobs if workflow_id(job.pk) not in known]
    for job in lost:
        enqueue(job)
    return len(lost)


def run_job(job_id) -> str:
    """Act on the job's pending orders, wait for what they set going, and end the job."""
    job = services.begin_job(job_id)
    if job is None:
        return "finished"
    actor = services.job_actor(job)
    pacer = Pacer(
        settings.FABFLOW_BULK_ORDERS_PER_SECOND if job.action in services.FLOW_ACTIONS else None
    )
    failures = 0
    while item_ids := services.pending_items(job, CHUNK):
        try:
            for item_id in item_ids:
                pacer.wait()
                services.act_on_item(job=job, actor=actor, item_id=item_id)
            failures = 0
        except (InterfaceError, OperationalError):
            failures += 1
            if failures > MAX_DATABASE_RETRIES:
                raise
            logger.warning("bulk job %s met a database error; taking its order again", job_id)
            connection.close()
            time.sleep(DATABASE_RETRY_SECONDS)
    services.mark_settling(job)
    deadline = time.monotonic() + SETTLE_SECONDS
    while services.settle_items(job) and time.monotonic() < deadline:
        time.sleep(SETTLE_POLL_SECONDS)
    services.finish_job(job, gave_up_after_seconds=SETTLE_SECONDS)
    return "finished"


class Pacer:
    """Spaces calls to at most `per_second` a second (no limit for None)."""

    def __init__(self, per_second: float | None):
        self.interval = 1.0 / per_second if per_second else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval
