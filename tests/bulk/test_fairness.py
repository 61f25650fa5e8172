"""One organization's bulk jobs do not hold up another's: the bulk queue runs one job of an
organization at a time, so however many large jobs one organization has queued, a worker still
has a place for another organization's small job."""

import pytest

from tests.bulk.test_crash_safety import CHECK_FLOW, start_bulk_driver

# A worker runs this many bulk jobs at once; the large organization queues as many jobs.
CONCURRENCY = 2
# Each large job confirms this many orders at 5 a second: about 12 seconds a job.
LARGE_JOB_ORDERS = 60


@pytest.mark.timeout(300)
def test_a_small_job_finishes_while_another_organizations_large_jobs_still_run(installation):
    installation.env["FABFLOW_BULK_ORDERS_PER_SECOND"] = "5"
    installation.env["FABFLOW_BULK_CONCURRENCY"] = str(CONCURRENCY)
    start_bulk_driver(installation)
    large = installation.call("setup", definition=CHECK_FLOW, organization_name="Ringmakers")
    small = installation.call("setup", definition=CHECK_FLOW, organization_name="Lampmakers")
    installation.start_worker()
    large_orders = [
        installation.call(
            "create_orders",
            count=LARGE_JOB_ORDERS,
            flow_key=large["flowKey"],
            organization=large["organization"],
            prefix=f"Job {number}",
        )
        for number in range(CONCURRENCY)
    ]
    small_orders = installation.call(
        "create_orders", count=1, flow_key=small["flowKey"], organization=small["organization"]
    )
    installation.wait_for(
        lambda: installation.call("waiting_tasks") == CONCURRENCY * LARGE_JOB_ORDERS + 1,
        timeout=60,
    )
    large_jobs = [
        installation.call(
            "create_bulk_job",
            action="confirm",
            arguments={"comment": "ok"},
            order_ids=order_ids,
            organization=large["organization"],
        )
        for order_ids in large_orders
    ]
    small_job = installation.call(
        "create_bulk_job",
        action="confirm",
        arguments={"comment": "ok"},
        order_ids=small_orders,
        organization=small["organization"],
    )

    finished = installation.wait_for(
        lambda: (
            (job := installation.call("bulk_job", job_id=small_job))["status"] == "finished" and job
        ),
        timeout=60,
    )
    large_now = [installation.call("bulk_job", job_id=job_id) for job_id in large_jobs]

    assert finished["counts"] == {"pending": 0, "working": 0, "done": 1, "refused": 0, "failed": 0}
    # The large organization's first job is still confirming its orders; its second waits for
    # it rather than taking the worker's other place.
    assert [job["status"] for job in large_now] == ["running", "queued"]
    assert all(job["counts"]["pending"] > 0 for job in large_now)
