from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="StartFlowIn")



@_attrs_define
class StartFlowIn:
    """ 
        Attributes:
            flow_key (str):
     """

    flow_key: str





    def to_dict(self) -> dict[str, Any]:
        flow_key = self.flow_key


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "flowKey": flow_key,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        flow_key = d.pop("flowKey")

        start_flow_in = cls(
            flow_key=flow_key,
        )

        return start_flow_in

