from typing import Literal

AssetOutKind = Literal['other', 'preview', 'production']

ASSET_OUT_KIND_VALUES: set[AssetOutKind] = { 'other', 'preview', 'production',  }

def check_asset_out_kind(value: str) -> AssetOutKind:
    if value in ASSET_OUT_KIND_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ASSET_OUT_KIND_VALUES!r}")
