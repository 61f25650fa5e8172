"""The engine tests' driver (tests/flows/driver.py) with the calls the bulk job tests need."""

from tests.flows import driver


def create_bulk_job(action, arguments, order_ids, organization=None):
    """A job of the organization (the installation's only one when None), acting as the system;
    its id."""
    from fabflow.bulk import services

    return str(
        services.create_job(
            actor=driver._actor(organization),
            action=action,
            arguments=arguments,
            order_ids=order_ids,
        ).pk
    )


def lose_enqueue_of_bulk_job(action, arguments, order_ids):
    """A queued job that no queue holds, as when its enqueue was lost: created awaiting
    confirmation (nothing enqueued), then marked queued in the database alone; its id."""
    from fabflow.bulk import services
    from fabflow.bulk.models import BulkJob, BulkJobStatus

    job = services.create_job(
        actor=driver._actor(),
        action=action,
        arguments=arguments,
        order_ids=order_ids,
        keep_unconfirmed=True,
    )
    assert job.status == BulkJobStatus.AWAITING_CONFIRMATION, job.status
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJobStatus.QUEUED)
    return str(job.pk)


def bulk_job(job_id):
    """The job's status and its outcome counts."""
    from fabflow.bulk import services
    from fabflow.bulk.models import BulkJob

    job = BulkJob.objects.get(pk=job_id)
    return {"status": job.status, "counts": services.outcome_counts(job)}


def waiting_tasks():
    """How many tasks wait for a person or for feedback, in every organization."""
    from fabflow.flows.models import TaskRun, TaskStatus

    return TaskRun.objects.filter(status=TaskStatus.WAITING).count()


def order_events(event_type):
    """How many history lines of `event_type` each order has, by order id."""
    from django.db.models import Count

    from fabflow.orders.models import OrderEvent

    rows = OrderEvent.objects.filter(type=event_type).values("order_id").annotate(n=Count("id"))
    return {str(row["order_id"]): row["n"] for row in rows}


if __name__ == "__main__":
    for function in (
        create_bulk_job,
        lose_enqueue_of_bulk_job,
        bulk_job,
        waiting_tasks,
        order_events,
    ):
        setattr(driver, function.__name__, function)
    driver.main()
