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
  from ..models.part_out_data import PartOutData





T = TypeVar("T", bound="PartOut")



@_attrs_define
class PartOut:
    """ 
        Attributes:
            assets (list[AssetOut]):
            created_at (datetime.datetime):
            data (PartOutData):
            id (UUID):
            name (str):
            order_id (UUID):
            product_id (UUID):
            thumbnail_url (None | str):
     """

    assets: list[AssetOut]
    created_at: datetime.datetime
    data: PartOutData
    id: UUID
    name: str
    order_id: UUID
    product_id: UUID
    thumbnail_url: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.asset_out import AssetOut # noqa: PLC0415
        from ..models.part_out_data import PartOutData # noqa: PLC0415
        assets = []
        for assets_item_data in self.assets:
            assets_item = assets_item_data.to_dict()
            assets.append(assets_item)



        created_at = self.created_at.isoformat()

        data = self.data.to_dict()

        id = str(self.id)

        name = self.name

        order_id = str(self.order_id)

        product_id = str(self.product_id)

        thumbnail_url: None | str
        thumbnail_url = self.thumbnail_url


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "assets": assets,
            "createdAt": created_at,
            "data": data,
            "id": id,
            "name": name,
            "orderId": order_id,
            "productId": product_id,
            "thumbnailUrl": thumbnail_url,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.asset_out import AssetOut # noqa: PLC0415
        from ..models.part_out_data import PartOutData # noqa: PLC0415
        d = dict(src_dict)
        assets = []
        _assets = d.pop("assets")
        for assets_item_data in (_assets):
            assets_item = AssetOut.from_dict(assets_item_data)



            assets.append(assets_item)


        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        data = PartOutData.from_dict(d.pop("data"))




        id = UUID(d.pop("id"))




        name = d.pop("name")

        order_id = UUID(d.pop("orderId"))




        product_id = UUID(d.pop("productId"))




        def _parse_thumbnail_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        thumbnail_url = _parse_thumbnail_url(d.pop("thumbnailUrl"))


        part_out = cls(
            assets=assets,
            created_at=created_at,
            data=data,
            id=id,
            name=name,
            order_id=order_id,
            product_id=product_id,
            thumbnail_url=thumbnail_url,
        )


        part_out.additional_properties = d
        return part_out

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
