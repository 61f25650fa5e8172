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
  from ..models.order_in_addresses_item import OrderInAddressesItem
  from ..models.order_in_data import OrderInData
  from ..models.product_in import ProductIn





T = TypeVar("T", bound="OrderIn")



@_attrs_define
class OrderIn:
    """ 
        Attributes:
            name (str):
            products (list[ProductIn]):
            addresses (list[OrderInAddressesItem] | Unset): At most 65536 bytes as compact UTF-8 JSON, nested at most 32
                levels.
            data (OrderInData | Unset): At most 65536 bytes as compact UTF-8 JSON, nested at most 32 levels.
            deadline (datetime.datetime | None | Unset):
            flow_key (None | str | Unset):
            space_key (None | str | Unset):
            tags (list[str] | Unset):
            value (None | str | Unset):
     """

    name: str
    products: list[ProductIn]
    addresses: list[OrderInAddressesItem] | Unset = UNSET
    data: OrderInData | Unset = UNSET
    deadline: datetime.datetime | None | Unset = UNSET
    flow_key: None | str | Unset = UNSET
    space_key: None | str | Unset = UNSET
    tags: list[str] | Unset = UNSET
    value: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.order_in_addresses_item import OrderInAddressesItem # noqa: PLC0415
        from ..models.order_in_data import OrderInData # noqa: PLC0415
        from ..models.product_in import ProductIn # noqa: PLC0415
        name = self.name

        products = []
        for products_item_data in self.products:
            products_item = products_item_data.to_dict()
            products.append(products_item)



        addresses: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.addresses, Unset):
            addresses = []
            for addresses_item_data in self.addresses:
                addresses_item = addresses_item_data.to_dict()
                addresses.append(addresses_item)



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

        flow_key: None | str | Unset
        if isinstance(self.flow_key, Unset):
            flow_key = UNSET
        else:
            flow_key = self.flow_key

        space_key: None | str | Unset
        if isinstance(self.space_key, Unset):
            space_key = UNSET
        else:
            space_key = self.space_key

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags



        value: None | str | Unset
        if isinstance(self.value, Unset):
            value = UNSET
        else:
            value = self.value


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "products": products,
        })
        if addresses is not UNSET:
            field_dict["addresses"] = addresses
        if data is not UNSET:
            field_dict["data"] = data
        if deadline is not UNSET:
            field_dict["deadline"] = deadline
        if flow_key is not UNSET:
            field_dict["flowKey"] = flow_key
        if space_key is not UNSET:
            field_dict["spaceKey"] = space_key
        if tags is not UNSET:
            field_dict["tags"] = tags
        if value is not UNSET:
            field_dict["value"] = value

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.order_in_addresses_item import OrderInAddressesItem # noqa: PLC0415
        from ..models.order_in_data import OrderInData # noqa: PLC0415
        from ..models.product_in import ProductIn # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        products = []
        _products = d.pop("products")
        for products_item_data in (_products):
            products_item = ProductIn.from_dict(products_item_data)



            products.append(products_item)


        _addresses = d.pop("addresses", UNSET)
        addresses: list[OrderInAddressesItem] | Unset = UNSET
        if _addresses is not UNSET:
            addresses = []
            for addresses_item_data in _addresses:
                addresses_item = OrderInAddressesItem.from_dict(addresses_item_data)



                addresses.append(addresses_item)


        _data = d.pop("data", UNSET)
        data: OrderInData | Unset
        if isinstance(_data,  Unset):
            data = UNSET
        else:
            data = OrderInData.from_dict(_data)




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


        def _parse_flow_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        flow_key = _parse_flow_key(d.pop("flowKey", UNSET))


        def _parse_space_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        space_key = _parse_space_key(d.pop("spaceKey", UNSET))


        tags = cast(list[str], d.pop("tags", UNSET))


        def _parse_value(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        value = _parse_value(d.pop("value", UNSET))


        order_in = cls(
            name=name,
            products=products,
            addresses=addresses,
            data=data,
            deadline=deadline,
            flow_key=flow_key,
            space_key=space_key,
            tags=tags,
            value=value,
        )

        return order_in

