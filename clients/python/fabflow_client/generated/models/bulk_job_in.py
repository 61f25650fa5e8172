from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.bulk_job_in_action import BulkJobInAction
from ..models.bulk_job_in_action import check_bulk_job_in_action
from ..types import UNSET, Unset
from typing import cast
from uuid import UUID

if TYPE_CHECKING:
  from ..models.bulk_job_in_arguments import BulkJobInArguments
  from ..models.bulk_job_in_filter_type_0 import BulkJobInFilterType0





T = TypeVar("T", bound="BulkJobIn")



@_attrs_define
class BulkJobIn:
    """ 
        Attributes:
            action (BulkJobInAction):
            arguments (BulkJobInArguments | Unset): confirm: comment; reject: reason; start_flow: flowKey; add_tag,
                remove_tag: tag
            confirm_count (int | None | Unset): the job's number of orders, needed past the confirmation bound
            filter_ (BulkJobInFilterType0 | None | Unset): the parameters of GET /orders (status, search, createdAfter,
                ...): the job covers every order they match now
            order_ids (list[UUID] | None | Unset): the orders, or send filter
     """

    action: BulkJobInAction
    arguments: BulkJobInArguments | Unset = UNSET
    confirm_count: int | None | Unset = UNSET
    filter_: BulkJobInFilterType0 | None | Unset = UNSET
    order_ids: list[UUID] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.bulk_job_in_arguments import BulkJobInArguments # noqa: PLC0415
        from ..models.bulk_job_in_filter_type_0 import BulkJobInFilterType0 # noqa: PLC0415
        action: str = self.action

        arguments: dict[str, Any] | Unset = UNSET
        if not isinstance(self.arguments, Unset):
            arguments = self.arguments.to_dict()

        confirm_count: int | None | Unset
        if isinstance(self.confirm_count, Unset):
            confirm_count = UNSET
        else:
            confirm_count = self.confirm_count

        filter_: dict[str, Any] | None | Unset
        if isinstance(self.filter_, Unset):
            filter_ = UNSET
        elif isinstance(self.filter_, BulkJobInFilterType0):
            filter_ = self.filter_.to_dict()
        else:
            filter_ = self.filter_

        order_ids: list[str] | None | Unset
        if isinstance(self.order_ids, Unset):
            order_ids = UNSET
        elif isinstance(self.order_ids, list):
            order_ids = []
            for order_ids_type_0_item_data in self.order_ids:
                order_ids_type_0_item = str(order_ids_type_0_item_data)
                order_ids.append(order_ids_type_0_item)


        else:
            order_ids = self.order_ids


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "action": action,
        })
        if arguments is not UNSET:
            field_dict["arguments"] = arguments
        if confirm_count is not UNSET:
            field_dict["confirmCount"] = confirm_count
        if filter_ is not UNSET:
            field_dict["filter"] = filter_
        if order_ids is not UNSET:
            field_dict["orderIds"] = order_ids

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.bulk_job_in_arguments import BulkJobInArguments # noqa: PLC0415
        from ..models.bulk_job_in_filter_type_0 import BulkJobInFilterType0 # noqa: PLC0415
        d = dict(src_dict)
        action = check_bulk_job_in_action(d.pop("action"))




        _arguments = d.pop("arguments", UNSET)
        arguments: BulkJobInArguments | Unset
        if isinstance(_arguments,  Unset):
            arguments = UNSET
        else:
            arguments = BulkJobInArguments.from_dict(_arguments)




        def _parse_confirm_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        confirm_count = _parse_confirm_count(d.pop("confirmCount", UNSET))


        def _parse_filter_(data: object) -> BulkJobInFilterType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                filter_type_0 = BulkJobInFilterType0.from_dict(data)



                return filter_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BulkJobInFilterType0 | None | Unset, data)

        filter_ = _parse_filter_(d.pop("filter", UNSET))


        def _parse_order_ids(data: object) -> list[UUID] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                order_ids_type_0 = []
                _order_ids_type_0 = data
                for order_ids_type_0_item_data in (_order_ids_type_0):
                    order_ids_type_0_item = UUID(order_ids_type_0_item_data)



                    order_ids_type_0.append(order_ids_type_0_item)

                return order_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[UUID] | None | Unset, data)

        order_ids = _parse_order_ids(d.pop("orderIds", UNSET))


        bulk_job_in = cls(
            action=action,
            arguments=arguments,
            confirm_count=confirm_count,
            filter_=filter_,
            order_ids=order_ids,
        )

        return bulk_job_in

