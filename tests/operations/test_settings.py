"""Settings: every one declared in config.py and documented from there; unknown ones warned of."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fabflow import config

REPOSITORY = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY / "scripts"))

import settings_table  # noqa: E402

# A name read from the environment: through config's helpers or os.environ.
READ = re.compile(
    r"""(?:env_(?:str|bool|int|float|list|choice)\(|os\.environ\.get\(|os\.environ\[)\s*"([A-Z][A-Z0-9_]*)\""""
)
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE"}


def names_read_by_the_code() -> set[str]:
    names = set()
    for path in (REPOSITORY / "src" / "fabflow").rglob("*.py"):
        names.update(READ.findall(path.read_text()))
    return names - NOT_SETTINGS


def test_every_setting_the_code_reads_is_declared():
    undeclared = sorted(names_read_by_the_code() - set(config.KNOWN_SETTINGS))
    assert undeclared == [], f"declare these in fabflow/config.py SETTINGS: {undeclared}"


def test_every_declared_setting_is_read_somewhere():
    # The code reads each; a setting only for tests or benchmarks is named where they use it.
    elsewhere = "\n".join(
        path.read_text()
        for folder in ("scripts", "bench", "tests")
        for path in (REPOSITORY / folder).rglob("*.py")
        if path != Path(__file__)
    )
    unread = sorted(
        name
        for name in config.KNOWN_SETTINGS
        if name not in names_read_by_the_code()
        and f"{name}=" not in elsewhere
        and f'"{name}"' not in elsewhere
    )
    assert unread == []


def test_the_documented_table_is_the_declared_one():
    documented = settings_table.documented_table((REPOSITORY / "docs" / "index.md").read_text())
    assert documented == config.settings_table(), (
        "docs/index.md's settings table differs from fabflow/config.py: "
        "run `.venv/bin/python scripts/settings_table.py`"
    )


def test_a_setting_is_declared_once():
    names = [setting.name for setting in config.SETTINGS]
    assert len(names) == len(set(names))


def test_unknown_settings_name_the_closest_known_one():
    environ = {
        "FABFLOW_PUBLC_URL": "http://orders.example.com",
        "SMTP_HOTS": "mail.example.com",
        "DATABSE_URL": "postgres://x",
        "FABFLOW_SOMETHING_ELSE": "1",
        "FABFLOW_PUBLIC_URL": "http://orders.example.com",
        "ACME_S3_ACCESS_KEY_ID": "AKIA",
        "ACME_S3_SECRET_ACCESS_KEY": "secret",
        "PATH": "/usr/bin",
        "HOME": "/home/fabflow",
        "LANG": "C.UTF-8",
        "PGHOST": "db",
    }
    assert config.unknown_settings(environ) == [
        ("DATABSE_URL", "DATABASE_URL"),
        ("FABFLOW_PUBLC_URL", "FABFLOW_PUBLIC_URL"),
        ("FABFLOW_SOMETHING_ELSE", None),
        ("SMTP_HOTS", "SMTP_HOST"),
    ]


def start_django(**environ) -> subprocess.CompletedProcess:
    """Start Django in a process of its own with `environ` added; what it wrote and its code."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name in config.KNOWN_SETTINGS or not config.unknown_settings({name: value})
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "fabflow.settings", **environ},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_misspelled_setting_is_a_warning_at_start(tmp_path):
    started = start_django(FABFLOW_DATA_DIR=str(tmp_path), FABFLOW_WORKR_ID="worker-2")
    assert started.returncode == 0
    assert started.stderr == (
        "FABFLOW_WORKR_ID is not a Fabflow setting and is ignored; did you mean FABFLOW_WORKER_ID?\n"
    )


def test_the_warning_is_a_json_line_with_log_format_json(tmp_path):
    started = start_django(
        FABFLOW_DATA_DIR=str(tmp_path), LOG_FORMAT="json", SMTP_PASWORD="hunter2-secret"
    )
    assert started.returncode == 0
    line = json.loads(started.stderr)
    assert (line["level"], line["logger"], line["message"]) == (
        "WARNING",
        "fabflow.config",
        "SMTP_PASWORD is not a Fabflow setting and is ignored; did you mean SMTP_PASSWORD?",
    )
    assert "hunter2-secret" not in started.stderr


def test_an_unknown_log_format_refuses_to_start(tmp_path):
    started = start_django(FABFLOW_DATA_DIR=str(tmp_path), LOG_FORMAT="yaml")
    assert started.returncode == 1
    assert "LOG_FORMAT must be one of text, json, not 'yaml'" in started.stderr
    assert list(tmp_path.iterdir()) == []


def test_setting_django_up_in_a_new_data_folder_creates_nothing(tmp_path):
    started = start_django(FABFLOW_DATA_DIR=str(tmp_path / "var"), SECRET_KEY="", DATABASE_URL="")
    assert (started.returncode, started.stderr) == (0, "")
    assert list(tmp_path.iterdir()) == []


def test_a_first_command_makes_the_data_folder_and_a_secret_key_it_keeps(tmp_path):
    data_dir = tmp_path / "var"
    env = {name: value for name, value in os.environ.items() if name != "SECRET_KEY"}
    env.update(FABFLOW_DATA_DIR=str(data_dir), DATABASE_URL="")
    migrate = [sys.executable, "-m", "fabflow.cli", "migrate", "-v0"]

    subprocess.run(migrate, env=env, check=True, timeout=120)
    key = (data_dir / "secret_key").read_text()
    subprocess.run(migrate, env=env, check=True, timeout=120)

    assert sorted(path.name for path in data_dir.iterdir()) == [
        "fabflow.sqlite3",
        "fabflow.sqlite3-writers",
        "secret_key",
    ]
    assert ((data_dir / "secret_key").read_text(), len(key)) == (key, 67)
    assert (data_dir / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("SMTP_PASSWORD", "hunter2", "********"),
        ("FABFLOW_METRICS_TOKEN", "token", "********"),
        (
            "DATABASE_URL",
            "postgres://fab:pw-123@db:5432/fab",
            "postgres://fab:********@db:5432/fab",
        ),
        ("SMTP_HOST", "mail.example.com", "mail.example.com"),
        ("SMTP_HOST", "", ""),
    ],
)
def test_shown_configuration_masks_secrets(name, value, shown):
    assert config.masked(config.KNOWN_SETTINGS[name], value) == shown
