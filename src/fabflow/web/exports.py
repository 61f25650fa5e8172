"""Exports of table rows: CSV that spreadsheets cannot turn into formulas, and zips with assets.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (and, in some programs, a tab
or carriage return) as a formula, so an order named `=HYPERLINK(...)` could run when someone
opens the export. `neutralize_cell` prefixes such a cell with an apostrophe, which spreadsheets
read as "this is text" and do not display (OWASP's advice for CSV injection).
"""

import csv
import io
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.core.files.storage import default_storage

from fabflow.web.zipstream import ZipEntry, stream_zip

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The most rows one export holds; a larger selection is refused rather than cut short.
MAX_EXPORT_ROWS = 50
# What a zip holds in place of a file storage no longer has.
MISSING_SUFFIX = ".missing.txt"
MISSING_NOTE = b"This file is missing from storage: it could not be exported.\n"
ZIP_YEARS = (1980, 2107)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AssetFolder:
    """The files of one exported row: a folder name and the assets that go into it."""

    folder: str
    assets: list


def neutralize_cell(value) -> str:
    """The cell's text, made inert if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """UTF-8 CSV of `rows` (the first being the header), every cell neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralize_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def zip_with_assets(
    *, csv_name: str, csv_content: bytes, folders: list[AssetFolder]
) -> Iterator[bytes]:
    """Stream a zip holding the CSV and one folder of files per exported row."""

    def entries():
        yield ZipEntry(path=csv_name, source=csv_content)
        for folder in folders:
            for asset in folder.assets:
                yield _asset_entry(folder.folder, asset)

    return stream_zip(entries())


def _asset_entry(folder: str, asset) -> ZipEntry:
    """The asset's file; a note in its place when storage no longer has it (asked as its turn
    comes, since a zip cannot take back what it streamed)."""
    path = f"{folder}/{asset.filename}"
    if not default_storage.exists(asset.storage_name):
        logger.warning("Asset file missing from storage: asset %s, %s", asset.pk, path)
        return ZipEntry(path=f"{path}{MISSING_SUFFIX}", source=MISSING_NOTE)
    return ZipEntry(
        path=path,
        source=_opener(asset.storage_name),
        modified=asset.created_at if _has_zip_time(asset.created_at) else None,
    )


def _has_zip_time(value) -> bool:
    """Whether a zip entry can carry `value` as its time (years 1980 to 2107 only)."""
    return isinstance(value, datetime) and ZIP_YEARS[0] <= value.year <= ZIP_YEARS[1]


def _opener(storage_name: str):
    return lambda: default_storage.open(storage_name, "rb")
