from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime






T = TypeVar("T", bound="FlowOut")



@_attrs_define
class FlowOut:
    """ 
        Attributes:
            created_at (datetime.datetime):
            definition (list[Any]):
            key (str):
            name (str):
            space_key (str):
            updated_at (datetime.datetime):
            version (int):
     """

    created_at: datetime.datetime
    definition: list[Any]
    key: str
    name: str
    space_key: str
    updated_at: datetime.datetime
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        definition = self.definition



        key = self.key

        name = self.name

        space_key = self.space_key

        updated_at = self.updated_at.isoformat()

        version = self.version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "createdAt": created_at,
            "definition": definition,
            "key": key,
            "name": name,
            "spaceKey": space_key,
            "updatedAt": updated_at,
            "version": version,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        definition = cast(list[Any], d.pop("definition"))


        key = d.pop("key")

        name = d.pop("name")

        space_key = d.pop("spaceKey")

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))




        version = d.pop("version")

        flow_out = cls(
            created_at=created_at,
            definition=definition,
            key=key,
            name=name,
            space_key=space_key,
            updated_at=updated_at,
            version=version,
        )


        flow_out.additional_properties = d
        return flow_out

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
