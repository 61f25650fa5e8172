"""The stored files of a backup: every local file, or a list of the S3 objects.

Local storage: every file under the storage's folder goes into the archive under `files/`, and a
restore makes the folder hold exactly those files. S3: the bucket keeps the files (its own
versioning and replication are the place to protect them); the archive lists each object under
the storage's prefix with its size and SHA-256, and a restore checks that every listed object is
still in the bucket with its size before it changes anything.
"""

import hashlib
import json
import shutil
from pathlib import Path

from django.core.files.storage import FileSystemStorage, default_storage

from fabflow.operations.archive import CHUNK_BYTES, ArchiveWriter, ExtractedArchive, Refused

FILES_PREFIX = "files/"
OBJECTS_MEMBER = "objects.json"


def is_local() -> bool:
    return isinstance(default_storage, FileSystemStorage)


def local_root() -> Path:
    return Path(default_storage.location)


def add_stored_files(writer: ArchiveWriter) -> dict:
    """Add the stored files (or the list of objects) to the archive; describe what was added."""
    if is_local():
        root = local_root()
        paths = sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
        for path in paths:
            writer.add_file(FILES_PREFIX + path.relative_to(root).as_posix(), path)
        return {"kind": "local", "files": len(paths)}
    objects = [_describe(summary) for summary in _objects()]
    writer.add_json(OBJECTS_MEMBER, objects)
    return {"kind": "s3", "files": len(objects), "location": default_storage.location}


def has_stored_files() -> bool:
    if is_local():
        root = local_root()
        return root.exists() and any(path.is_file() for path in root.rglob("*"))
    return any(True for _ in _objects())


def check_restorable(archive: ExtractedArchive) -> None:
    """Refuse an archive whose files this installation's storage cannot take back as they were."""
    kind = archive.manifest["storage"]["kind"]
    if kind != ("local" if is_local() else "s3"):
        raise Refused(
            f"The backup's files were kept in {kind} storage and this installation's are not: "
            "set STORAGE_URL as it was when the backup was taken"
        )
    if kind == "s3":
        listed = (archive.member(OBJECTS_MEMBER)).read_text()
        present = {summary.key: summary.size for summary in _objects()}
        missing = [o["name"] for o in json.loads(listed) if present.get(o["name"]) != o["size"]]
        if missing:
            raise Refused(
                f"{len(missing)} objects listed in the backup are missing from the bucket or "
                f"changed size, e.g. {', '.join(missing[:5])}"
            )


def restore_stored_files(archive: ExtractedArchive) -> None:
    """Make the local storage folder hold exactly the backup's files (S3 is left as it is)."""
    if not is_local():
        return
    root = local_root()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for name in archive.manifest["members"]:
        if name.startswith(FILES_PREFIX):
            target = root / name[len(FILES_PREFIX) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(archive.member(name), target)


def _objects():
    prefix = default_storage.location.strip("/")
    return default_storage.bucket.objects.filter(Prefix=f"{prefix}/" if prefix else "")


def _describe(summary) -> dict:
    digest = hashlib.sha256()
    body = summary.get()["Body"]
    for chunk in iter(lambda: body.read(CHUNK_BYTES), b""):
        digest.update(chunk)
    return {"name": summary.key, "size": summary.size, "sha256": digest.hexdigest()}
