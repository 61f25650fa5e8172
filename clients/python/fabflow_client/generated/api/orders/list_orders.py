from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.order_page import OrderPage
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    created_after: None | str | Unset = UNSET,
    created_before: None | str | Unset = UNSET,
    search: None | str | Unset = UNSET,
    status: list[str] | None | Unset = UNSET,
    tag: None | str | Unset = UNSET,
    any_tag: None | str | Unset = UNSET,
    finished_after: None | str | Unset = UNSET,
    finished_before: None | str | Unset = UNSET,
    deadline_after: None | str | Unset = UNSET,
    deadline_before: None | str | Unset = UNSET,
    flow: None | str | Unset = UNSET,
    waiting_for: None | str | Unset = UNSET,
    ordering: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_created_after: None | str | Unset
    if isinstance(created_after, Unset):
        json_created_after = UNSET
    else:
        json_created_after = created_after
    params["createdAfter"] = json_created_after

    json_created_before: None | str | Unset
    if isinstance(created_before, Unset):
        json_created_before = UNSET
    else:
        json_created_before = created_before
    params["createdBefore"] = json_created_before

    json_search: None | str | Unset
    if isinstance(search, Unset):
        json_search = UNSET
    else:
        json_search = search
    params["search"] = json_search

    json_status: list[str] | None | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, list):
        json_status = status


    else:
        json_status = status
    params["status"] = json_status

    json_tag: None | str | Unset
    if isinstance(tag, Unset):
        json_tag = UNSET
    else:
        json_tag = tag
    params["tag"] = json_tag

    json_any_tag: None | str | Unset
    if isinstance(any_tag, Unset):
        json_any_tag = UNSET
    else:
        json_any_tag = any_tag
    params["anyTag"] = json_any_tag

    json_finished_after: None | str | Unset
    if isinstance(finished_after, Unset):
        json_finished_after = UNSET
    else:
        json_finished_after = finished_after
    params["finishedAfter"] = json_finished_after

    json_finished_before: None | str | Unset
    if isinstance(finished_before, Unset):
        json_finished_before = UNSET
    else:
        json_finished_before = finished_before
    params["finishedBefore"] = json_finished_before

    json_deadline_after: None | str | Unset
    if isinstance(deadline_after, Unset):
        json_deadline_after = UNSET
    else:
        json_deadline_after = deadline_after
    params["deadlineAfter"] = json_deadline_after

    json_deadline_before: None | str | Unset
    if isinstance(deadline_before, Unset):
        json_deadline_before = UNSET
    else:
        json_deadline_before = deadline_before
    params["deadlineBefore"] = json_deadline_before

    json_flow: None | str | Unset
    if isinstance(flow, Unset):
        json_flow = UNSET
    else:
        json_flow = flow
    params["flow"] = json_flow

    json_waiting_for: None | str | Unset
    if isinstance(waiting_for, Unset):
        json_waiting_for = UNSET
    else:
        json_waiting_for = waiting_for
    params["waitingFor"] = json_waiting_for

    json_ordering: None | str | Unset
    if isinstance(ordering, Unset):
        json_ordering = UNSET
    else:
        json_ordering = ordering
    params["ordering"] = json_ordering


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/orders",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | OrderPage | None:
    if response.status_code == 200:
        response_200 = OrderPage.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())



        return response_401

    if response.status_code == 414:
        response_414 = Error.from_dict(response.json())



        return response_414

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | OrderPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    created_after: None | str | Unset = UNSET,
    created_before: None | str | Unset = UNSET,
    search: None | str | Unset = UNSET,
    status: list[str] | None | Unset = UNSET,
    tag: None | str | Unset = UNSET,
    any_tag: None | str | Unset = UNSET,
    finished_after: None | str | Unset = UNSET,
    finished_before: None | str | Unset = UNSET,
    deadline_after: None | str | Unset = UNSET,
    deadline_before: None | str | Unset = UNSET,
    flow: None | str | Unset = UNSET,
    waiting_for: None | str | Unset = UNSET,
    ordering: None | str | Unset = UNSET,

) -> Response[Error | OrderPage]:
    """ List orders

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        created_after (None | str | Unset): ISO 8601 time; includes that instant
        created_before (None | str | Unset): ISO 8601 time; excludes that instant
        search (None | str | Unset): words starting names or ids
        status (list[str] | None | Unset): created, in_progress, success, unhealthy, failure;
            repeat or comma-separate
        tag (None | str | Unset):
        any_tag (None | str | Unset): comma-separated tags; orders with any of them
        finished_after (None | str | Unset): ISO 8601 time; orders that reached success from that
            instant
        finished_before (None | str | Unset): ISO 8601 time; orders that reached success before
            that instant
        deadline_after (None | str | Unset): ISO 8601 time; includes that instant
        deadline_before (None | str | Unset): ISO 8601 time; excludes that instant
        flow (None | str | Unset): the key of the order's flow
        waiting_for (None | str | Unset): comma-separated tags; orders with a manual task waiting
            for any of them
        ordering (None | str | Unset): name, status, value, createdAt or deadline; prefix - for
            descending

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrderPage]
     """


    kwargs = _get_kwargs(
        limit=limit,
cursor=cursor,
created_after=created_after,
created_before=created_before,
search=search,
status=status,
tag=tag,
any_tag=any_tag,
finished_after=finished_after,
finished_before=finished_before,
deadline_after=deadline_after,
deadline_before=deadline_before,
flow=flow,
waiting_for=waiting_for,
ordering=ordering,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    created_after: None | str | Unset = UNSET,
    created_before: None | str | Unset = UNSET,
    search: None | str | Unset = UNSET,
    status: list[str] | None | Unset = UNSET,
    tag: None | str | Unset = UNSET,
    any_tag: None | str | Unset = UNSET,
    finished_after: None | str | Unset = UNSET,
    finished_before: None | str | Unset = UNSET,
    deadline_after: None | str | Unset = UNSET,
    deadline_before: None | str | Unset = UNSET,
    flow: None | str | Unset = UNSET,
    waiting_for: None | str | Unset = UNSET,
    ordering: None | str | Unset = UNSET,

) -> Error | OrderPage | None:
    """ List orders

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        created_after (None | str | Unset): ISO 8601 time; includes that instant
        created_before (None | str | Unset): ISO 8601 time; excludes that instant
        search (None | str | Unset): words starting names or ids
        status (list[str] | None | Unset): created, in_progress, success, unhealthy, failure;
            repeat or comma-separate
        tag (None | str | Unset):
        any_tag (None | str | Unset): comma-separated tags; orders with any of them
        finished_after (None | str | Unset): ISO 8601 time; orders that reached success from that
            instant
        finished_before (None | str | Unset): ISO 8601 time; orders that reached success before
            that instant
        deadline_after (None | str | Unset): ISO 8601 time; includes that instant
        deadline_before (None | str | Unset): ISO 8601 time; excludes that instant
        flow (None | str | Unset): the key of the order's flow
        waiting_for (None | str | Unset): comma-separated tags; orders with a manual task waiting
            for any of them
        ordering (None | str | Unset): name, status, value, createdAt or deadline; prefix - for
            descending

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrderPage
     """


    return sync_detailed(
        client=client,
limit=limit,
cursor=cursor,
created_after=created_after,
created_before=created_before,
search=search,
status=status,
tag=tag,
any_tag=any_tag,
finished_after=finished_after,
finished_before=finished_before,
deadline_after=deadline_after,
deadline_before=deadline_before,
flow=flow,
waiting_for=waiting_for,
ordering=ordering,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    created_after: None | str | Unset = UNSET,
    created_before: None | str | Unset = UNSET,
    search: None | str | Unset = UNSET,
    status: list[str] | None | Unset = UNSET,
    tag: None | str | Unset = UNSET,
    any_tag: None | str | Unset = UNSET,
    finished_after: None | str | Unset = UNSET,
    finished_before: None | str | Unset = UNSET,
    deadline_after: None | str | Unset = UNSET,
    deadline_before: None | str | Unset = UNSET,
    flow: None | str | Unset = UNSET,
    waiting_for: None | str | Unset = UNSET,
    ordering: None | str | Unset = UNSET,

) -> Response[Error | OrderPage]:
    """ List orders

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        created_after (None | str | Unset): ISO 8601 time; includes that instant
        created_before (None | str | Unset): ISO 8601 time; excludes that instant
        search (None | str | Unset): words starting names or ids
        status (list[str] | None | Unset): created, in_progress, success, unhealthy, failure;
            repeat or comma-separate
        tag (None | str | Unset):
        any_tag (None | str | Unset): comma-separated tags; orders with any of them
        finished_after (None | str | Unset): ISO 8601 time; orders that reached success from that
            instant
        finished_before (None | str | Unset): ISO 8601 time; orders that reached success before
            that instant
        deadline_after (None | str | Unset): ISO 8601 time; includes that instant
        deadline_before (None | str | Unset): ISO 8601 time; excludes that instant
        flow (None | str | Unset): the key of the order's flow
        waiting_for (None | str | Unset): comma-separated tags; orders with a manual task waiting
            for any of them
        ordering (None | str | Unset): name, status, value, createdAt or deadline; prefix - for
            descending

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrderPage]
     """


    kwargs = _get_kwargs(
        limit=limit,
cursor=cursor,
created_after=created_after,
created_before=created_before,
search=search,
status=status,
tag=tag,
any_tag=any_tag,
finished_after=finished_after,
finished_before=finished_before,
deadline_after=deadline_after,
deadline_before=deadline_before,
flow=flow,
waiting_for=waiting_for,
ordering=ordering,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    created_after: None | str | Unset = UNSET,
    created_before: None | str | Unset = UNSET,
    search: None | str | Unset = UNSET,
    status: list[str] | None | Unset = UNSET,
    tag: None | str | Unset = UNSET,
    any_tag: None | str | Unset = UNSET,
    finished_after: None | str | Unset = UNSET,
    finished_before: None | str | Unset = UNSET,
    deadline_after: None | str | Unset = UNSET,
    deadline_before: None | str | Unset = UNSET,
    flow: None | str | Unset = UNSET,
    waiting_for: None | str | Unset = UNSET,
    ordering: None | str | Unset = UNSET,

) -> Error | OrderPage | None:
    """ List orders

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        created_after (None | str | Unset): ISO 8601 time; includes that instant
        created_before (None | str | Unset): ISO 8601 time; excludes that instant
        search (None | str | Unset): words starting names or ids
        status (list[str] | None | Unset): created, in_progress, success, unhealthy, failure;
            repeat or comma-separate
        tag (None | str | Unset):
        any_tag (None | str | Unset): comma-separated tags; orders with any of them
        finished_after (None | str | Unset): ISO 8601 time; orders that reached success from that
            instant
        finished_before (None | str | Unset): ISO 8601 time; orders that reached success before
            that instant
        deadline_after (None | str | Unset): ISO 8601 time; includes that instant
        deadline_before (None | str | Unset): ISO 8601 time; excludes that instant
        flow (None | str | Unset): the key of the order's flow
        waiting_for (None | str | Unset): comma-separated tags; orders with a manual task waiting
            for any of them
        ordering (None | str | Unset): name, status, value, createdAt or deadline; prefix - for
            descending

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrderPage
     """


    return (await asyncio_detailed(
        client=client,
limit=limit,
cursor=cursor,
created_after=created_after,
created_before=created_before,
search=search,
status=status,
tag=tag,
any_tag=any_tag,
finished_after=finished_after,
finished_before=finished_before,
deadline_after=deadline_after,
deadline_before=deadline_before,
flow=flow,
waiting_for=waiting_for,
ordering=ordering,

    )).parsed
