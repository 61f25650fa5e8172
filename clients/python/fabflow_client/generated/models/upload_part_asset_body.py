from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field
import json
from .. import types

from ..types import UNSET, Unset

from ..models.upload_part_asset_body_kind import check_upload_part_asset_body_kind
from ..models.upload_part_asset_body_kind import UploadPartAssetBodyKind
from ..types import File, FileTypes
from io import BytesIO
from typing import cast






T = TypeVar("T", bound="UploadPartAssetBody")



@_attrs_define
class UploadPartAssetBody:
    """ 
        Attributes:
            file (File):
            kind (UploadPartAssetBodyKind):
     """

    file: File
    kind: UploadPartAssetBodyKind
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        file = self.file.to_tuple()


        kind: str = self.kind


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "file": file,
            "kind": kind,
        })

        return field_dict


    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("file", self.file.to_tuple()))



        files.append(("kind", (None, str(self.kind).encode(), "text/plain")))




        for prop_name, prop in self.additional_properties.items():
            files.append((prop_name, (None, str(prop).encode(), "text/plain")))



        return files


    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        file = File(
             payload = BytesIO(d.pop("file"))
        )




        kind = check_upload_part_asset_body_kind(d.pop("kind"))




        upload_part_asset_body = cls(
            file=file,
            kind=kind,
        )


        upload_part_asset_body.additional_properties = d
        return upload_part_asset_body

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
