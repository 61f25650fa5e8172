from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.task_out_status import check_task_out_status
from ..models.task_out_status import TaskOutStatus
from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="TaskOut")



@_attrs_define
class TaskOut:
    """ 
        Attributes:
            attempt (int):
            deadline_at (datetime.datetime | None):
            error (str):
            finished_at (datetime.datetime | None):
            handler_key (str):
            id (UUID):
            key (str):
            overdue (bool):
            stage_key (str):
            started_at (datetime.datetime | None):
            status (TaskOutStatus):
            title (str):
     """

    attempt: int
    deadline_at: datetime.datetime | None
    error: str
    finished_at: datetime.datetime | None
    handler_key: str
    id: UUID
    key: str
    overdue: bool
    stage_key: str
    started_at: datetime.datetime | None
    status: TaskOutStatus
    title: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        deadline_at: None | str
        if isinstance(self.deadline_at, datetime.datetime):
            deadline_at = self.deadline_at.isoformat()
        else:
            deadline_at = self.deadline_at

        error = self.error

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        handler_key = self.handler_key

        id = str(self.id)

        key = self.key

        overdue = self.overdue

        stage_key = self.stage_key

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        status: str = self.status

        title = self.title


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "attempt": attempt,
            "deadlineAt": deadline_at,
            "error": error,
            "finishedAt": finished_at,
            "handlerKey": handler_key,
            "id": id,
            "key": key,
            "overdue": overdue,
            "stageKey": stage_key,
            "startedAt": started_at,
            "status": status,
            "title": title,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        def _parse_deadline_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deadline_at_type_0 = datetime.datetime.fromisoformat(data)



                return deadline_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        deadline_at = _parse_deadline_at(d.pop("deadlineAt"))


        error = d.pop("error")

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


        handler_key = d.pop("handlerKey")

        id = UUID(d.pop("id"))




        key = d.pop("key")

        overdue = d.pop("overdue")

        stage_key = d.pop("stageKey")

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


        status = check_task_out_status(d.pop("status"))




        title = d.pop("title")

        task_out = cls(
            attempt=attempt,
            deadline_at=deadline_at,
            error=error,
            finished_at=finished_at,
            handler_key=handler_key,
            id=id,
            key=key,
            overdue=overdue,
            stage_key=stage_key,
            started_at=started_at,
            status=status,
            title=title,
        )


        task_out.additional_properties = d
        return task_out

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
