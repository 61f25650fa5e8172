from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ProductListParams")



@_attrs_define
class ProductListParams:
    """ 
        Attributes:
            created_after (None | str | Unset): ISO 8601 time; includes that instant
            created_before (None | str | Unset): ISO 8601 time; excludes that instant
            cursor (None | str | Unset):
            limit (int | Unset):  Default: 50.
            ordering (None | str | Unset): name, units, unitValue or createdAt; prefix - for descending
            search (None | str | Unset): words starting names or ids
     """

    created_after: None | str | Unset = UNSET
    created_before: None | str | Unset = UNSET
    cursor: None | str | Unset = UNSET
    limit: int | Unset = 50
    ordering: None | str | Unset = UNSET
    search: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
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


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if created_after is not UNSET:
            field_dict["createdAfter"] = created_after
        if created_before is not UNSET:
            field_dict["createdBefore"] = created_before
        if cursor is not UNSET:
            field_dict["cursor"] = cursor
        if limit is not UNSET:
            field_dict["limit"] = limit
        if ordering is not UNSET:
            field_dict["ordering"] = ordering
        if search is not UNSET:
            field_dict["search"] = search

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
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


        product_list_params = cls(
            created_after=created_after,
            created_before=created_before,
            cursor=cursor,
            limit=limit,
            ordering=ordering,
            search=search,
        )


        product_list_params.additional_properties = d
        return product_list_params

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
