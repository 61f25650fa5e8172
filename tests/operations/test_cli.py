"""The command line: `fabflow check`, the refusal to make an empty database, serve's address."""

import os
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fabflow import config
from fabflow.cli import public_url
from tests.servers import first_answer

REPOSITORY = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment(**added) -> dict:
    """This process's environment without any Fabflow setting, plus `added`."""
    kept = {name: value for name, value in os.environ.items() if name not in config.KNOWN_SETTINGS}
    return {**kept, "PYTHONPATH": str(REPOSITORY / "src"), **added}


def fabflow(*argv, cwd, **environ) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fabflow.cli", *argv],
        cwd=cwd,
        env=clean_environment(**environ),
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    """A migrated installation in a folder of its own, with a system database that answers."""
    root = tmp_path_factory.mktemp("installation")
    migrated = fabflow("migrate", "-v0", cwd=root)
    assert migrated.returncode == 0, migrated.stderr
    sqlite3.connect(root / "var" / "fabflow_dbos.sqlite3").close()
    return root


def test_a_command_run_outside_the_installation_is_refused(tmp_path):
    finished = fabflow("createadmin", "ada@example.com", cwd=tmp_path)
    assert finished.returncode == 1
    database = tmp_path / "var" / "fabflow.sqlite3"
    assert finished.stderr.splitlines()[:2] == [
        f"fabflow createadmin: there is no Fabflow database at {database}.",
        "Fabflow looks for it in FABFLOW_DATA_DIR, which is ./var of the folder the command "
        f"runs in ({tmp_path}) unless set.",
    ]
    assert "FABFLOW_DATA_DIR=/path/to/installation/var fabflow createadmin" in finished.stderr
    assert "DATABASE_URL=" in finished.stderr
    assert finished.stdout == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["worker", "web", "demo", "createkey"])
def test_every_command_that_needs_the_database_is_refused_without_it(tmp_path, command):
    finished = fabflow(command, cwd=tmp_path)
    assert finished.returncode == 1
    assert f"fabflow {command}: there is no Fabflow database at" in finished.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_command_pointed_at_the_installation_runs(installation, tmp_path):
    finished = fabflow(
        "createadmin",
        "ada@example.com",
        "--password",
        "a long enough password 1",
        "--organization",
        "Ringmakers",
        cwd=tmp_path,
        FABFLOW_DATA_DIR=str(installation / "var"),
    )
    assert finished.returncode == 0, finished.stderr
    assert list(tmp_path.iterdir()) == []


def test_check_shows_the_settings_in_force_and_tries_every_service(installation, smtp_server):
    finished = fabflow(
        "check",
        cwd=installation,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_server.port),
        SMTP_PASSWORD="smtp-password-never-shown",
        FABFLOW_METRICS_TOKEN="metrics-token-never-shown",
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    lines = finished.stdout.splitlines()
    assert lines[0] == "System check identified no issues (0 silenced)."
    assert re.search(r"^  SMTP_PASSWORD +\*{8}$", finished.stdout, re.MULTILINE)
    assert re.search(r"^  FABFLOW_METRICS_TOKEN +\*{8}$", finished.stdout, re.MULTILINE)
    assert re.search(rf"^  SMTP_PORT +{smtp_server.port}$", finished.stdout, re.MULTILINE)
    assert "never-shown" not in finished.stdout + finished.stderr
    services = lines[lines.index("Services:") + 1 :]
    assert [line.split()[:2] for line in services] == [
        ["ok", "database"],
        ["ok", "system_database"],
        ["ok", "storage"],
        ["ok", "mail"],
    ]
    assert services[3].endswith(f"127.0.0.1:{smtp_server.port} answers EHLO and NOOP")
    assert smtp_server.messages == []


def test_check_names_the_failing_part_and_exits_non_zero(installation):
    finished = fabflow("check", cwd=installation, SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()))
    assert finished.returncode == 1
    assert "  FAILING mail             ConnectionRefusedError" in finished.stdout
    assert finished.stderr == "CommandError: These parts fail: mail\n"


def test_check_deploy_is_djangos_check(installation):
    finished = fabflow("check", "--deploy", "--fail-level", "CRITICAL", cwd=installation)
    assert finished.returncode == 0, finished.stderr
    assert finished.stderr.startswith("System check identified some issues:")
    assert finished.stdout == ""


@pytest.mark.parametrize(
    ("host", "port", "configured", "expected"),
    [
        ("127.0.0.1", 8080, "", "http://127.0.0.1:8080"),
        ("0.0.0.0", 8123, "", "http://127.0.0.1:8123"),
        ("::1", 9000, "", "http://[::1]:9000"),
        ("orders.local", 80, "", "http://orders.local:80"),
        ("0.0.0.0", 8123, "https://orders.example.com/", "https://orders.example.com"),
    ],
)
def test_the_public_address_follows_serve_unless_set(monkeypatch, host, port, configured, expected):
    monkeypatch.setenv("FABFLOW_PUBLIC_URL", configured)
    assert public_url(host, port) == expected


def test_make_run_takes_port_and_host():
    # Under `make test` the variables of the outer make would make this one print its folder.
    outside_make = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL"}}
    finished = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", "PORT=8123", "HOST=0.0.0.0"],
        cwd=REPOSITORY,
        env=outside_make,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.splitlines()[-1] == ".venv/bin/fabflow serve --host 0.0.0.0 --port 8123"


def test_serve_on_a_chosen_port_says_where_to_open_it(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "fabflow.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=clean_environment(HOME=str(tmp_path)),
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
        url = f"http://127.0.0.1:{port}/"
        assert f"  sign in at      {url}\n" in output
        assert f"Fabflow is serving at {url} (open it in your browser)\n" in output
        response = first_answer(f"{url}healthz", process=server, timeout=60)
        assert response.status_code == 200
        assert (tmp_path / "var" / "fabflow.sqlite3").exists()
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()
