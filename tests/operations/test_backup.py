"""`fabflow backup` and `fabflow restore` on whole installations with real workers: a backup taken
while orders are created and flows run restores whole into a new installation (on PostgreSQL
too: the move from SQLite), flows in flight go on there, and refused restores change nothing."""

import io
import json
import tarfile
import threading
from hashlib import sha256

import pytest

from tests.files.conftest import s3_environment, s3_server, s3_storage  # noqa: F401 (fixtures)
from tests.operations.installations import ENGINES, manifest_of, new_installation

pytestmark = pytest.mark.timeout(240)

# Each pair is (the backed-up installation's engine, the restored one's).
ROUND_TRIPS = (
    [("sqlite", "sqlite")]
    if ENGINES == ["sqlite"]
    else [
        ("sqlite", "postgresql"),
        ("postgresql", "postgresql"),
    ]
)


def print_flow():
    """An automatic task, then a task a person confirms."""
    return [
        {
            "key": "prepare",
            "tasks": [{"key": "settle", "handlerKey": "wait", "payload": {"duration": 0}}],
        },
        {
            "key": "make",
            "tasks": [
                {
                    "key": "print",
                    "handlerKey": "manual-confirmation",
                    "payload": {"title": "Print the rings"},
                }
            ],
        },
    ]


def print_task(installation, order_id):
    [found] = [t for t in installation.call("tasks", order_id=order_id) if t["key"] == "print"]
    return found


def are_waiting_for_print(installation, order_ids) -> bool:
    statuses = installation.call("task_statuses")
    return all(statuses.get(order_id, {}).get("print") == "waiting" for order_id in order_ids)


def create_orders_until(installation, flow_key, stop: threading.Event, created: list):
    batch = 0
    while not stop.is_set():
        batch += 1
        created += installation.call(
            "create_orders", count=5, flow_key=flow_key, prefix=f"Burst {batch}"
        )


@pytest.mark.parametrize(("source_engine", "target_engine"), ROUND_TRIPS)
def test_a_backup_taken_during_a_burst_restores_whole_and_its_flows_go_on(
    tmp_path, source_engine, target_engine
):
    archive = tmp_path / "backup.tar.gz"
    with new_installation(tmp_path / "source", source_engine) as source:
        setup = source.call("setup", definition=print_flow())
        [waiting] = source.call(
            "create_orders", count=1, flow_key=setup["flowKey"], prefix="Waiting"
        )
        source.call("upload", order_id=waiting, filename="design.txt", text="ring, size 52")
        source.start_worker()
        source.wait_for(lambda: are_waiting_for_print(source, [waiting]))

        stop, burst_orders = threading.Event(), []
        burst = threading.Thread(
            target=create_orders_until, args=(source, setup["flowKey"], stop, burst_orders)
        )
        burst.start()
        source.wait_for(lambda: len(burst_orders) >= 5)
        made = source.fabflow("backup", str(archive))
        stop.set()
        burst.join()
        assert made.returncode == 0, made.stderr
        source_files = source.call("stored_files")

    manifest = manifest_of(archive)
    assert 1 + 5 <= manifest["counts"]["orders_order"] <= 1 + len(burst_orders)
    assert manifest["counts"]["orders_product"] == manifest["counts"]["orders_order"]
    assert manifest["counts"]["orders_search"] == manifest["counts"]["orders_order"]
    assert sorted(source_files) == [
        name.removeprefix("files/") for name in manifest["members"] if name.startswith("files/")
    ]
    assert "SECRET_KEY" not in manifest_of_settings(archive)

    with new_installation(tmp_path / "target", target_engine) as target:
        restored = target.fabflow("restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        assert target.call("table_counts") == manifest["counts"]
        assert target.call("stored_files") == source_files

        target.start_worker()
        in_flight = [order for order in target.call("orders") if order != waiting]
        target.wait_for(lambda: are_waiting_for_print(target, in_flight))
        task = print_task(target, waiting)
        assert task["status"] == "waiting"
        confirmed = target.call("action", name="confirm_task", task_id=task["id"], comment="ok")
        assert confirmed == {"status": "succeeded", "attempt": 1}
        target.wait_for(lambda: target.order_status(waiting) == "success")


def manifest_of_settings(archive):
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("settings.json"))


@pytest.fixture(scope="module")
def backup(tmp_path_factory):
    """The backup (an uncompressed tar) of an installation with two orders and a stored file."""
    root = tmp_path_factory.mktemp("backed-up")
    archive = root / "backup.tar"
    with new_installation(root / "installation", ENGINES[-1]) as source:
        setup = source.call("setup", definition=print_flow())
        orders = source.call("create_orders", count=2, flow_key=setup["flowKey"])
        source.call("upload", order_id=orders[0], filename="design.txt", text="size 52")
        made = source.fabflow("backup", str(archive))
        assert made.returncode == 0, made.stderr
        yield {
            "archive": archive,
            "flowKey": setup["flowKey"],
            "fingerprint": source.database_fingerprint(),
        }


