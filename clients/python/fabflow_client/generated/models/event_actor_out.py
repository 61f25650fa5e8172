from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.event_actor_out_kind import check_event_actor_out_kind
from ..models.event_actor_out_kind import EventActorOutKind
from typing import cast






T = TypeVar("T", bound="EventActorOut")



@_attrs_define
class EventActorOut:
    """ 
        Attributes:
            kind (EventActorOutKind):
            label (str):
     """

    kind: EventActorOutKind
    label: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        kind: str = self.kind

        label = self.label


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "kind": kind,
            "label": label,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = check_event_actor_out_kind(d.pop("kind"))




        label = d.pop("label")

        event_actor_out = cls(
            kind=kind,
            label=label,
        )


        event_actor_out.additional_properties = d
        return event_actor_out

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
