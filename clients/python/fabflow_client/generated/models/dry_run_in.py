from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from uuid import UUID

if TYPE_CHECKING:
  from ..models.order_in import OrderIn





T = TypeVar("T", bound="DryRunIn")



@_attrs_define
class DryRunIn:
    """ 
        Attributes:
            definition (list[Any] | None | Unset): a draft to try; the flow's latest version when left out
            order (None | OrderIn | Unset): or a sample order, as POST /orders takes it; it is never stored
            order_id (None | Unset | UUID): an order of the flow's space to try it on
     """

    definition: list[Any] | None | Unset = UNSET
    order: None | OrderIn | Unset = UNSET
    order_id: None | Unset | UUID = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.order_in import OrderIn # noqa: PLC0415
        definition: list[Any] | None | Unset
        if isinstance(self.definition, Unset):
            definition = UNSET
        elif isinstance(self.definition, list):
            definition = self.definition


        else:
            definition = self.definition

        order: dict[str, Any] | None | Unset
        if isinstance(self.order, Unset):
            order = UNSET
        elif isinstance(self.order, OrderIn):
            order = self.order.to_dict()
        else:
            order = self.order

        order_id: None | str | Unset
        if isinstance(self.order_id, Unset):
            order_id = UNSET
        elif isinstance(self.order_id, UUID):
            order_id = str(self.order_id)
        else:
            order_id = self.order_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if definition is not UNSET:
            field_dict["definition"] = definition
        if order is not UNSET:
            field_dict["order"] = order
        if order_id is not UNSET:
            field_dict["orderId"] = order_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.order_in import OrderIn # noqa: PLC0415
        d = dict(src_dict)
        def _parse_definition(data: object) -> list[Any] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                definition_type_0 = cast(list[Any], data)

                return definition_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Any] | None | Unset, data)

        definition = _parse_definition(d.pop("definition", UNSET))


        def _parse_order(data: object) -> None | OrderIn | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                order_type_0 = OrderIn.from_dict(data)



                return order_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OrderIn | Unset, data)

        order = _parse_order(d.pop("order", UNSET))


        def _parse_order_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                order_id_type_0 = UUID(data)



                return order_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        order_id = _parse_order_id(d.pop("orderId", UNSET))


        dry_run_in = cls(
            definition=definition,
            order=order,
            order_id=order_id,
        )

        return dry_run_in

