from typing import Literal

UploadPartAssetBodyKind = Literal['other', 'preview', 'production']

UPLOAD_PART_ASSET_BODY_KIND_VALUES: set[UploadPartAssetBodyKind] = { 'other', 'preview', 'production',  }

def check_upload_part_asset_body_kind(value: str) -> UploadPartAssetBodyKind:
    if value in UPLOAD_PART_ASSET_BODY_KIND_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {UPLOAD_PART_ASSET_BODY_KIND_VALUES!r}")
