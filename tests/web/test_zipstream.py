"""Streaming zip export: exact names and contents, bounded chunks, ZIP64, safe names."""

import hashlib
import io
import os
import struct
import zipfile
from datetime import datetime

import pytest

from fabflow.web.zipstream import (
    BLOCK_SIZE,
    Compression,
    ZipEntry,
    safe_archive_name,
    stream_zip,
)

ZIP64_EXTRA_FIELD = 0x0001


def opened_archive(chunks) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(chunks)))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class TrackedFile(io.BytesIO):
    """An in-memory file that records when it is opened and closed."""

    def __init__(self, content: bytes, log: list[str], label: str):
        super().__init__(content)
        self.log, self.label = log, label
        log.append(f"open {label}")

    def close(self):
        if not self.closed:
            self.log.append(f"close {self.label}")
        super().close()


def test_fifty_entries_hold_exactly_the_expected_names_and_contents():
    contents = {
        f"order-{number:03}/part-{number}.{'stl' if number % 2 else 'png'}": os.urandom(
            number * 7919 + (3 * BLOCK_SIZE if number == 7 else 0)
        )
        for number in range(50)
    }
    log: list[str] = []
    entries = [
        ZipEntry(path, content)
        if number % 3
        else ZipEntry(path, lambda c=content, p=path: TrackedFile(c, log, p))
        for number, (path, content) in enumerate(contents.items())
    ]

    with opened_archive(stream_zip(entries)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == list(contents)
        checksums = {name: sha256(archive.read(name)) for name in archive.namelist()}

    assert checksums == {path: sha256(content) for path, content in contents.items()}
    assert len(log) == 2 * 17  # each opened file was closed
    assert all(event.startswith("close") for event in log[1::2])


def test_chunks_stay_small_and_entries_are_read_one_at_a_time():
    log: list[str] = []

    def entries():
        for number in range(3):
            content = bytes([number]) * (2 * BLOCK_SIZE + 5)
            yield ZipEntry(
                f"asset-{number}.bin", lambda c=content, n=number: TrackedFile(c, log, n)
            )

    chunk_sizes = []
    for chunk in stream_zip(entries()):
        chunk_sizes.append(len(chunk))
        open_files = log.count("open 0") + log.count("open 1") + log.count("open 2")
        closed_files = len(log) - open_files
        assert open_files - closed_files <= 1

    assert max(chunk_sizes) <= BLOCK_SIZE + 1024  # a block plus a header at most
    assert min(chunk_sizes) > 0
    assert log == ["open 0", "close 0", "open 1", "close 1", "open 2", "close 2"]


def test_everything_is_stored_by_default():
    entries = [ZipEntry("model.stl", b"solid " * 1000), ZipEntry("photo.jpg", b"\xff" * 100)]

    with opened_archive(stream_zip(entries)) as archive:
        assert [info.compress_type for info in archive.infolist()] == [zipfile.ZIP_STORED] * 2


def test_auto_compression_deflates_only_what_is_not_compressed_already():
    entries = [
        ZipEntry("model.stl", b"solid " * 1000),
        ZipEntry("preview.PNG", b"\x89PNG" * 100),
        ZipEntry("print.3mf", b"PK" * 100),
        ZipEntry("notes.txt", b"stored on request " * 100, compress=False),
        ZipEntry("raw.jpg", b"deflated on request " * 100, compress=True),
    ]

    with opened_archive(stream_zip(entries, compression=Compression.AUTO)) as archive:
        compress_types = {info.filename: info.compress_type for info in archive.infolist()}
        assert archive.read("model.stl") == b"solid " * 1000

    assert compress_types == {
        "model.stl": zipfile.ZIP_DEFLATED,
        "preview.PNG": zipfile.ZIP_STORED,
        "print.3mf": zipfile.ZIP_STORED,
        "notes.txt": zipfile.ZIP_STORED,
        "raw.jpg": zipfile.ZIP_DEFLATED,
    }


class UnseekableReader(io.RawIOBase):
    """A stream of unknown length, like an HTTP body from object storage."""

    def __init__(self, content: bytes):
        self._remaining = io.BytesIO(content)

    def readable(self):
        return True

    def read(self, size=-1):
        return self._remaining.read(size)


def zip64_flags(archive_bytes: bytes) -> dict[str, bool]:
    """Per entry, whether its local header carries a ZIP64 extra field (what streaming readers see).

    The central directory gets one only where sizes or offsets need it, whatever the local header.
    """
    flags = {}
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        for info in archive.infolist():
            name_length, extra_length = struct.unpack_from(
                "<HH", archive_bytes, info.header_offset + 26
            )
            extra_start = info.header_offset + 30 + name_length
            extra = archive_bytes[extra_start : extra_start + extra_length]
            fields, offset = set(), 0
            while offset + 4 <= len(extra):
                field_id, length = struct.unpack_from("<HH", extra, offset)
                fields.add(field_id)
                offset += 4 + length
            flags[info.filename] = ZIP64_EXTRA_FIELD in fields
    return flags


def test_files_of_unknown_size_are_written_with_zip64():
    entries = [
        ZipEntry("known.bin", b"k" * 5000),
        ZipEntry("seekable.bin", lambda: io.BytesIO(b"s" * 5000)),
        ZipEntry("streamed.bin", lambda: UnseekableReader(b"u" * 5000)),
    ]

    archive_bytes = b"".join(stream_zip(entries))

    assert zip64_flags(archive_bytes) == {
        "known.bin": False,
        "seekable.bin": False,
        "streamed.bin": True,
    }
    with opened_archive([archive_bytes]) as archive:
        assert archive.read("streamed.bin") == b"u" * 5000


def test_real_files_are_streamed_from_disk(tmp_path):
    asset = tmp_path / "asset.stl"
    asset.write_bytes(b"\x01\x02" * 300_000)

    chunks = stream_zip([ZipEntry("asset.stl", lambda: asset.open("rb"))])

    with opened_archive(chunks) as archive:
        assert archive.read("asset.stl") == asset.read_bytes()
        assert zip64_flags(b"".join(stream_zip([ZipEntry("a", asset.read_bytes())]))) == {
            "a": False
        }


def test_timestamps_come_from_the_entry_and_start_in_1980():
    entries = [
        ZipEntry("new.stl", b"n", modified=datetime(2025, 3, 4, 5, 6, 8)),
        ZipEntry("old.stl", b"o", modified=datetime(1970, 1, 1)),
    ]

    with opened_archive(stream_zip(entries)) as archive:
        dates = [info.date_time for info in archive.infolist()]

    assert dates == [(2025, 3, 4, 5, 6, 8), (1980, 1, 1, 0, 0, 0)]


def test_unsafe_and_duplicate_names_are_rewritten_in_the_archive():
    entries = [
        ZipEntry("../../etc/passwd", b"1"),
        ZipEntry("/etc/passwd", b"2"),
        ZipEntry("ETC/PASSWD", b"3"),
        ZipEntry("C:\\Users\\me\\ring.stl", b"4"),
    ]

    with opened_archive(stream_zip(entries)) as archive:
        names = archive.namelist()
        assert archive.read("ETC/PASSWD (3)") == b"3"

    assert names == ["etc/passwd", "etc/passwd (2)", "ETC/PASSWD (3)", "Users/me/ring.stl"]


def test_empty_archive_is_valid():
    with opened_archive(stream_zip([])) as archive:
        assert archive.namelist() == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ring.stl", "ring.stl"),
        ("orders/1042/ring.stl", "orders/1042/ring.stl"),
        ("../secret.txt", "secret.txt"),
        ("a/../../b/./c.stl", "a/b/c.stl"),
        ("/etc/passwd", "etc/passwd"),
        ("//server/share/x.stl", "server/share/x.stl"),
        ("C:\\Windows\\system32\\x.dll", "Windows/system32/x.dll"),
        ("folder\\sub\\part.3mf", "folder/sub/part.3mf"),
        ('what?<is>"this"|*.stl', "what__is__this___.stl"),
        ("tab\there\x00.stl", "tab_here_.stl"),
        ("con.txt", "_con.txt"),
        ("LPT1", "_LPT1"),
        ("console.txt", "console.txt"),
        ("name. ", "name"),
        ("..", "file"),
        ("", "file"),
        ("   /  / ", "file"),
        ("Cafe\u0301.stl", "Caf\u00e9.stl"),
        ("x" * 300 + ".stl", "x" * 200),
    ],
)
def test_safe_archive_name(name, expected):
    assert safe_archive_name(name) == expected


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("ring.stl", {"ring.stl"}, "ring (2).stl"),
        ("Ring.STL", {"ring.stl", "ring (2).stl"}, "Ring (3).STL"),
        ("box/lid.3mf", {"box/lid.3mf"}, "box/lid (2).3mf"),
        ("box/lid.3mf", {"lid.3mf"}, "box/lid.3mf"),
        ("README", {"readme"}, "README (2)"),
        (".gitignore", {".gitignore"}, ".gitignore (2)"),
        ("archive.tar.gz", {"archive.tar.gz"}, "archive.tar (2).gz"),
    ],
)
def test_safe_archive_name_avoids_names_taken(name, taken, expected):
    assert safe_archive_name(name, taken) == expected
