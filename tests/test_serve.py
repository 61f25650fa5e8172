"""`fabflow serve` on an empty folder creates an installation and runs web and worker."""

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx
import pytest

from fabflow.cli import default_web_workers
from fabflow.files.generators import generate_meshes, get_generator
from fabflow.files.generators.export import export_mesh


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Served:
    """A running `fabflow serve` and what it printed on its first start."""

    url: str
    email: str
    password: str
    secret: str
    data_dir: object
    pid: int


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("serve") / "var"
    port = free_port()
    home = data_dir.parent / "home"
    home.mkdir()
    env = dict(os.environ, FABFLOW_DATA_DIR=str(data_dir), HOME=str(home))
    env.pop("XDG_RUNTIME_DIR", None)
    env.pop("DATABASE_URL", None)
    env.pop("SMTP_HOST", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "fabflow.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        while not any("Fabflow is serving" in line for line in lines):
            line = server.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        output = "".join(lines)
        assert f"outgoing e-mail is kept in {data_dir / 'outbox'}" in output
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(f"{url}/sign-in/")
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        yield Served(
            url=url,
            email=re.search(r"e-mail\s+(\S+)", output).group(1),
            password=re.search(r"password\s+(\S+)", output).group(1),
            secret=re.search(r"API secret key\s+(ffk_[0-9a-f]{12}_\S+)", output).group(1),
            data_dir=data_dir,
            pid=server.pid,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()


def children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as file:
        return [int(child) for child in file.read().split()]


def command_line(pid: int) -> list[str]:
    with open(f"/proc/{pid}/cmdline") as file:
        return file.read().split("\0")


def test_the_web_server_runs_one_single_threaded_process_per_core(served):
    (web,) = [pid for pid in children(served.pid) if "web" in command_line(pid)]
    assert len(children(web)) == default_web_workers()
    # A single-threaded (sync) process serves one request per connection.
    response = httpx.get(f"{served.url}/sign-in/")
    assert response.headers["connection"] == "close"


def test_nothing_is_written_outside_the_data_folder(served):
    # gunicorn's control socket would be ~/.gunicorn/gunicorn.ctl, shared by installations.
    assert list((served.data_dir.parent / "home").iterdir()) == []


@pytest.mark.timeout(120)
def test_the_printed_admin_can_sign_in_to_django_admin(served):
    with httpx.Client(base_url=served.url) as client:
        page = client.get("/django-admin/login/")
        response = client.post(
            "/django-admin/login/?next=/django-admin/",
            data={
                "username": served.email,
                "password": served.password,
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
            headers={"Referer": str(page.url)},
        )
        assert response.status_code == 302
        assert response.headers["location"] == "/django-admin/"
        assert client.get("/django-admin/").status_code == 200
    assert (served.data_dir / "fabflow.sqlite3").exists()
    assert (served.data_dir / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.timeout(120)
def test_an_uploaded_mesh_gets_its_preview_from_the_worker(served):
    ring = generate_meshes(get_generator("ring"), {"size": 18, "width": 4, "thickness": 2})[0]
    stl = export_mesh(ring.mesh, "stl").content
    headers = {"Authorization": f"Bearer {served.secret}"}
    with httpx.Client(base_url=f"{served.url}/api/v1", headers=headers, timeout=30) as api:
        order = api.post(
            "/orders",
            json={"name": "SERVE-1", "products": [{"name": "Ring", "units": 1, "unitValue": "99"}]},
        )
        assert order.status_code == 201, order.text
        product = order.json()["products"][0]
        assert product["thumbnailUrl"] is None
        upload = api.post(
            f"/products/{product['id']}/assets",
            data={"kind": "production"},
            files={"file": ("band.stl", stl, "model/stl")},
        )
        assert upload.status_code == 201, upload.text

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            thumbnail_url = api.get(f"/products/{product['id']}").json()["thumbnailUrl"]
            if thumbnail_url:
                break
            time.sleep(0.25)
        assert thumbnail_url, "the worker rendered no preview within 60 s"
        preview = api.get(thumbnail_url.removeprefix("/api/v1"))
        assert preview.status_code == 200
        assert preview.headers["content-type"] == "image/png"
        assert preview.content.startswith(b"\x89PNG\r\n\x1a\n")
