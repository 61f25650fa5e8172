"""How an asset's content reaches a browser: streamed by the web process, or from S3 directly.

With S3 storage and S3_PRESIGNED_DOWNLOADS on, `presigned_download_url` gives a short-lived
signed address the download view redirects to, so large files never pass through a web worker.
Otherwise it returns None and the view streams the file from the storage in chunks.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import storages

from fabflow.orders.models import Asset


def presigned_download_url(*, asset: Asset, always: bool = False) -> str | None:
    """A presigned GET URL of the asset on S3 (served with its name and type), or None.

    `always` asks for one even when S3_PRESIGNED_DOWNLOADS is off (as long as storage is S3).
    """
    if not (always or settings.FABFLOW_PRESIGNED_DOWNLOADS):
        return None
    from storages.backends.s3 import S3Storage

    backend = storages["default"]
    if not isinstance(backend, S3Storage):
        return None
    disposition = f"attachment; filename*=UTF-8''{quote(asset.filename)}"
    return backend.url(
        asset.storage_name,
        parameters={
            "ResponseContentDisposition": disposition,
            "ResponseContentType": asset.content_type,
        },
    )
