"""The DBOS adapter: the only module that imports dbos, and what it relies on beyond DBOS's
public API still there, with the parameters it calls it with, in the pinned DBOS version."""

import importlib
import inspect
import re
from importlib.metadata import version
from pathlib import Path

from fabflow import durable

SOURCE = Path(durable.__file__).resolve().parent


def problems_with(names) -> list[str]:
    """What is wrong, for the installed DBOS, with each (module, attribute path, parameters)."""
    problems = []
    for module_name, path, parameters in names:
        where = f"{module_name}.{path}"
        found = importlib.import_module(module_name)
        for part in path.split("."):
            found = inspect.getattr_static(found, part, None)
            if found is None:
                break
        if found is None:
            problems.append(f"dbos {version('dbos')} has no {where}")
            continue
        if isinstance(found, property):
            continue
        function = found.__func__ if isinstance(found, (classmethod, staticmethod)) else found
        if not callable(function):
            problems.append(f"{where} is no longer callable in dbos {version('dbos')}")
            continue
        actual = tuple(
            name for name in inspect.signature(function).parameters if name not in ("self", "cls")
        )
        if actual != tuple(parameters):
            problems.append(
                f"{where} takes {actual} in dbos {version('dbos')}, not {tuple(parameters)}"
            )
    return problems


def test_what_the_adapter_relies_on_is_in_the_pinned_dbos():
    assert problems_with(durable.PRIVATE_NAMES) == [], (
        "fabflow.durable relies on these; adapt it to the DBOS version pinned in pyproject.toml"
    )


def test_a_missing_or_changed_name_is_reported_by_name():
    assert problems_with(
        [
            ("dbos._dbos", "DBOS._recover_pending_workflows", ("executor_id",)),
            ("dbos._dbos", "DBOS._recover_every_workflow", ()),
            ("dbos._sys_db", "SystemDatabase.get_workflow_status", ("workflow_uuid",)),
        ]
    ) == [
        f"dbos._dbos.DBOS._recover_pending_workflows takes ('executor_ids',) in dbos "
        f"{version('dbos')}, not ('executor_id',)",
        f"dbos {version('dbos')} has no dbos._dbos.DBOS._recover_every_workflow",
    ]


def test_dbos_stopping_a_workflow_is_told_from_a_handler_failing():
    from dbos import error

    assert durable.is_cancellation(error.DBOSBaseException("cancelled")) is True
    assert durable.is_cancellation(SystemExit(1)) is False
    assert durable.is_cancellation(ZeroDivisionError()) is False


def test_dbos_is_imported_by_the_adapter_alone():
    importing = re.compile(r"^\s*(import dbos\b|from dbos\b)", re.MULTILINE)
    found = sorted(
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if importing.search(path.read_text())
    )
    assert found == ["durable.py"]


def test_the_files_app_reaches_the_workers_through_public_names_only():
    text = (SOURCE / "files" / "thumbnailing.py").read_text()
    assert re.findall(r"worker\._\w+", text) == []
