"""A bulk job whose enqueue was lost (queued in the database, on no queue) is found by a worker's
sweep and run to its end; the worker knows bulk jobs only as work the bulk app offered it."""

import os
import subprocess
import sys

import pytest

from fabflow import durable
from fabflow.bulk import runner
from fabflow.files import thumbnailing
from tests.bulk.test_crash_safety import CHECK_FLOW, start_bulk_driver


def test_the_workers_host_the_previews_and_the_bulk_jobs():
    hosted = {work.name: work for work in durable.hosted_work()}
    assert list(hosted) == ["previews", "bulk jobs"]
    assert hosted["previews"].module == thumbnailing.__name__
    assert hosted["bulk jobs"].module == runner.__name__
    # What each module offers the worker (register_queues only where the work has a queue).
    for module in (thumbnailing, runner):
        assert callable(module.register_workflows)
        assert callable(module.enqueue_lost_jobs)
    assert callable(runner.register_queues)
    assert not hasattr(thumbnailing, "register_queues")


def test_starting_a_process_does_not_import_the_work_it_may_host():
    """Hosted work is imported by the worker that runs it: a command, a web process or a worker
    before it starts its queues does not load the previews' geometry kernel for it."""
    script = (
        "import sys, django; django.setup(); "
        "print(sorted(m for m in ('trimesh', 'fabflow.files.thumbnailing', 'fabflow.bulk.runner')"
        " if m in sys.modules))"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="fabflow.settings")
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.timeout(180)
def test_a_bulk_job_whose_enqueue_was_lost_is_run_by_the_sweep(installation):
    installation.env["FABFLOW_BULK_CONFIRM_OVER"] = "1"
    start_bulk_driver(installation)
    setup = installation.call("setup", definition=CHECK_FLOW)
    order_ids = installation.call("create_orders", count=3, flow_key=setup["flowKey"])
    installation.start_worker()
    job_id = installation.call(
        "lose_enqueue_of_bulk_job",
        action="add_tag",
        arguments={"tag": "found"},
        order_ids=order_ids,
    )
    finished = installation.wait_for(
        lambda: (
            (job := installation.call("bulk_job", job_id=job_id))["status"] == "finished" and job
        ),
        timeout=60,
    )
    assert finished["counts"] == {"pending": 0, "working": 0, "done": 3, "refused": 0, "failed": 0}
