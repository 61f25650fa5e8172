from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.part_in_data import PartInData





T = TypeVar("T", bound="PartIn")



@_attrs_define
class PartIn:
    """ 
        Attributes:
            name (str):
            data (PartInData | Unset): At most 65536 bytes as compact UTF-8 JSON, nested at most 32 levels.
     """

    name: str
    data: PartInData | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.part_in_data import PartInData # noqa: PLC0415
        name = self.name

        data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = self.data.to_dict()


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
        })
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.part_in_data import PartInData # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        _data = d.pop("data", UNSET)
        data: PartInData | Unset
        if isinstance(_data,  Unset):
            data = UNSET
        else:
            data = PartInData.from_dict(_data)




        part_in = cls(
            name=name,
            data=data,
        )

        return part_in

