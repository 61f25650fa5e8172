from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="ConfirmIn")



@_attrs_define
class ConfirmIn:
    """ 
        Attributes:
            comment (str | Unset):  Default: ''.
     """

    comment: str | Unset = ''





    def to_dict(self) -> dict[str, Any]:
        comment = self.comment


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if comment is not UNSET:
            field_dict["comment"] = comment

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        comment = d.pop("comment", UNSET)

        confirm_in = cls(
            comment=comment,
        )

        return confirm_in

