from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.bulk_item_out_outcome import BulkItemOutOutcome
from ..models.bulk_item_out_outcome import check_bulk_item_out_outcome
from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="BulkItemOut")



@_attrs_define
class BulkItemOut:
    """ 
        Attributes:
            finished_at (datetime.datetime | None):
            order_id (UUID):
            outcome (BulkItemOutOutcome):
            reason (str):
     """

    finished_at: datetime.datetime | None
    order_id: UUID
    outcome: BulkItemOutOutcome
    reason: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        order_id = str(self.order_id)

        outcome: str = self.outcome

        reason = self.reason


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "finishedAt": finished_at,
            "orderId": order_id,
            "outcome": outcome,
            "reason": reason,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)



                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finishedAt"))


        order_id = UUID(d.pop("orderId"))




        outcome = check_bulk_item_out_outcome(d.pop("outcome"))




        reason = d.pop("reason")

        bulk_item_out = cls(
            finished_at=finished_at,
            order_id=order_id,
            outcome=outcome,
            reason=reason,
        )


        bulk_item_out.additional_properties = d
        return bulk_item_out

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
