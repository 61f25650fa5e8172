"""`fabflow serve` on an empty folder creates an installation and serves it."""

import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.timeout(120)
def test_serve_bootstraps_an_empty_folder_and_the_admin_can_sign_in(tmp_path):
    port = free_port()
    env = dict(os.environ, FABFLOW_DATA_DIR=str(tmp_path / "var"))
    env.pop("DATABASE_URL", None)
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
        email = re.search(r"e-mail\s+(\S+)", output).group(1)
        password = re.search(r"password\s+(\S+)", output).group(1)
        assert re.search(r"API secret key\s+ffk_[0-9a-f]{12}_\S+", output)

        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(100):
                try:
                    page = client.get("/django-admin/login/")
                    break
                except httpx.ConnectError:
                    time.sleep(0.1)
            token = client.cookies["csrftoken"]
            response = client.post(
                "/django-admin/login/?next=/django-admin/",
                data={"username": email, "password": password, "csrfmiddlewaretoken": token},
                headers={"Referer": str(page.url)},
            )
            assert response.status_code == 302
            assert response.headers["location"] == "/django-admin/"
            assert client.get("/django-admin/").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()
    assert (tmp_path / "var" / "fabflow.sqlite3").exists()
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0
