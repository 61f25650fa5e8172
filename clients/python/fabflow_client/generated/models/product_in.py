from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.part_in import PartIn
  from ..models.product_in_configuration import ProductInConfiguration
  from ..models.product_in_data import ProductInData





T = TypeVar("T", bound="ProductIn")



@_attrs_define
class ProductIn:
    """ 
        Attributes:
            name (str):
            unit_value (str): A decimal amount in euro, from 0 to 9999999999.99
            units (int):
            configuration (ProductInConfiguration | Unset): At most 65536 bytes as compact UTF-8 JSON, nested at most 32
                levels.
            data (ProductInData | Unset): At most 65536 bytes as compact UTF-8 JSON, nested at most 32 levels.
            deadline (datetime.datetime | None | Unset):
            parts (list[PartIn] | Unset):
     """

    name: str
    unit_value: str
    units: int
    configuration: ProductInConfiguration | Unset = UNSET
    data: ProductInData | Unset = UNSET
    deadline: datetime.datetime | None | Unset = UNSET
    parts: list[PartIn] | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.part_in import PartIn # noqa: PLC0415
        from ..models.product_in_configuration import ProductInConfiguration # noqa: PLC0415
        from ..models.product_in_data import ProductInData # noqa: PLC0415
        name = self.name

        unit_value = self.unit_value

        units = self.units

        configuration: dict[str, Any] | Unset = UNSET
        if not isinstance(self.configuration, Unset):
            configuration = self.configuration.to_dict()

        data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = self.data.to_dict()

        deadline: None | str | Unset
        if isinstance(self.deadline, Unset):
            deadline = UNSET
        elif isinstance(self.deadline, datetime.datetime):
            deadline = self.deadline.isoformat()
        else:
            deadline = self.deadline

        parts: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.parts, Unset):
            parts = []
            for parts_item_data in self.parts:
                parts_item = parts_item_data.to_dict()
                parts.append(parts_item)




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "unitValue": unit_value,
            "units": units,
        })
        if configuration is not UNSET:
            field_dict["configuration"] = configuration
        if data is not UNSET:
            field_dict["data"] = data
        if deadline is not UNSET:
            field_dict["deadline"] = deadline
        if parts is not UNSET:
            field_dict["parts"] = parts

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.part_in import PartIn # noqa: PLC0415
        from ..models.product_in_configuration import ProductInConfiguration # noqa: PLC0415
        from ..models.product_in_data import ProductInData # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        unit_value = d.pop("unitValue")

        units = d.pop("units")

        _configuration = d.pop("configuration", UNSET)
        configuration: ProductInConfiguration | Unset
        if isinstance(_configuration,  Unset):
            configuration = UNSET
        else:
            configuration = ProductInConfiguration.from_dict(_configuration)




        _data = d.pop("data", UNSET)
        data: ProductInData | Unset
        if isinstance(_data,  Unset):
            data = UNSET
        else:
            data = ProductInData.from_dict(_data)




        def _parse_deadline(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deadline_type_0 = datetime.datetime.fromisoformat(data)



                return deadline_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        deadline = _parse_deadline(d.pop("deadline", UNSET))


        _parts = d.pop("parts", UNSET)
        parts: list[PartIn] | Unset = UNSET
        if _parts is not UNSET:
            parts = []
            for parts_item_data in _parts:
                parts_item = PartIn.from_dict(parts_item_data)



                parts.append(parts_item)


        product_in = cls(
            name=name,
            unit_value=unit_value,
            units=units,
            configuration=configuration,
            data=data,
            deadline=deadline,
            parts=parts,
        )

        return product_in