def test_restore_refuses_an_installation_that_is_not_empty_then_force_puts_it_back(
    backup, tmp_path
):
    with new_installation(tmp_path / "target", ENGINES[-1]) as target:
        restored = target.fabflow("restore", str(backup["archive"]))
        assert restored.returncode == 0, restored.stderr
        assert target.database_fingerprint() == backup["fingerprint"]
        [order_id] = target.call(
            "create_orders", count=1, flow_key=backup["flowKey"], prefix="Later"
        )
        target.call("upload", order_id=order_id, filename="later.txt", text="later")
        changed = target.database_fingerprint()
        target.close_driver()

        refused = target.fabflow("restore", str(backup["archive"]))

        assert refused.returncode == 1
        assert "This installation is not empty" in refused.stderr
        assert "give --force" in refused.stderr
        assert target.database_fingerprint() == changed
        target.close_driver()

        forced = target.fabflow("restore", str(backup["archive"]), "--force")

        assert forced.returncode == 0, forced.stderr
        assert target.database_fingerprint() == backup["fingerprint"]


def test_restore_refuses_a_damaged_archive_and_changes_nothing(backup, tmp_path):
    archive = backup["archive"]
    damaged = tmp_path / "damaged.tar"
    data = bytearray(archive.read_bytes())
    offset = member_offset(archive)
    data[offset + 100] ^= 0x01
    damaged.write_bytes(bytes(data))
    with new_installation(tmp_path / "target", ENGINES[-1]) as target:
        before = target.database_fingerprint()
        target.close_driver()

        refused = target.fabflow("restore", str(damaged))

        assert refused.returncode == 1
        assert "The backup is damaged: database/app." in refused.stderr
        assert "does not match its checksum" in refused.stderr
        assert target.database_fingerprint() == before
        assert list((target.root / "var").glob(".restore-*")) == []


def member_offset(archive) -> int:
    """Where the data of the app database's member starts in the (uncompressed) tar."""
    with tarfile.open(archive) as tar:
        for info in tar:
            if info.name.startswith("database/app."):
                return info.offset_data
    raise AssertionError(f"no app database in {archive}")


def test_on_s3_a_backup_lists_every_object_and_a_restore_refuses_when_one_is_gone(
    request, tmp_path
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from fabflow.operations import files
    from fabflow.operations.archive import ArchiveWriter, Refused, extract_verified

    prefix = request.getfixturevalue("s3_storage")["prefix"]
    design = default_storage.save("assets/a/design.stl", ContentFile(b"solid ring"))
    preview = default_storage.save("assets/b/preview.png", ContentFile(b"\x89PNG"))
    writer = ArchiveWriter(tmp_path / "files.tar")
    stored = files.add_stored_files(writer)
    writer.close({"storage": stored})

    archive = extract_verified(tmp_path / "files.tar", tmp_path / "extracted")
    assert stored == {"kind": "s3", "files": 2, "location": prefix}
    assert json.loads(archive.member("objects.json").read_text()) == [
        {"name": f"{prefix}/{design}", "size": 10, "sha256": sha256(b"solid ring").hexdigest()},
        {"name": f"{prefix}/{preview}", "size": 4, "sha256": sha256(b"\x89PNG").hexdigest()},
    ]
    files.check_restorable(archive)

    default_storage.delete(preview)
    with pytest.raises(Refused) as refusal:
        files.check_restorable(archive)
    assert str(refusal.value) == (
        "1 objects listed in the backup are missing from the bucket or changed size, "
        f"e.g. {prefix}/{preview}"
    )


def test_restore_refuses_a_backup_of_a_newer_release_and_changes_nothing(backup, tmp_path):
    newer = tmp_path / "newer.tar"
    with tarfile.open(backup["archive"]) as source, tarfile.open(newer, "w") as target:
        for info in source:
            data = source.extractfile(info).read()
            if info.name == "manifest.json":
                manifest = json.loads(data)
                manifest["migrations"].append(["orders", "9999_from_a_newer_release"])
                data = json.dumps(manifest).encode()
                info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    with new_installation(tmp_path / "target", ENGINES[-1]) as target:
        before = target.database_fingerprint()
        target.close_driver()

        refused = target.fabflow("restore", str(newer))

        assert refused.returncode == 1
        assert (
            "The backup was made by a newer release of Fabflow (its database has migrations this "
            "release does not know: orders.9999_from_a_newer_release)"
        ) in refused.stderr
        assert target.database_fingerprint() == before
