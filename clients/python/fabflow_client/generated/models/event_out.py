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
  from ..models.event_actor_out import EventActorOut
  from ..models.event_out_details import EventOutDetails





T = TypeVar("T", bound="EventOut")



@_attrs_define
class EventOut:
    """ One line of an order's history, as its page shows it.

        Attributes:
            actor (EventActorOut):
            created_at (datetime.datetime | None):
            details (EventOutDetails):
            id (UUID):
            text (str):
            type_ (str):
     """

    actor: EventActorOut
    created_at: datetime.datetime | None
    details: EventOutDetails
    id: UUID
    text: str
    type_: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.event_actor_out import EventActorOut # noqa: PLC0415
        from ..models.event_out_details import EventOutDetails # noqa: PLC0415
        actor = self.actor.to_dict()

        created_at: None | str
        if isinstance(self.created_at, datetime.datetime):
            created_at = self.created_at.isoformat()
        else:
            created_at = self.created_at

        details = self.details.to_dict()

        id = str(self.id)

        text = self.text

        type_ = self.type_


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "actor": actor,
            "createdAt": created_at,
            "details": details,
            "id": id,
            "text": text,
            "type": type_,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_actor_out import EventActorOut # noqa: PLC0415
        from ..models.event_out_details import EventOutDetails # noqa: PLC0415
        d = dict(src_dict)
        actor = EventActorOut.from_dict(d.pop("actor"))




        def _parse_created_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                created_at_type_0 = datetime.datetime.fromisoformat(data)



                return created_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        created_at = _parse_created_at(d.pop("createdAt"))


        details = EventOutDetails.from_dict(d.pop("details"))




        id = UUID(d.pop("id"))




        text = d.pop("text")

        type_ = d.pop("type")

        event_out = cls(
            actor=actor,
            created_at=created_at,
            details=details,
            id=id,
            text=text,
            type_=type_,
        )


        event_out.additional_properties = d
        return event_out

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
