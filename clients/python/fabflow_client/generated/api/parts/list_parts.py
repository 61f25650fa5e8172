from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.part_page import PartPage
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    created_after: None | str | Unset = UNSET,
    created_before: None | str | Unset = UNSET,
    search: None | str | Unset = UNSET,
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

    json_ordering: None | str | Unset
    if isinstance(ordering, Unset):
        json_ordering = UNSET
    else:
        json_ordering = ordering
    params["ordering"] = json_ordering


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/parts",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | PartPage | None:
    if response.status_code == 200:
        response_200 = PartPage.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | PartPage]:
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
    ordering: None | str | Unset = UNSET,

) -> Response[Error | PartPage]:
    """ List Parts

     List parts.

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        created_after (None | str | Unset): ISO 8601 time; includes that instant
        created_before (None | str | Unset): ISO 8601 time; excludes that instant
        search (None | str | Unset): words starting names or ids
        ordering (None | str | Unset): name or createdAt; prefix - for descending

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PartPage]
     """


    kwargs = _get_kwargs(
        limit=limit,
cursor=cursor,
created_after=created_after,
created_before=created_before,
search=search,
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
    ordering: None | str | Unset = UNSET,

) -> Error | PartPage | None:
    """ List Parts

     List parts.

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        created_after (None | str | Unset): ISO 8601 time; includes that instant
        created_before (None | str | Unset): ISO 8601 time; excludes that instant
        search (None | str | Unset): words starting names or ids
        ordering (None | str | Unset): name or createdAt; prefix - for descending

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PartPage
     """


    return sync_detailed(
        client=client,
limit=limit,
cursor=cursor,
created_after=created_after,
created_before=created_before,
search=search,
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
    ordering: None | str | Unset = UNSET,

) -> Response[Error | PartPage]:
    """ List Parts

     List parts.

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        created_after (None | str | Unset): ISO 8601 time; includes that instant
        created_before (None | str | Unset): ISO 8601 time; excludes that instant
        search (None | str | Unset): words starting names or ids
        ordering (None | str | Unset): name or createdAt; prefix - for descending

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PartPage]
     """


    kwargs = _get_kwargs(
        limit=limit,
cursor=cursor,
created_after=created_after,
created_before=created_before,
search=search,
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
    ordering: None | str | Unset = UNSET,

) -> Error | PartPage | None:
    """ List Parts

     List parts.

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        created_after (None | str | Unset): ISO 8601 time; includes that instant
        created_before (None | str | Unset): ISO 8601 time; excludes that instant
        search (None | str | Unset): words starting names or ids
        ordering (None | str | Unset): name or createdAt; prefix - for descending

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PartPage
     """


    return (await asyncio_detailed(
        client=client,
limit=limit,
cursor=cursor,
created_after=created_after,
created_before=created_before,
search=search,
ordering=ordering,

    )).parsed
