from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.dry_run_task_out_kind import check_dry_run_task_out_kind
from ..models.dry_run_task_out_kind import DryRunTaskOutKind
from ..models.dry_run_task_out_waits_for_type_0 import check_dry_run_task_out_waits_for_type_0
from ..models.dry_run_task_out_waits_for_type_0 import DryRunTaskOutWaitsForType0
from typing import cast

if TYPE_CHECKING:
  from ..models.dry_run_task_error import DryRunTaskError
  from ..models.dry_run_task_out_effects import DryRunTaskOutEffects





T = TypeVar("T", bound="DryRunTaskOut")



@_attrs_define
class DryRunTaskOut:
    """ 
        Attributes:
            effects (DryRunTaskOutEffects):
            error (DryRunTaskError | None):
            handler_key (str):
            key (str):
            kind (DryRunTaskOutKind):
            path (str):
            problems (list[str]):
            retries (int):
            starts_after (None | str):
            tags (list[str]):
            timeout (None | str):
            timeout_ms (int | None):
            title (str):
            waits_for (DryRunTaskOutWaitsForType0 | None):
     """

    effects: DryRunTaskOutEffects
    error: DryRunTaskError | None
    handler_key: str
    key: str
    kind: DryRunTaskOutKind
    path: str
    problems: list[str]
    retries: int
    starts_after: None | str
    tags: list[str]
    timeout: None | str
    timeout_ms: int | None
    title: str
    waits_for: DryRunTaskOutWaitsForType0 | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.dry_run_task_error import DryRunTaskError # noqa: PLC0415
        from ..models.dry_run_task_out_effects import DryRunTaskOutEffects # noqa: PLC0415
        effects = self.effects.to_dict()

        error: dict[str, Any] | None
        if isinstance(self.error, DryRunTaskError):
            error = self.error.to_dict()
        else:
            error = self.error

        handler_key = self.handler_key

        key = self.key

        kind: str = self.kind

        path = self.path

        problems = self.problems



        retries = self.retries

        starts_after: None | str
        starts_after = self.starts_after

        tags = self.tags



        timeout: None | str
        timeout = self.timeout

        timeout_ms: int | None
        timeout_ms = self.timeout_ms

        title = self.title

        waits_for: None | str
        if isinstance(self.waits_for, str):
            waits_for = self.waits_for
        else:
            waits_for = self.waits_for


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "effects": effects,
            "error": error,
            "handlerKey": handler_key,
            "key": key,
            "kind": kind,
            "path": path,
            "problems": problems,
            "retries": retries,
            "startsAfter": starts_after,
            "tags": tags,
            "timeout": timeout,
            "timeoutMs": timeout_ms,
            "title": title,
            "waitsFor": waits_for,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dry_run_task_error import DryRunTaskError # noqa: PLC0415
        from ..models.dry_run_task_out_effects import DryRunTaskOutEffects # noqa: PLC0415
        d = dict(src_dict)
        effects = DryRunTaskOutEffects.from_dict(d.pop("effects"))




        def _parse_error(data: object) -> DryRunTaskError | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = DryRunTaskError.from_dict(data)



                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DryRunTaskError | None, data)

        error = _parse_error(d.pop("error"))


        handler_key = d.pop("handlerKey")

        key = d.pop("key")

        kind = check_dry_run_task_out_kind(d.pop("kind"))




        path = d.pop("path")

        problems = cast(list[str], d.pop("problems"))


        retries = d.pop("retries")

        def _parse_starts_after(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        starts_after = _parse_starts_after(d.pop("startsAfter"))


        tags = cast(list[str], d.pop("tags"))


        def _parse_timeout(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        timeout = _parse_timeout(d.pop("timeout"))


        def _parse_timeout_ms(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        timeout_ms = _parse_timeout_ms(d.pop("timeoutMs"))


        title = d.pop("title")

        def _parse_waits_for(data: object) -> DryRunTaskOutWaitsForType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                waits_for_type_0 = check_dry_run_task_out_waits_for_type_0(data)



                return waits_for_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DryRunTaskOutWaitsForType0 | None, data)

        waits_for = _parse_waits_for(d.pop("waitsFor"))


        dry_run_task_out = cls(
            effects=effects,
            error=error,
            handler_key=handler_key,
            key=key,
            kind=kind,
            path=path,
            problems=problems,
            retries=retries,
            starts_after=starts_after,
            tags=tags,
            timeout=timeout,
            timeout_ms=timeout_ms,
            title=title,
            waits_for=waits_for,
        )


        dry_run_task_out.additional_properties = d
        return dry_run_task_out

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
