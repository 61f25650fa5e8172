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
  from ..models.order_patch_data_type_0 import OrderPatchDataType0





T = TypeVar("T", bound="OrderPatch")



@_attrs_define
class OrderPatch:
    """ Only the fields sent change; `deadline: null` clears the deadline.

        Attributes:
            data (None | OrderPatchDataType0 | Unset):
            deadline (datetime.datetime | None | Unset):
            tags (list[str] | None | Unset):
     """

    data: None | OrderPatchDataType0 | Unset = UNSET
    deadline: datetime.datetime | None | Unset = UNSET
    tags: list[str] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.order_patch_data_type_0 import OrderPatchDataType0 # noqa: PLC0415
        data: dict[str, Any] | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, OrderPatchDataType0):
            data = self.data.to_dict()
        else:
            data = self.data

        deadline: None | str | Unset
        if isinstance(self.deadline, Unset):
            deadline = UNSET
        elif isinstance(self.deadline, datetime.datetime):
            deadline = self.deadline.isoformat()
        else:
            deadline = self.deadline

        tags: list[str] | None | Unset
        if isinstance(self.tags, Unset):
            tags = UNSET
        elif isinstance(self.tags, list):
            tags = self.tags


        else:
            tags = self.tags


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if data is not UNSET:
            field_dict["data"] = data
        if deadline is not UNSET:
            field_dict["deadline"] = deadline
        if tags is not UNSET:
            field_dict["tags"] = tags

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.order_patch_data_type_0 import OrderPatchDataType0 # noqa: PLC0415
        d = dict(src_dict)
        def _parse_data(data: object) -> None | OrderPatchDataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = OrderPatchDataType0.from_dict(data)



                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OrderPatchDataType0 | Unset, data)

        data = _parse_data(d.pop("data", UNSET))


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


        def _parse_tags(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tags_type_0 = cast(list[str], data)

                return tags_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        tags = _parse_tags(d.pop("tags", UNSET))


        order_patch = cls(
            data=data,
            deadline=deadline,
            tags=tags,
        )

        return order_patch

