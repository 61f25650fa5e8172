"""Stream a zip archive chunk by chunk, in constant memory, whatever the size of its files.

The standard library's `zipfile` writes into a sink that only counts and collects bytes; with no
`seek`, zipfile switches to streaming mode (sizes and CRC after each file's data, in a data
descriptor) and we hand out what it wrote after every block. That covers ZIP64 and needs no
extra dependency; `zipstream-ng` and `stream-zip` do the same with more API to learn.

Compression: by default every file is stored, not deflated. Our assets are mostly 3MF, PNG and
JPEG, which are already deflated, and binary STL, which deflates by half but at ~90 MB/s on one
core (zlib level 1), far below the disk and network speeds we stream at (hundreds of MB/s,
stored). `Compression.AUTO` deflates everything not already compressed, for slow links.
"""

import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import BinaryIO

BLOCK_SIZE = 1 << 20  # read and hand out 1 MiB at a time: few Python calls, little memory
DEFLATE_LEVEL = 1  # zlib's fastest level keeps most of the size gain at 3-4x the speed of 6

# Extensions of formats that are compressed already: deflating them again costs time for nothing.
COMPRESSED_EXTENSIONS = frozenset(
    {
        "3mf", "7z", "avif", "br", "bz2", "docx", "gif", "gz", "heic", "jpeg", "jpg", "m4a",
        "mov", "mp3", "mp4", "odt", "ogg", "pdf", "png", "pptx", "rar", "tgz", "webm", "webp",
        "xlsx", "xz", "zip", "zst",
    }
)  # fmt: skip

# Names Windows refuses for a file, whatever the extension.
WINDOWS_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{number}" for number in range(1, 10)}
    | {f"lpt{number}" for number in range(1, 10)}
)
UNSAFE_CHARACTERS = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')
DRIVE_PREFIX = re.compile(r"^[A-Za-z]:")
MAX_COMPONENT_LENGTH = 200  # below the 255 bytes most file systems allow, leaving room for " (n)"


class Compression(StrEnum):
    """How entries whose `compress` is left as None are written."""

    STORE = "store"  # every file stored: fastest, the default
    AUTO = "auto"  # deflate unless the extension says the format is compressed already


@dataclass(frozen=True)
class ZipEntry:
    """One file of the archive: its path inside the archive and where its bytes come from.

    `source` is the content itself, or a callable that opens a binary file (e.g. a storage
    backend's `open`); it is called only when the entry's turn comes, and the file is closed after.
    """

    path: str
    source: bytes | Callable[[], BinaryIO]
    modified: datetime | None = None  # defaults to the time the archive is streamed
    compress: bool | None = None  # None: decided by the stream's Compression


def stream_zip(
    entries: Iterable[ZipEntry], *, compression: Compression = Compression.STORE
) -> Iterator[bytes]:
    """Yield a zip archive of `entries` in chunks of at most about 1 MiB.

    Entry paths go through `safe_archive_name`, so the archive holds no absolute path, no `..`
    and no two names that clash on a case-insensitive file system. `entries` may be a lazy
    iterable; memory stays constant apart from ~100 bytes of directory per entry.
    """
    compression = Compression(compression)
    sink = _ChunkSink()
    taken_names: set[str] = set()
    streamed_at = datetime.now()
    with zipfile.ZipFile(sink, mode="w", allowZip64=True) as archive:
        for entry in entries:
            name = safe_archive_name(entry.path, taken_names)
            taken_names.add(name.casefold())
            info = _zip_info(name, entry, compression, streamed_at)
            yield from _write_entry(archive, info, entry.source, sink)
    # Closing the archive wrote the central directory.
    yield from sink.take_chunk()


