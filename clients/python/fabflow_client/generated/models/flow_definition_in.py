from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="FlowDefinitionIn")



@_attrs_define
class FlowDefinitionIn:
    """ 
        Attributes:
            definition (list[Any]):
     """

    definition: list[Any]





    def to_dict(self) -> dict[str, Any]:
        definition = self.definition




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "definition": definition,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        definition = cast(list[Any], d.pop("definition"))


        flow_definition_in = cls(
            definition=definition,
        )

        return flow_definition_in

