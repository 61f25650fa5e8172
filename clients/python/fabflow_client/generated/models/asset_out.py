from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.asset_out_kind import AssetOutKind
from ..models.asset_out_kind import check_asset_out_kind
from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="AssetOut")



@_attrs_define
class AssetOut:
    """ 
        Attributes:
            content_type (str):
            created_at (datetime.datetime):
            download_url (str):
            filename (str):
            id (UUID):
            kind (AssetOutKind):
            sha256 (str):
            size (int):
     """

    content_type: str
    created_at: datetime.datetime
    download_url: str
    filename: str
    id: UUID
    kind: AssetOutKind
    sha256: str
    size: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        content_type = self.content_type

        created_at = self.created_at.isoformat()

        download_url = self.download_url

        filename = self.filename

        id = str(self.id)

        kind: str = self.kind

        sha256 = self.sha256

        size = self.size


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "contentType": content_type,
            "createdAt": created_at,
            "downloadUrl": download_url,
            "filename": filename,
            "id": id,
            "kind": kind,
            "sha256": sha256,
            "size": size,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        content_type = d.pop("contentType")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        download_url = d.pop("downloadUrl")

        filename = d.pop("filename")

        id = UUID(d.pop("id"))




        kind = check_asset_out_kind(d.pop("kind"))




        sha256 = d.pop("sha256")

        size = d.pop("size")

        asset_out = cls(
            content_type=content_type,
            created_at=created_at,
            download_url=download_url,
            filename=filename,
            id=id,
            kind=kind,
            sha256=sha256,
            size=size,
        )


        asset_out.additional_properties = d
        return asset_out

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
