from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.dry_run_error import DryRunError
  from ..models.dry_run_out_order import DryRunOutOrder
  from ..models.dry_run_stage_out import DryRunStageOut





T = TypeVar("T", bound="DryRunOut")



@_attrs_define
class DryRunOut:
    """ What a flow would do on an order; nothing of it was done.

        Attributes:
            errors (list[DryRunError]):
            flow_key (str):
            is_draft (bool):
            order (DryRunOutOrder):
            stages (list[DryRunStageOut]):
            version (int):
     """

    errors: list[DryRunError]
    flow_key: str
    is_draft: bool
    order: DryRunOutOrder
    stages: list[DryRunStageOut]
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.dry_run_error import DryRunError # noqa: PLC0415
        from ..models.dry_run_out_order import DryRunOutOrder # noqa: PLC0415
        from ..models.dry_run_stage_out import DryRunStageOut # noqa: PLC0415
        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)



        flow_key = self.flow_key

        is_draft = self.is_draft

        order = self.order.to_dict()

        stages = []
        for stages_item_data in self.stages:
            stages_item = stages_item_data.to_dict()
            stages.append(stages_item)



        version = self.version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "errors": errors,
            "flowKey": flow_key,
            "isDraft": is_draft,
            "order": order,
            "stages": stages,
            "version": version,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dry_run_error import DryRunError # noqa: PLC0415
        from ..models.dry_run_out_order import DryRunOutOrder # noqa: PLC0415
        from ..models.dry_run_stage_out import DryRunStageOut # noqa: PLC0415
        d = dict(src_dict)
        errors = []
        _errors = d.pop("errors")
        for errors_item_data in (_errors):
            errors_item = DryRunError.from_dict(errors_item_data)



            errors.append(errors_item)


        flow_key = d.pop("flowKey")

        is_draft = d.pop("isDraft")

        order = DryRunOutOrder.from_dict(d.pop("order"))




        stages = []
        _stages = d.pop("stages")
        for stages_item_data in (_stages):
            stages_item = DryRunStageOut.from_dict(stages_item_data)



            stages.append(stages_item)


        version = d.pop("version")

        dry_run_out = cls(
            errors=errors,
            flow_key=flow_key,
            is_draft=is_draft,
            order=order,
            stages=stages,
            version=version,
        )


        dry_run_out.additional_properties = d
        return dry_run_out

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