def safe_archive_name(name: str, taken: Container[str] = ()) -> str:
    """Return `name` made safe to extract anywhere, and distinct from the names in `taken`.

    Backslashes become slashes; drive letters, empty, `.` and `..` segments go; control and
    Windows-forbidden characters become `_`; Windows device names get a `_` prefix. `taken`
    holds casefolded names already used: a clash gets " (2)", " (3)" ... before the extension.
    """
    name = unicodedata.normalize("NFC", name).replace("\\", "/")
    name = DRIVE_PREFIX.sub("", name)
    segments = [_safe_segment(segment) for segment in name.split("/")]
    segments = [segment for segment in segments if segment] or ["file"]
    folder, file_name = "/".join(segments[:-1]), segments[-1]
    stem, dot, extension = file_name.rpartition(".")
    if not stem:  # no extension, or a dot file such as ".gitignore"
        stem, dot, extension = file_name, "", ""
    candidate = _join(folder, file_name)
    copy_number = 2
    while candidate.casefold() in taken:
        candidate = _join(folder, f"{stem} ({copy_number}){dot}{extension}")
        copy_number += 1
    return candidate


def _safe_segment(segment: str) -> str:
    segment = UNSAFE_CHARACTERS.sub("_", segment).strip()
    # Windows drops trailing dots and spaces, which would turn "a." into "a"; and "." and ".."
    # are the traversal we refuse.
    segment = segment.rstrip(". ")
    if not segment:
        return ""
    if segment.split(".")[0].casefold() in WINDOWS_RESERVED_NAMES:
        segment = f"_{segment}"
    return segment[:MAX_COMPONENT_LENGTH]


def _join(folder: str, file_name: str) -> str:
    return f"{folder}/{file_name}" if folder else file_name


def _zip_info(
    name: str, entry: ZipEntry, compression: Compression, streamed_at: datetime
) -> zipfile.ZipInfo:
    modified = entry.modified or streamed_at
    # Zip timestamps cannot predate 1980.
    info = zipfile.ZipInfo(name, date_time=max(modified.timetuple()[:6], (1980, 1, 1, 0, 0, 0)))
    info.external_attr = 0o644 << 16  # a plain readable file, not one without permissions
    is_compressed = name.rpartition(".")[2].casefold() in COMPRESSED_EXTENSIONS
    should_deflate = entry.compress
    if should_deflate is None:
        should_deflate = compression is Compression.AUTO and not is_compressed
    if should_deflate:
        info.compress_type = zipfile.ZIP_DEFLATED
        # Python 3.11/3.12 name; 3.13 renamed it compress_level and kept this one as an alias.
        info._compresslevel = DEFLATE_LEVEL
    return info


def _write_entry(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    source: bytes | Callable[[], BinaryIO],
    sink: "_ChunkSink",
) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        content = memoryview(source)
        info.file_size = len(content)  # a known size lets zipfile choose ZIP64 only when needed
        with archive.open(info, mode="w") as archived:
            for start in range(0, len(content), BLOCK_SIZE):
                archived.write(content[start : start + BLOCK_SIZE])
                yield from sink.take_chunk()
    else:
        with source() as opened:
            size = _known_size(opened)
            if size is not None:
                info.file_size = size
            # Unknown size: ZIP64 fields always, as the file may pass 4 GiB.
            with archive.open(info, mode="w", force_zip64=size is None) as archived:
                while block := opened.read(BLOCK_SIZE):
                    archived.write(block)
                    yield from sink.take_chunk()
    # The data descriptor (CRC and sizes), written when the entry closed.
    yield from sink.take_chunk()


def _known_size(opened: BinaryIO) -> int | None:
    try:
        return os.fstat(opened.fileno()).st_size - opened.tell()
    except (AttributeError, OSError, io.UnsupportedOperation):
        pass
    try:
        if opened.seekable():
            position = opened.tell()
            size = opened.seek(0, os.SEEK_END) - position
            opened.seek(position)
            return size
    except (AttributeError, OSError, io.UnsupportedOperation):
        pass
    return None


class _ChunkSink:
    """Write-only, unseekable file that zipfile writes into and `take_chunk` empties.

    It has `tell` (zipfile needs offsets for the central directory) but no `seek`, which is what
    puts zipfile in streaming mode.
    """

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        """Nothing to flush: chunks wait for `take_chunk`."""

    def take_chunk(self) -> Iterator[bytes]:
        """Yield everything written since the last call as one chunk, if anything was."""
        chunks, self._chunks = self._chunks, []
        if chunk := b"".join(chunks):
            yield chunk
