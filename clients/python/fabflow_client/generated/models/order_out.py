from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.order_out_status import check_order_out_status
from ..models.order_out_status import OrderOutStatus
from typing import cast
from uuid import UUID
import datetime

if TYPE_CHECKING:
  from ..models.asset_out import AssetOut
  from ..models.order_out_data import OrderOutData
  from ..models.product_out import ProductOut
  from ..models.task_out import TaskOut





T = TypeVar("T", bound="OrderOut")



@_attrs_define
class OrderOut:
    """ 
        Attributes:
            addresses (list[Any]):
            assets (list[AssetOut]):
            created_at (datetime.datetime):
            data (OrderOutData):
            deadline (datetime.datetime | None):
            flow_key (None | str):
            id (UUID):
            name (str):
            products (list[ProductOut]):
            space_key (str):
            status (OrderOutStatus):
            tags (list[str]):
            tasks (list[TaskOut]):
            thumbnail_url (None | str):
            updated_at (datetime.datetime):
            value (str):
     """

    addresses: list[Any]
    assets: list[AssetOut]
    created_at: datetime.datetime
    data: OrderOutData
    deadline: datetime.datetime | None
    flow_key: None | str
    id: UUID
    name: str
    products: list[ProductOut]
    space_key: str
    status: OrderOutStatus
    tags: list[str]
    tasks: list[TaskOut]
    thumbnail_url: None | str
    updated_at: datetime.datetime
    value: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.asset_out import AssetOut # noqa: PLC0415
        from ..models.order_out_data import OrderOutData # noqa: PLC0415
        from ..models.product_out import ProductOut # noqa: PLC0415
        from ..models.task_out import TaskOut # noqa: PLC0415
        addresses = self.addresses



        assets = []
        for assets_item_data in self.assets:
            assets_item = assets_item_data.to_dict()
            assets.append(assets_item)



        created_at = self.created_at.isoformat()

        data = self.data.to_dict()

        deadline: None | str
        if isinstance(self.deadline, datetime.datetime):
            deadline = self.deadline.isoformat()
        else:
            deadline = self.deadline

        flow_key: None | str
        flow_key = self.flow_key

        id = str(self.id)

        name = self.name

        products = []
        for products_item_data in self.products:
            products_item = products_item_data.to_dict()
            products.append(products_item)



        space_key = self.space_key

        status: str = self.status

        tags = self.tags



        tasks = []
        for tasks_item_data in self.tasks:
            tasks_item = tasks_item_data.to_dict()
            tasks.append(tasks_item)



        thumbnail_url: None | str
        thumbnail_url = self.thumbnail_url

        updated_at = self.updated_at.isoformat()

        value = self.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "addresses": addresses,
            "assets": assets,
            "createdAt": created_at,
            "data": data,
            "deadline": deadline,
            "flowKey": flow_key,
            "id": id,
            "name": name,
            "products": products,
            "spaceKey": space_key,
            "status": status,
            "tags": tags,
            "tasks": tasks,
            "thumbnailUrl": thumbnail_url,
            "updatedAt": updated_at,
            "value": value,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.asset_out import AssetOut # noqa: PLC0415
        from ..models.order_out_data import OrderOutData # noqa: PLC0415
        from ..models.product_out import ProductOut # noqa: PLC0415
        from ..models.task_out import TaskOut # noqa: PLC0415
        d = dict(src_dict)
        addresses = cast(list[Any], d.pop("addresses"))


        assets = []
        _assets = d.pop("assets")
        for assets_item_data in (_assets):
            assets_item = AssetOut.from_dict(assets_item_data)



            assets.append(assets_item)


        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        data = OrderOutData.from_dict(d.pop("data"))




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


        def _parse_flow_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        flow_key = _parse_flow_key(d.pop("flowKey"))


        id = UUID(d.pop("id"))




        name = d.pop("name")

        products = []
        _products = d.pop("products")
        for products_item_data in (_products):
            products_item = ProductOut.from_dict(products_item_data)



            products.append(products_item)


        space_key = d.pop("spaceKey")

        status = check_order_out_status(d.pop("status"))




        tags = cast(list[str], d.pop("tags"))


        tasks = []
        _tasks = d.pop("tasks")
        for tasks_item_data in (_tasks):
            tasks_item = TaskOut.from_dict(tasks_item_data)



            tasks.append(tasks_item)


        def _parse_thumbnail_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        thumbnail_url = _parse_thumbnail_url(d.pop("thumbnailUrl"))


        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))




        value = d.pop("value")

        order_out = cls(
            addresses=addresses,
            assets=assets,
            created_at=created_at,
            data=data,
            deadline=deadline,
            flow_key=flow_key,
            id=id,
            name=name,
            products=products,
            space_key=space_key,
            status=status,
            tags=tags,
            tasks=tasks,
            thumbnail_url=thumbnail_url,
            updated_at=updated_at,
            value=value,
        )


        order_out.additional_properties = d
        return order_out

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
