"""The systemd units and environment file of deploy/: systemd accepts them, their commands are
Fabflow's and run, and every variable they set is a setting Fabflow knows."""

import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from fabflow import config
from tests.flows.conftest import free_port
from tests.operations.test_operations_doc import production_environment
from tests.servers import first_answer

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = ["fabflow-web.service", "fabflow-worker@.service"]
INSTALLED_FABFLOW = "/opt/fabflow/venv/bin/fabflow"
INSTALLED_ENVIRONMENT = "/etc/fabflow/fabflow.env"
# What systemd puts for %H (the host name) and %i (the instance) in these tests.
HOST_NAME, INSTANCE = "orders1", "2"


def directives(unit: str, name: str) -> list[str]:
    """The values of every `name=` line of `unit`."""
    lines = (DEPLOY / unit).read_text().splitlines()
    return [line.split("=", 1)[1] for line in lines if line.startswith(f"{name}=")]


def environment_example() -> dict[str, str]:
    """The variables of deploy/fabflow.env.example, those commented out included."""
    variables = {}
    for line in (DEPLOY / "fabflow.env.example").read_text().splitlines():
        line = line.removeprefix("#")
        name, equals, value = line.partition("=")
        if equals and name.isupper() and " " not in name:
            variables[name] = value
    return variables


def test_systemd_analyze_verify_accepts_the_units(tmp_path):
    environment = tmp_path / "fabflow.env"
    shutil.copy(DEPLOY / "fabflow.env.example", environment)
    fabflow = str(Path(sys.executable).parent / "fabflow")
    for unit in UNITS:
        text = (DEPLOY / unit).read_text()
        text = text.replace(INSTALLED_FABFLOW, fabflow)
        text = text.replace(INSTALLED_ENVIRONMENT, str(environment))
        (tmp_path / unit).write_text(text)
    verified = subprocess.run(
        ["systemd-analyze", "verify", "fabflow-web.service", f"fabflow-worker@{INSTANCE}.service"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert (verified.returncode, verified.stdout, verified.stderr) == (0, "", "")


def test_the_units_read_their_settings_from_the_environment_file_only():
    for unit in UNITS:
        assert directives(unit, "EnvironmentFile") == [INSTALLED_ENVIRONMENT]
        assert directives(unit, "Environment") == []
        assert directives(unit, "ReadWritePaths") == ["/var/lib/fabflow"]
        assert directives(unit, "ProtectSystem") == ["strict"]
        assert directives(unit, "NoNewPrivileges") == ["yes"]
        assert directives(unit, "Restart") == ["always"]


def test_the_environment_example_sets_only_settings_fabflow_knows():
    variables = environment_example()
    assert set(variables) - set(config.KNOWN_SETTINGS) == set()
    assert variables["FABFLOW_PRODUCTION"] == "true"
    assert variables["FABFLOW_DATA_DIR"] == "/var/lib/fabflow"
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "STORAGE_URL"} <= set(variables)


def exec_start(unit: str, **replacements: str) -> list[str]:
    """The unit's command line as this machine runs it: systemd's specifiers filled in."""
    (command,) = directives(unit, "ExecStart")
    command = command.replace("%H", HOST_NAME).replace("%i", INSTANCE)
    for old, new in replacements.items():
        command = command.replace(old, new)
    executable, *arguments = shlex.split(command)
    assert executable == INSTALLED_FABFLOW
    return [sys.executable, "-m", "fabflow.cli", *arguments]


def test_the_units_commands_serve_and_work_and_stop_cleanly_on_sigterm(tmp_path):
    env = {**production_environment(tmp_path), "HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "fabflow.cli", "migrate", "-v0"], env=env, check=True)
    port = free_port()
    web = subprocess.Popen(
        exec_start("fabflow-web.service", **{"--port 8000": f"--port {port}"}),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        exec_start("fabflow-worker@.service"), env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout.readline() == f"Fabflow worker {HOST_NAME}-{INSTANCE} is running\n"
        headers = {"Host": "orders.example.com", "X-Forwarded-Proto": "https"}
        answer = first_answer(
            f"http://127.0.0.1:{port}/sign-in/", process=web, timeout=60, headers=headers
        )
        assert answer.status_code == 200
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        codes = [web.wait(timeout=30), worker.wait(timeout=30)]
        worker.stdout.close()
    assert codes == [0, 0]
