"""The engine tests' driver (tests/flows/driver.py) with what the operations tests also ask of an
installation: row counts, stored files, an upload, a connector's feedback over the API."""

import hashlib
from pathlib import Path

from tests.flows import driver as base


def table_counts():
    from fabflow.operations.rowcopy import table_counts as counts

    return counts()


def task_statuses():
    """Every order's tasks: order id → {task key: status}."""
    from fabflow.flows.models import TaskRun

    statuses = {}
    for order_id, key, status in TaskRun.objects.values_list("order_id", "task_key", "status"):
        statuses.setdefault(str(order_id), {})[key] = status
    return statuses


def stored_files():
    """Every stored file (relative path → SHA-256) under the local storage folder."""
    from django.core.files.storage import default_storage

    root = Path(default_storage.location)
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def upload(order_id, filename, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fabflow.files.services import add_asset

    asset = add_asset(
        actor=base._actor(),
        owner_type="order",
        owner_id=order_id,
        upload=SimpleUploadedFile(filename, text.encode(), content_type="text/plain"),
        kind="other",
    )
    return str(asset.pk)


def post_feedback(token, status):
    """POST a connector's report to the path of its updateUrl, through the REST API."""
    from django.test import Client

    response = Client().post(
        f"/api/v1/feedback/{token}",
        {"status": status},
        content_type="application/json",
        HTTP_HOST="localhost",
    )
    return response.status_code


if __name__ == "__main__":
    # The base driver looks requests up among its own functions: lend it these.
    vars(base).update(
        table_counts=table_counts,
        task_statuses=task_statuses,
        stored_files=stored_files,
        upload=upload,
        post_feedback=post_feedback,
    )
    base.main()
