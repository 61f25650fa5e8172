"""`fabflow serve` on an empty folder creates an installation and runs web and worker."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import httpx
import pytest

from fabflow.config import default_web_workers
from fabflow.generators import generate_meshes, get_generator
from fabflow.generators.export import export_mesh
from fabflow.supervisor import STABLE_AFTER_SECONDS, Child


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServeProcess:
    """A `fabflow serve` on a free port of 127.0.0.1, in a data folder of its own; a thread
    keeps what it prints (stdout and stderr) in `lines`."""

    def __init__(self, data_dir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        home = data_dir.parent / "home"
        home.mkdir()
        env = dict(os.environ, FABFLOW_DATA_DIR=str(data_dir), HOME=str(home))
        env.pop("XDG_RUNTIME_DIR", None)
        env.pop("DATABASE_URL", None)
        env.pop("SMTP_HOST", None)
        env.pop("LOG_LEVEL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fabflow.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, predicate, what: str, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            assert self.process.poll() is None, self.output
            time.sleep(0.1)
        raise AssertionError(f"no {what} within {timeout} s; fabflow serve printed:\n{self.output}")

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/sign-in/").status_code == 200
        except httpx.TransportError:
            return False

    def wait_until_serving(self):
        self.wait_for(lambda: "Fabflow is serving" in self.output, "start")
        self.wait_for(self.answers, "answer on the port")

    def child(self, name: str) -> int | None:
        """The pid of the `web` or `worker` child, None while it is down."""
        pids = [pid for pid in children(self.process.pid) if name in command_line(pid)]
        return pids[0] if pids else None

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)
        self.reader.join(timeout=10)
        self.process.stdout.close()


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
    server = ServeProcess(data_dir)
    try:
        server.wait_until_serving()
        output = server.output
        assert f"outgoing e-mail is kept in {data_dir / 'outbox'}" in output
        yield Served(
            url=server.url,
            email=re.search(r"e-mail\s+(\S+)", output).group(1),
            password=re.search(r"password\s+(\S+)", output).group(1),
            secret=re.search(r"API secret key\s+(ffk_[0-9a-f]{12}_\S+)", output).group(1),
            data_dir=data_dir,
            pid=server.process.pid,
        )
    finally:
        server.stop()


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as file:
            return [int(child) for child in file.read().split()]
    except FileNotFoundError:  # the process has ended
        return []


def command_line(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline") as file:
            return file.read().split("\0")
    except FileNotFoundError:  # the process has ended
        return []


def is_running(pid: int) -> bool:
    """Whether `pid` is a live process (not gone, not a zombie waiting to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


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
def test_the_printed_admin_signs_in_to_the_organization_not_to_django_admin(served):
    with httpx.Client(base_url=served.url) as client:
        admin_login = client.get("/django-admin/login/")
        assert admin_login.headers["location"] == "/sign-in/?next=/django-admin/"
        page = client.get("/sign-in/")
        response = client.post(
            "/sign-in/",
            data={
                "email": served.email,
                "password": served.password,
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
            headers={"Referer": str(page.url)},
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        assert client.get("/").status_code == 200
        # The first admin is an organization's admin, never Django staff (docs/security.md).
        assert client.get("/django-admin/login/").status_code == 403
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


@pytest.mark.timeout(180)
def test_killed_children_are_started_again_and_sigterm_stops_them_all(tmp_path):
    server = ServeProcess(tmp_path / "var")
    try:
        server.wait_until_serving()
        web, worker = server.child("web"), server.child("worker")
        web_processes = [web, *children(web)]

        os.kill(web, signal.SIGKILL)
        server.wait_for(
            lambda: f"web (pid {web}) exited with signal SIGKILL" in server.output, "log"
        )
        # gunicorn's own workers go with their master: none is left holding the port.
        server.wait_for(lambda: not any(map(is_running, web_processes)), "end of the old web")
        new_web = server.wait_for(lambda: server.child("web"), "new web process")
        server.wait_for(server.answers, "answer after the restart")
        assert new_web != web

        os.kill(worker, signal.SIGKILL)
        server.wait_for(
            lambda: f"worker (pid {worker}) exited with signal SIGKILL" in server.output, "log"
        )
        new_worker = server.wait_for(lambda: server.child("worker"), "new worker process")
        assert new_worker != worker
        server.wait_for(lambda: f"worker started (pid {new_worker})" in server.output, "log")

        everything = [new_web, *children(new_web), new_worker]
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
        assert [pid for pid in everything if is_running(pid)] == []
        assert server.answers() is False
    finally:
        server.stop()


def test_a_sigkilled_serve_takes_its_children_and_gunicorns_workers_with_it(tmp_path):
    server = ServeProcess(tmp_path / "var")
    everything = []
    try:
        server.wait_until_serving()
        web, worker = server.child("web"), server.child("worker")
        everything = [web, *children(web), worker]
        assert len(everything) > 2, "gunicorn's worker processes"

        server.process.send_signal(signal.SIGKILL)
        assert server.process.wait(timeout=10) == -signal.SIGKILL
        deadline = time.monotonic() + 30
        while (left := [pid for pid in everything if is_running(pid)]) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.1)
        assert left == [], f"still running 30 s after serve was killed: {left}\n{server.output}"
        assert server.answers() is False
    finally:
        for pid in everything:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.stop()


def test_restarts_wait_longer_after_each_quick_exit_and_start_over_after_a_long_run():
    child = Child(name="worker", argv=[sys.executable, "-c", "pass"])
    delays = []
    for _ in range(7):
        child.start()
        child.process.wait()
        child.reap(now=child.started_at + 0.5)
        delays.append(child.restart_at - (child.started_at + 0.5))
    assert delays == [1, 2, 4, 8, 16, 30, 30]

    child.start()
    child.process.wait()
    child.reap(now=child.started_at + STABLE_AFTER_SECONDS)
    assert child.restart_at - child.started_at == STABLE_AFTER_SECONDS + 1
    assert child.process is None
