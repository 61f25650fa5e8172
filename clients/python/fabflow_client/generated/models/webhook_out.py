from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="WebhookOut")



@_attrs_define
class WebhookOut:
    """ 
        Attributes:
            created_at (datetime.datetime):
            disabled_reason (str):
            event_types (list[str]):
            id (UUID):
            is_enabled (bool):
            space_key (None | str):
            updated_at (datetime.datetime):
            url (str):
     """

    created_at: datetime.datetime
    disabled_reason: str
    event_types: list[str]
    id: UUID
    is_enabled: bool
    space_key: None | str
    updated_at: datetime.datetime
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        disabled_reason = self.disabled_reason

        event_types = self.event_types



        id = str(self.id)

        is_enabled = self.is_enabled

        space_key: None | str
        space_key = self.space_key

        updated_at = self.updated_at.isoformat()

        url = self.url


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "createdAt": created_at,
            "disabledReason": disabled_reason,
            "eventTypes": event_types,
            "id": id,
            "isEnabled": is_enabled,
            "spaceKey": space_key,
            "updatedAt": updated_at,
            "url": url,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        disabled_reason = d.pop("disabledReason")

        event_types = cast(list[str], d.pop("eventTypes"))


        id = UUID(d.pop("id"))




        is_enabled = d.pop("isEnabled")

        def _parse_space_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        space_key = _parse_space_key(d.pop("spaceKey"))


        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))




        url = d.pop("url")

        webhook_out = cls(
            created_at=created_at,
            disabled_reason=disabled_reason,
            event_types=event_types,
            id=id,
            is_enabled=is_enabled,
            space_key=space_key,
            updated_at=updated_at,
            url=url,
        )


        webhook_out.additional_properties = d
        return webhook_out

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
