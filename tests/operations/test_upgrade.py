"""Upgrades keep data and in-flight orders: an installation made by an earlier release
(tests/fixtures/upgrade/, made by scripts/make_upgrade_fixture.py) is migrated by this code and
every one of its flows finishes; `fabflow migrate` refuses a database from a newer release."""

import gzip
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.operations.installations import ENGINES, OperatedInstallation, new_installation

pytestmark = pytest.mark.timeout(240)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "upgrade"
# The fixture's SECRET_KEY (scripts/make_upgrade_fixture.py): the stored key digests use it.
SECRET_KEY = "upgrade-fixture-only"


def install_fixture(installation: OperatedInstallation) -> dict:
    """Put a copy of the fixture's databases in the installation's data folder."""
    data_dir = installation.root / "var"
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in ("fabflow.sqlite3", "fabflow_dbos.sqlite3"):
        with gzip.open(FIXTURE / f"{name}.gz", "rb") as source, open(data_dir / name, "wb") as sink:
            shutil.copyfileobj(source, sink)
    installation.env["SECRET_KEY"] = SECRET_KEY
    return json.loads((FIXTURE / "orders.json").read_text())


def task_of(installation, order_id, key):
    [found] = [t for t in installation.call("tasks", order_id=order_id) if t["key"] == key]
    return found


def finish_every_flow(installation, orders: dict) -> None:
    """Confirm the manual tasks, post the connector's feedback, let the wait pass."""
    installation.start_worker()
    late = task_of(installation, orders["late"], "print")
    assert (late["status"], late["overdue"]) == ("waiting", True)
    assert installation.order_status(orders["late"]) == "unhealthy"
    for name in ("print", "late"):
        task = task_of(installation, orders[name], "print")
        confirmed = installation.call("action", name="confirm_task", task_id=task["id"])
        assert confirmed == {"status": "succeeded", "attempt": 1}
    ship = task_of(installation, orders["ship"], "ship")
    assert ship["status"] == "waiting"
    assert installation.call("post_feedback", token=ship["token"], status="success") == 202
    installation.wait_for(
        lambda: (
            {installation.order_status(order_id) for order_id in orders.values()} == {"success"}
        ),
        timeout=90,
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_the_current_code_upgrades_an_earlier_installation_and_finishes_its_flows(tmp_path, engine):
    """In place on SQLite; on PostgreSQL, moved there from SQLite by a backup and a restore."""
    with new_installation(tmp_path / "earlier", "sqlite", migrate=False) as installation:
        orders = install_fixture(installation)
        migrated = installation.fabflow("migrate", "-v0")
        assert migrated.returncode == 0, migrated.stderr
        assert task_of(installation, orders["cure"], "cure")["status"] == "running"
        if engine == "sqlite":
            finish_every_flow(installation, orders)
            return
        archive = tmp_path / "earlier.tar"
        made = installation.fabflow("backup", str(archive))
        assert made.returncode == 0, made.stderr
    with new_installation(tmp_path / "moved", "postgresql") as moved:
        moved.env["SECRET_KEY"] = SECRET_KEY
        restored = moved.fabflow("restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        assert "moved to PostgreSQL" in restored.stdout
        assert "1 flow tasks enqueued again" in restored.stdout

        finish_every_flow(moved, orders)


def sqlite_contents(database: Path) -> dict:
    """Every table's row count and the migrations recorded, read with SQLite alone."""
    with sqlite3.connect(database) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            "counts": {
                table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in tables
            },
            "migrations": connection.execute(
                "SELECT app, name FROM django_migrations ORDER BY app, name"
            ).fetchall(),
        }


def test_migrate_refuses_a_database_from_a_newer_release_and_changes_nothing(tmp_path):
    with new_installation(tmp_path / "newer", "sqlite", migrate=False) as installation:
        install_fixture(installation)
        database = installation.root / "var" / "fabflow.sqlite3"
        with sqlite3.connect(database) as connection:
            connection.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES "
                "('orders', '9999_from_a_newer_release', '2030-01-01 00:00:00')"
            )
        before = sqlite_contents(database)

        refused = installation.fabflow("migrate")

        assert refused.returncode == 1
        assert "migrated by a newer release of Fabflow" in refused.stderr
        assert "(orders.9999_from_a_newer_release)" in refused.stderr
        assert sqlite_contents(database) == before
