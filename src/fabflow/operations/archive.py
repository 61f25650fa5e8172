"""The backup archive: one tar file (plain, .gz or .xz) whose last member is a manifest.

The manifest (`manifest.json`) names every other member with its size and SHA-256, and says what
the backup holds: the database engine, the migrations applied, the row count of every table. A
reader extracts the members into a folder of its own and checks each against the manifest
before anything else reads them, so a damaged or altered archive is refused whole.
"""

import hashlib
import io
import json
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


class Refused(Exception):
    """A backup or restore that cannot go ahead; the message says why, for the operator."""


MANIFEST = "manifest.json"
FORMAT = 1
CHUNK_BYTES = 1024 * 1024
# Suffix of the archive's path → the compression tarfile writes it with.
GZIP_LEVEL = 6
COMPRESSIONS = {".tar": "", ".tar.gz": "gz", ".tgz": "gz", ".tar.xz": "xz"}


def compression_for(path: Path) -> str:
    """The compression the archive's name asks for; refuses an unknown suffix."""
    for suffix, compression in COMPRESSIONS.items():
        if path.name.endswith(suffix):
            return compression
    raise Refused(f"A backup's name must end with one of {', '.join(COMPRESSIONS)}: {path.name}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


class ArchiveWriter:
    """Adds files to the archive, keeping each one's size and digest for the manifest."""

    def __init__(self, path: Path):
        self.path = path
        self.members: dict[str, dict] = {}
        compression = compression_for(path)
        # gzip's own default level: at tarfile's default (9) a backup took twice as long for an
        # archive only a few per cent smaller.
        options = {"compresslevel": GZIP_LEVEL} if compression == "gz" else {}
        # Closed by close() or abandon(): the writer lives across several calls.
        self.tar = tarfile.open(path, f"w:{compression}", **options)  # noqa: SIM115

    def add_file(self, name: str, source: Path) -> None:
        self.members[name] = {"size": source.stat().st_size, "sha256": sha256_of(source)}
        self.tar.add(source, arcname=name, recursive=False)

    def add_json(self, name: str, document) -> None:
        data = json.dumps(document, indent=1, sort_keys=True).encode()
        self.members[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        self._add_bytes(name, data)

    def close(self, manifest: dict) -> None:
        """Write the manifest (with every member's digest) as the last member and close."""
        document = {**manifest, "format": FORMAT, "members": self.members}
        self._add_bytes(MANIFEST, json.dumps(document, indent=1, sort_keys=True).encode())
        self.tar.close()

    def abandon(self) -> None:
        self.tar.close()
        self.path.unlink(missing_ok=True)

    def _add_bytes(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o600
        info.mtime = int(time.time())
        self.tar.addfile(info, io.BytesIO(data))


@dataclass(frozen=True)
class ExtractedArchive:
    """An archive extracted into `root` and checked member by member against its manifest."""

    root: Path
    manifest: dict

    def member(self, name: str) -> Path:
        return self.root / name

    def has(self, name: str) -> bool:
        return name in self.manifest["members"]


def extract_verified(path: Path, into: Path) -> ExtractedArchive:
    """Extract the archive into the empty folder `into`, and check every member's SHA-256.

    Raises Refused naming the first problem: an unreadable archive, a missing or extra
    member, a member whose size or digest differs, a name that leaves the archive's folder."""
    digests: dict[str, dict] = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for info in tar:
                name = _safe_name(info)
                if not info.isfile():
                    raise Refused(f"The backup holds {name!r}, which is not a file")
                digests[name] = _extract_member(tar, info, into / name)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise Refused(f"The backup cannot be read: {error}") from None
    if MANIFEST not in digests:
        raise Refused("The backup has no manifest: it is not a Fabflow backup")
    try:
        manifest = json.loads((into / MANIFEST).read_text())
        expected = manifest["members"]
    except (ValueError, KeyError, TypeError):
        raise Refused("The backup's manifest is damaged") from None
    if manifest.get("format") != FORMAT:
        raise Refused(f"Unknown backup format {manifest.get('format')!r}")
    digests.pop(MANIFEST)
    for name in sorted(set(expected) | set(digests)):
        if expected.get(name) != digests.get(name):
            raise Refused(
                f"The backup is damaged: {name} does not match its checksum in the manifest"
            )
    return ExtractedArchive(root=into, manifest=manifest)


def _safe_name(info: tarfile.TarInfo) -> str:
    name = PurePosixPath(info.name)
    if name.is_absolute() or ".." in name.parts or not name.parts:
        raise Refused(f"The backup holds an unsafe name: {info.name!r}")
    return str(name)


def _extract_member(tar: tarfile.TarFile, info: tarfile.TarInfo, target: Path) -> dict:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    source = tar.extractfile(info)
    with open(target, "wb") as file:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            file.write(chunk)
    return {"size": size, "sha256": digest.hexdigest()}
