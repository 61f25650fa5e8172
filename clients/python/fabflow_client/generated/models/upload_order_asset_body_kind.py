from typing import Literal

UploadOrderAssetBodyKind = Literal['other', 'preview', 'production']

UPLOAD_ORDER_ASSET_BODY_KIND_VALUES: set[UploadOrderAssetBodyKind] = { 'other', 'preview', 'production',  }

def check_upload_order_asset_body_kind(value: str) -> UploadOrderAssetBodyKind:
    if value in UPLOAD_ORDER_ASSET_BODY_KIND_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {UPLOAD_ORDER_ASSET_BODY_KIND_VALUES!r}")
