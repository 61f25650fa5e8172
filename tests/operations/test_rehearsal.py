"""The production rehearsal (scripts/rehearsal.py): a short run in the PostgreSQL pass, and its
checks, which must catch a lost, a doubled or a stray side effect."""

import shlex
import subprocess
import sys

import pytest

from tests.operations.test_operations_doc import REHEARSAL, REPOSITORY, blocks

# The rehearsal is a script beside scripts/with_postgres.py, not a package.
sys.path.insert(0, str(REPOSITORY / "scripts"))

import rehearsal


@pytest.mark.scale_out
@pytest.mark.timeout(240)
def test_the_guides_rehearsal_loses_no_order_and_runs_every_flow_once():
    (command,) = blocks(REHEARSAL, "sh")
    python, script, *arguments = shlex.split(command)
    assert (python, script) == ("python", "scripts/rehearsal.py")
    finished = subprocess.run(
        [sys.executable, script, *arguments], cwd=REPOSITORY, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr[-5000:]
    assert "violations           0\n" in finished.stdout
    assert "SIGKILLed worker w1" in finished.stdout
    assert "web2 serves again" in finished.stdout
    acknowledged = int(finished.stdout.split("orders acknowledged")[1].split()[0])
    succeeded = int(finished.stdout.split("flows succeeded")[1].split()[0])
    assert acknowledged == succeeded
    assert acknowledged > 0


def acknowledged(*names: str) -> rehearsal.Load:
    load = rehearsal.Load()
    load.acknowledged = {name: f"id-{name}" for name in names}
    return load


def test_one_delivery_id_per_order_passes_and_its_repeats_are_counted():
    deliveries = rehearsal.Deliveries()
    deliveries.record("R-1", "d1")
    deliveries.record("R-2", "d2")
    deliveries.record("R-2", "d2")
    assert rehearsal.check_deliveries("e-mail", deliveries, acknowledged("R-1", "R-2")) == ([], 1)


def test_a_lost_a_doubled_and_a_stray_delivery_are_violations():
    deliveries = rehearsal.Deliveries()
    deliveries.record("R-2", "d2")
    deliveries.record("R-2", "d2-again")
    deliveries.record("R-9", "d9")
    violations, _repeats = rehearsal.check_deliveries(
        "e-mail", deliveries, acknowledged("R-1", "R-2")
    )
    assert violations == [
        "R-1: e-mail delivery ids [], not one",
        "R-2: e-mail delivery ids ['d2', 'd2-again'], not one",
        "R-9: e-mail for an order never acknowledged",
    ]
