from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="OrderListParams")



@_attrs_define
class OrderListParams:
    """ 
        Attributes:
            any_tag (None | str | Unset): comma-separated tags; orders with any of them
            created_after (None | str | Unset): ISO 8601 time; includes that instant
            created_before (None | str | Unset): ISO 8601 time; excludes that instant
            cursor (None | str | Unset):
            deadline_after (None | str | Unset): ISO 8601 time; includes that instant
            deadline_before (None | str | Unset): ISO 8601 time; excludes that instant
            finished_after (None | str | Unset): ISO 8601 time; orders that reached success from that instant
            finished_before (None | str | Unset): ISO 8601 time; orders that reached success before that instant
            flow (None | str | Unset): the key of the order's flow
            limit (int | Unset):  Default: 50.
            ordering (None | str | Unset): name, status, value, createdAt or deadline; prefix - for descending
            search (None | str | Unset): words starting names or ids
            status (list[str] | None | Unset): created, in_progress, success, unhealthy, failure; repeat or comma-separate
            tag (None | str | Unset):
            waiting_for (None | str | Unset): comma-separated tags; orders with a manual task waiting for any of them
     """

    any_tag: None | str | Unset = UNSET
    created_after: None | str | Unset = UNSET
    created_before: None | str | Unset = UNSET
    cursor: None | str | Unset = UNSET
    deadline_after: None | str | Unset = UNSET
    deadline_before: None | str | Unset = UNSET
    finished_after: None | str | Unset = UNSET
    finished_before: None | str | Unset = UNSET
    flow: None | str | Unset = UNSET
    limit: int | Unset = 50
    ordering: None | str | Unset = UNSET
    search: None | str | Unset = UNSET
    status: list[str] | None | Unset = UNSET
    tag: None | str | Unset = UNSET
    waiting_for: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        any_tag: None | str | Unset
        if isinstance(self.any_tag, Unset):
            any_tag = UNSET
        else:
            any_tag = self.any_tag

        created_after: None | str | Unset
        if isinstance(self.created_after, Unset):
            created_after = UNSET
        else:
            created_after = self.created_after

        created_before: None | str | Unset
        if isinstance(self.created_before, Unset):
            created_before = UNSET
        else:
            created_before = self.created_before

        cursor: None | str | Unset
        if isinstance(self.cursor, Unset):
            cursor = UNSET
        else:
            cursor = self.cursor

        deadline_after: None | str | Unset
        if isinstance(self.deadline_after, Unset):
            deadline_after = UNSET
        else:
            deadline_after = self.deadline_after

        deadline_before: None | str | Unset
        if isinstance(self.deadline_before, Unset):
            deadline_before = UNSET
        else:
            deadline_before = self.deadline_before

        finished_after: None | str | Unset
        if isinstance(self.finished_after, Unset):
            finished_after = UNSET
        else:
            finished_after = self.finished_after

        finished_before: None | str | Unset
        if isinstance(self.finished_before, Unset):
            finished_before = UNSET
        else:
            finished_before = self.finished_before

        flow: None | str | Unset
        if isinstance(self.flow, Unset):
            flow = UNSET
        else:
            flow = self.flow

        limit = self.limit

        ordering: None | str | Unset
        if isinstance(self.ordering, Unset):
            ordering = UNSET
        else:
            ordering = self.ordering

        search: None | str | Unset
        if isinstance(self.search, Unset):
            search = UNSET
        else:
            search = self.search

        status: list[str] | None | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, list):
            status = self.status


        else:
            status = self.status

        tag: None | str | Unset
        if isinstance(self.tag, Unset):
            tag = UNSET
        else:
            tag = self.tag

        waiting_for: None | str | Unset
        if isinstance(self.waiting_for, Unset):
            waiting_for = UNSET
        else:
            waiting_for = self.waiting_for


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if any_tag is not UNSET:
            field_dict["anyTag"] = any_tag
        if created_after is not UNSET:
            field_dict["createdAfter"] = created_after
        if created_before is not UNSET:
            field_dict["createdBefore"] = created_before
        if cursor is not UNSET:
            field_dict["cursor"] = cursor
        if deadline_after is not UNSET:
            field_dict["deadlineAfter"] = deadline_after
        if deadline_before is not UNSET:
            field_dict["deadlineBefore"] = deadline_before
        if finished_after is not UNSET:
            field_dict["finishedAfter"] = finished_after
        if finished_before is not UNSET:
            field_dict["finishedBefore"] = finished_before
        if flow is not UNSET:
            field_dict["flow"] = flow
        if limit is not UNSET:
            field_dict["limit"] = limit
        if ordering is not UNSET:
            field_dict["ordering"] = ordering
        if search is not UNSET:
            field_dict["search"] = search
        if status is not UNSET:
            field_dict["status"] = status
        if tag is not UNSET:
            field_dict["tag"] = tag
        if waiting_for is not UNSET:
            field_dict["waitingFor"] = waiting_for

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_any_tag(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        any_tag = _parse_any_tag(d.pop("anyTag", UNSET))


        def _parse_created_after(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        created_after = _parse_created_after(d.pop("createdAfter", UNSET))


        def _parse_created_before(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        created_before = _parse_created_before(d.pop("createdBefore", UNSET))


        def _parse_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cursor = _parse_cursor(d.pop("cursor", UNSET))


        def _parse_deadline_after(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        deadline_after = _parse_deadline_after(d.pop("deadlineAfter", UNSET))


        def _parse_deadline_before(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        deadline_before = _parse_deadline_before(d.pop("deadlineBefore", UNSET))


        def _parse_finished_after(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        finished_after = _parse_finished_after(d.pop("finishedAfter", UNSET))


        def _parse_finished_before(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        finished_before = _parse_finished_before(d.pop("finishedBefore", UNSET))


        def _parse_flow(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        flow = _parse_flow(d.pop("flow", UNSET))


        limit = d.pop("limit", UNSET)

        def _parse_ordering(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ordering = _parse_ordering(d.pop("ordering", UNSET))


        def _parse_search(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        search = _parse_search(d.pop("search", UNSET))


        def _parse_status(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                status_type_0 = cast(list[str], data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))


        def _parse_tag(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tag = _parse_tag(d.pop("tag", UNSET))


        def _parse_waiting_for(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        waiting_for = _parse_waiting_for(d.pop("waitingFor", UNSET))


        order_list_params = cls(
            any_tag=any_tag,
            created_after=created_after,
            created_before=created_before,
            cursor=cursor,
            deadline_after=deadline_after,
            deadline_before=deadline_before,
            finished_after=finished_after,
            finished_before=finished_before,
            flow=flow,
            limit=limit,
            ordering=ordering,
            search=search,
            status=status,
            tag=tag,
            waiting_for=waiting_for,
        )


        order_list_params.additional_properties = d
        return order_list_params

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
