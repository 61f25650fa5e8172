from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.dry_run_task_out import DryRunTaskOut





T = TypeVar("T", bound="DryRunStageOut")



@_attrs_define
class DryRunStageOut:
    """ 
        Attributes:
            key (str):
            name (str):
            path (str):
            tags (list[str]):
            tasks (list[DryRunTaskOut]):
     """

    key: str
    name: str
    path: str
    tags: list[str]
    tasks: list[DryRunTaskOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.dry_run_task_out import DryRunTaskOut # noqa: PLC0415
        key = self.key

        name = self.name

        path = self.path

        tags = self.tags



        tasks = []
        for tasks_item_data in self.tasks:
            tasks_item = tasks_item_data.to_dict()
            tasks.append(tasks_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "key": key,
            "name": name,
            "path": path,
            "tags": tags,
            "tasks": tasks,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dry_run_task_out import DryRunTaskOut # noqa: PLC0415
        d = dict(src_dict)
        key = d.pop("key")

        name = d.pop("name")

        path = d.pop("path")

        tags = cast(list[str], d.pop("tags"))


        tasks = []
        _tasks = d.pop("tasks")
        for tasks_item_data in (_tasks):
            tasks_item = DryRunTaskOut.from_dict(tasks_item_data)



            tasks.append(tasks_item)


        dry_run_stage_out = cls(
            key=key,
            name=name,
            path=path,
            tags=tags,
            tasks=tasks,
        )


        dry_run_stage_out.additional_properties = d
        return dry_run_stage_out

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
