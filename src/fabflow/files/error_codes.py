"""The codes of the errors the files app raises (`fabflow.errors` holds the shared ones)."""

from enum import StrEnum


class FileErrorCode(StrEnum):
    """Why an upload, an export target or an export was refused or failed."""

    INVALID_KIND = "invalid_kind"
    EXPORT_FAILED = "export_failed"
    ADDRESS_REFUSED = "address_refused"
