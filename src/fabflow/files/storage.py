"""Writing uploaded files to the configured Django storage and reading them back, in chunks.

Files are hashed and stored in one pass over their chunks each; nothing reads a whole file into
memory. Stored names are `assets/<space id>/<asset id>/<sanitised filename>`, so two files of the
same name never collide and a name cannot climb out of its folder.
"""

import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass

from django.core.files.storage import default_storage

MAX_FILENAME_LENGTH = 150
# Letters, digits and a few harmless marks survive; everything else becomes "_".
UNSAFE = re.compile(r"[^\w.\- ()+,]", re.UNICODE)
CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


@dataclass(frozen=True)
class StoredFile:
    """Where a file was stored, how big it is and its sha256 (hex)."""

    name: str
    size: int
    sha256: str


def sanitize_filename(filename: str) -> str:
    """A safe file name: no folders, no control or shell characters, at most 150 characters."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = UNSAFE.sub("_", name).strip(" .")
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = stem[: MAX_FILENAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_FILENAME_LENGTH]
    return name or "file"


def content_type_for(filename: str, declared: str | None) -> str:
    """The content type to serve a file with: guessed from its name, else the declared one."""
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    if guessed:
        return guessed
    declared = (declared or "").split(";")[0].strip().lower()
    return declared if CONTENT_TYPE.match(declared) else "application/octet-stream"


def store(upload, *, folder: str, filename: str) -> StoredFile:
    """Hash `upload` (a Django File) chunk by chunk, then save it under `folder` in the storage."""
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    name = default_storage.save(f"{folder}/{filename}", upload)
    return StoredFile(name=name, size=size, sha256=digest.hexdigest())


def open_file(name: str):
    """Open a stored file for reading (the caller closes it, e.g. through FileResponse)."""
    return default_storage.open(name, "rb")


def delete(name: str) -> None:
    default_storage.delete(name)
