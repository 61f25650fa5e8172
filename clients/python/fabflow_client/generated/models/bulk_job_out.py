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
  from ..models.bulk_job_out_arguments import BulkJobOutArguments
  from ..models.outcome_counts import OutcomeCounts





T = TypeVar("T", bound="BulkJobOut")



@_attrs_define
class BulkJobOut:
    """ 
        Attributes:
            action (str):
            arguments (BulkJobOutArguments):
            counts (OutcomeCounts):
            created_at (datetime.datetime):
            created_by (str):
            done_means (str): what the outcome 'done' means for this action
            finished_at (datetime.datetime | None):
            id (UUID):
            order_count (int):
            started_at (datetime.datetime | None):
            status (str):
     """

    action: str
    arguments: BulkJobOutArguments
    counts: OutcomeCounts
    created_at: datetime.datetime
    created_by: str
    done_means: str
    finished_at: datetime.datetime | None
    id: UUID
    order_count: int
    started_at: datetime.datetime | None
    status: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.bulk_job_out_arguments import BulkJobOutArguments # noqa: PLC0415
        from ..models.outcome_counts import OutcomeCounts # noqa: PLC0415
        action = self.action

        arguments = self.arguments.to_dict()

        counts = self.counts.to_dict()

        created_at = self.created_at.isoformat()

        created_by = self.created_by

        done_means = self.done_means

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        id = str(self.id)

        order_count = self.order_count

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        status = self.status


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "action": action,
            "arguments": arguments,
            "counts": counts,
            "createdAt": created_at,
            "createdBy": created_by,
            "doneMeans": done_means,
            "finishedAt": finished_at,
            "id": id,
            "orderCount": order_count,
            "startedAt": started_at,
            "status": status,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.bulk_job_out_arguments import BulkJobOutArguments # noqa: PLC0415
        from ..models.outcome_counts import OutcomeCounts # noqa: PLC0415
        d = dict(src_dict)
        action = d.pop("action")

        arguments = BulkJobOutArguments.from_dict(d.pop("arguments"))




        counts = OutcomeCounts.from_dict(d.pop("counts"))




        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        created_by = d.pop("createdBy")

        done_means = d.pop("doneMeans")

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


        id = UUID(d.pop("id"))




        order_count = d.pop("orderCount")

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)



                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("startedAt"))


        status = d.pop("status")

        bulk_job_out = cls(
            action=action,
            arguments=arguments,
            counts=counts,
            created_at=created_at,
            created_by=created_by,
            done_means=done_means,
            finished_at=finished_at,
            id=id,
            order_count=order_count,
            started_at=started_at,
            status=status,
        )


        bulk_job_out.additional_properties = d
        return bulk_job_out

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
