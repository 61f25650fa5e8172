from typing import Literal

UploadProductAssetBodyKind = Literal['other', 'preview', 'production']

UPLOAD_PRODUCT_ASSET_BODY_KIND_VALUES: set[UploadProductAssetBodyKind] = { 'other', 'preview', 'production',  }

def check_upload_product_asset_body_kind(value: str) -> UploadProductAssetBodyKind:
    if value in UPLOAD_PRODUCT_ASSET_BODY_KIND_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {UPLOAD_PRODUCT_ASSET_BODY_KIND_VALUES!r}")
