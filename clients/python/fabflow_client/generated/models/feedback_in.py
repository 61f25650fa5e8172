from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.feedback_in_status import check_feedback_in_status
from ..models.feedback_in_status import FeedbackInStatus
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.feedback_in_data import FeedbackInData





T = TypeVar("T", bound="FeedbackIn")



@_attrs_define
class FeedbackIn:
    """ 
        Attributes:
            status (FeedbackInStatus):
            data (FeedbackInData | Unset): At most 65536 bytes as compact UTF-8 JSON, nested at most 32 levels.
            message (str | Unset):  Default: ''.
     """

    status: FeedbackInStatus
    data: FeedbackInData | Unset = UNSET
    message: str | Unset = ''





    def to_dict(self) -> dict[str, Any]:
        from ..models.feedback_in_data import FeedbackInData # noqa: PLC0415
        status: str = self.status

        data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = self.data.to_dict()

        message = self.message


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "status": status,
        })
        if data is not UNSET:
            field_dict["data"] = data
        if message is not UNSET:
            field_dict["message"] = message

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.feedback_in_data import FeedbackInData # noqa: PLC0415
        d = dict(src_dict)
        status = check_feedback_in_status(d.pop("status"))




        _data = d.pop("data", UNSET)
        data: FeedbackInData | Unset
        if isinstance(_data,  Unset):
            data = UNSET
        else:
            data = FeedbackInData.from_dict(_data)




        message = d.pop("message", UNSET)

        feedback_in = cls(
            status=status,
            data=data,
            message=message,
        )

        return feedback_in

