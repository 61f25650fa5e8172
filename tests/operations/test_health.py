"""/healthz and /readyz: answered without a session, naming each part and the failing ones."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from fabflow.flows.models import WorkerHeartbeat

READY_PARTS = ["database", "system_database", "storage", "workers"]


def files_under(root):
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_healthz_answers_without_the_database(client):
    # No `db` fixture: any database access in this test would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_is_ready_when_every_part_answers(client, system_database, media_root, live_worker):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ready",
        "checks": dict.fromkeys(READY_PARTS, "ok"),
        "failing": [],
    }
    # The storage probe wrote, read and deleted its file: nothing is left behind.
    assert files_under(media_root) == []
    assert "Set-Cookie" not in response.headers


def test_readyz_names_a_worker_that_stopped_heart_beating(
    client, system_database, media_root, live_worker
):
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(seconds=60))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unready"
    assert body["failing"] == ["workers"]
    assert body["checks"] == {**dict.fromkeys(READY_PARTS, "ok"), "workers": "failing"}


def test_readyz_without_any_worker(client, system_database, media_root):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["failing"] == ["workers"]


def test_readyz_never_creates_a_missing_system_database(
    client, settings, tmp_path, media_root, live_worker
):
    missing = tmp_path / "nowhere" / "dbos.sqlite3"
    settings.DBOS_SYSTEM_DATABASE_URL = f"sqlite:///{missing}"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["failing"] == ["system_database"]
    assert not missing.exists()
    assert not missing.parent.exists()


def test_readyz_names_storage_it_cannot_write(
    client, settings, tmp_path, system_database, live_worker
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = str(blocker / "files")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["failing"] == ["storage"]
    assert blocker.read_text() == "not a folder"


def test_readyz_asks_the_s3_bucket(client, s3_storage, system_database, live_worker):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content)["checks"]["storage"] == "ok"


def test_readyz_names_an_s3_bucket_that_does_not_answer(
    client, settings, s3_storage, system_database, live_worker
):
    from fabflow import config

    settings.STORAGES = {
        **settings.STORAGES,
        "default": config.default_storage("s3://no-such-bucket/x", media_root=settings.MEDIA_ROOT),
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["failing"] == ["storage"]


def test_readyz_tells_an_anonymous_caller_no_detail(
    client, settings, tmp_path, media_root, live_worker
):
    settings.DBOS_SYSTEM_DATABASE_URL = f"sqlite:///{tmp_path / 'secret-place' / 'dbos.sqlite3'}"
    response = client.get("/readyz")
    assert b"secret-place" not in response.content


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_take_get_only_and_need_no_csrf_token(client, path, db):
    response = client.post(path)
    assert response.status_code == 405
