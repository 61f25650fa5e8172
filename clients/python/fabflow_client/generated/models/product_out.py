from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID
import datetime

if TYPE_CHECKING:
  from ..models.asset_out import AssetOut
  from ..models.part_out import PartOut
  from ..models.product_out_configuration import ProductOutConfiguration
  from ..models.product_out_data import ProductOutData





T = TypeVar("T", bound="ProductOut")



@_attrs_define
class ProductOut:
    """ 
        Attributes:
            assets (list[AssetOut]):
            configuration (ProductOutConfiguration):
            created_at (datetime.datetime):
            data (ProductOutData):
            deadline (datetime.datetime | None):
            id (UUID):
            name (str):
            order_id (UUID):
            order_name (str):
            parts (list[PartOut]):
            thumbnail_url (None | str):
            unit_value (str):
            units (int):
     """

    assets: list[AssetOut]
    configuration: ProductOutConfiguration
    created_at: datetime.datetime
    data: ProductOutData
    deadline: datetime.datetime | None
    id: UUID
    name: str
    order_id: UUID
    order_name: str
    parts: list[PartOut]
    thumbnail_url: None | str
    unit_value: str
    units: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.asset_out import AssetOut # noqa: PLC0415
        from ..models.part_out import PartOut # noqa: PLC0415
        from ..models.product_out_configuration import ProductOutConfiguration # noqa: PLC0415
        from ..models.product_out_data import ProductOutData # noqa: PLC0415
        assets = []
        for assets_item_data in self.assets:
            assets_item = assets_item_data.to_dict()
            assets.append(assets_item)



        configuration = self.configuration.to_dict()

        created_at = self.created_at.isoformat()

        data = self.data.to_dict()

        deadline: None | str
        if isinstance(self.deadline, datetime.datetime):
            deadline = self.deadline.isoformat()
        else:
            deadline = self.deadline

        id = str(self.id)

        name = self.name

        order_id = str(self.order_id)

        order_name = self.order_name

        parts = []
        for parts_item_data in self.parts:
            parts_item = parts_item_data.to_dict()
            parts.append(parts_item)



        thumbnail_url: None | str
        thumbnail_url = self.thumbnail_url

        unit_value = self.unit_value

        units = self.units


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "assets": assets,
            "configuration": configuration,
            "createdAt": created_at,
            "data": data,
            "deadline": deadline,
            "id": id,
            "name": name,
            "orderId": order_id,
            "orderName": order_name,
            "parts": parts,
            "thumbnailUrl": thumbnail_url,
            "unitValue": unit_value,
            "units": units,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.asset_out import AssetOut # noqa: PLC0415
        from ..models.part_out import PartOut # noqa: PLC0415
        from ..models.product_out_configuration import ProductOutConfiguration # noqa: PLC0415
        from ..models.product_out_data import ProductOutData # noqa: PLC0415
        d = dict(src_dict)
        assets = []
        _assets = d.pop("assets")
        for assets_item_data in (_assets):
            assets_item = AssetOut.from_dict(assets_item_data)



            assets.append(assets_item)


        configuration = ProductOutConfiguration.from_dict(d.pop("configuration"))




        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        data = ProductOutData.from_dict(d.pop("data"))




        def _parse_deadline(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deadline_type_0 = datetime.datetime.fromisoformat(data)



                return deadline_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        deadline = _parse_deadline(d.pop("deadline"))


        id = UUID(d.pop("id"))




        name = d.pop("name")

        order_id = UUID(d.pop("orderId"))




        order_name = d.pop("orderName")

        parts = []
        _parts = d.pop("parts")
        for parts_item_data in (_parts):
            parts_item = PartOut.from_dict(parts_item_data)



            parts.append(parts_item)


        def _parse_thumbnail_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        thumbnail_url = _parse_thumbnail_url(d.pop("thumbnailUrl"))


        unit_value = d.pop("unitValue")

        units = d.pop("units")

        product_out = cls(
            assets=assets,
            configuration=configuration,
            created_at=created_at,
            data=data,
            deadline=deadline,
            id=id,
            name=name,
            order_id=order_id,
            order_name=order_name,
            parts=parts,
            thumbnail_url=thumbnail_url,
            unit_value=unit_value,
            units=units,
        )


        product_out.additional_properties = d
        return product_out

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
