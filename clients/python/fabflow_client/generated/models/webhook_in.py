from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="WebhookIn")



@_attrs_define
class WebhookIn:
    """ 
        Attributes:
            event_types (list[str]):
            url (str):
            space_key (None | str | Unset):
     """

    event_types: list[str]
    url: str
    space_key: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        event_types = self.event_types



        url = self.url

        space_key: None | str | Unset
        if isinstance(self.space_key, Unset):
            space_key = UNSET
        else:
            space_key = self.space_key


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "eventTypes": event_types,
            "url": url,
        })
        if space_key is not UNSET:
            field_dict["spaceKey"] = space_key

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event_types = cast(list[str], d.pop("eventTypes"))


        url = d.pop("url")

        def _parse_space_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        space_key = _parse_space_key(d.pop("spaceKey", UNSET))


        webhook_in = cls(
            event_types=event_types,
            url=url,
            space_key=space_key,
        )

        return webhook_in

