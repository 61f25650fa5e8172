from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.delivery_out_status import check_delivery_out_status
from ..models.delivery_out_status import DeliveryOutStatus
from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="DeliveryOut")



@_attrs_define
class DeliveryOut:
    """ 
        Attributes:
            attempts (int):
            created_at (datetime.datetime):
            event_type (str):
            id (UUID):
            last_attempt_at (datetime.datetime | None):
            last_error (str):
            next_attempt_at (datetime.datetime | None):
            order_id (UUID):
            response_body (str): the start of the last attempt's answer: at most 4096 bytes as received, as UTF-8 text
                (U+FFFD for bytes that are no UTF-8 and for NUL); empty when no answer came (lastError says why)
            response_code (int | None):
            response_cut (bool): whether the answer went on past responseBody
            status (DeliveryOutStatus):
     """

    attempts: int
    created_at: datetime.datetime
    event_type: str
    id: UUID
    last_attempt_at: datetime.datetime | None
    last_error: str
    next_attempt_at: datetime.datetime | None
    order_id: UUID
    response_body: str
    response_code: int | None
    response_cut: bool
    status: DeliveryOutStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        created_at = self.created_at.isoformat()

        event_type = self.event_type

        id = str(self.id)

        last_attempt_at: None | str
        if isinstance(self.last_attempt_at, datetime.datetime):
            last_attempt_at = self.last_attempt_at.isoformat()
        else:
            last_attempt_at = self.last_attempt_at

        last_error = self.last_error

        next_attempt_at: None | str
        if isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        order_id = str(self.order_id)

        response_body = self.response_body

        response_code: int | None
        response_code = self.response_code

        response_cut = self.response_cut

        status: str = self.status


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "attempts": attempts,
            "createdAt": created_at,
            "eventType": event_type,
            "id": id,
            "lastAttemptAt": last_attempt_at,
            "lastError": last_error,
            "nextAttemptAt": next_attempt_at,
            "orderId": order_id,
            "responseBody": response_body,
            "responseCode": response_code,
            "responseCut": response_cut,
            "status": status,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempts = d.pop("attempts")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        event_type = d.pop("eventType")

        id = UUID(d.pop("id"))




        def _parse_last_attempt_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_attempt_at_type_0 = datetime.datetime.fromisoformat(data)



                return last_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_attempt_at = _parse_last_attempt_at(d.pop("lastAttemptAt"))


        last_error = d.pop("lastError")

        def _parse_next_attempt_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)



                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("nextAttemptAt"))


        order_id = UUID(d.pop("orderId"))




        response_body = d.pop("responseBody")

        def _parse_response_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        response_code = _parse_response_code(d.pop("responseCode"))


        response_cut = d.pop("responseCut")

        status = check_delivery_out_status(d.pop("status"))




        delivery_out = cls(
            attempts=attempts,
            created_at=created_at,
            event_type=event_type,
            id=id,
            last_attempt_at=last_attempt_at,
            last_error=last_error,
            next_attempt_at=next_attempt_at,
            order_id=order_id,
            response_body=response_body,
            response_code=response_code,
            response_cut=response_cut,
            status=status,
        )


        delivery_out.additional_properties = d
        return delivery_out

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
