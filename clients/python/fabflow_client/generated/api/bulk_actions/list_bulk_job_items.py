from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.bulk_item_page import BulkItemPage
from ...models.error import Error
from ...models.list_bulk_job_items_outcome_type_0 import check_list_bulk_job_items_outcome_type_0
from ...models.list_bulk_job_items_outcome_type_0 import ListBulkJobItemsOutcomeType0
from ...types import UNSET, Unset
from typing import cast
from uuid import UUID



def _get_kwargs(
    job_id: UUID,
    *,
    outcome: ListBulkJobItemsOutcomeType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_outcome: None | str | Unset
    if isinstance(outcome, Unset):
        json_outcome = UNSET
    elif isinstance(outcome, str):
        json_outcome = outcome
    else:
        json_outcome = outcome
    params["outcome"] = json_outcome

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/bulk-jobs/{job_id}/items".format(job_id=quote(str(job_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BulkItemPage | Error | None:
    if response.status_code == 200:
        response_200 = BulkItemPage.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())



        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())



        return response_404

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BulkItemPage | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    job_id: UUID,
    *,
    client: AuthenticatedClient,
    outcome: ListBulkJobItemsOutcomeType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,

) -> Response[BulkItemPage | Error]:
    """ List Bulk Job Items

     Each order's outcome, in the job's order (of one outcome when asked).

    Args:
        job_id (UUID):
        outcome (ListBulkJobItemsOutcomeType0 | None | Unset):
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BulkItemPage | Error]
     """


    kwargs = _get_kwargs(
        job_id=job_id,
outcome=outcome,
limit=limit,
cursor=cursor,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    job_id: UUID,
    *,
    client: AuthenticatedClient,
    outcome: ListBulkJobItemsOutcomeType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,

) -> BulkItemPage | Error | None:
    """ List Bulk Job Items

     Each order's outcome, in the job's order (of one outcome when asked).

    Args:
        job_id (UUID):
        outcome (ListBulkJobItemsOutcomeType0 | None | Unset):
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BulkItemPage | Error
     """


    return sync_detailed(
        job_id=job_id,
client=client,
outcome=outcome,
limit=limit,
cursor=cursor,

    ).parsed

async def asyncio_detailed(
    job_id: UUID,
    *,
    client: AuthenticatedClient,
    outcome: ListBulkJobItemsOutcomeType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,

) -> Response[BulkItemPage | Error]:
    """ List Bulk Job Items

     Each order's outcome, in the job's order (of one outcome when asked).

    Args:
        job_id (UUID):
        outcome (ListBulkJobItemsOutcomeType0 | None | Unset):
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BulkItemPage | Error]
     """


    kwargs = _get_kwargs(
        job_id=job_id,
outcome=outcome,
limit=limit,
cursor=cursor,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    job_id: UUID,
    *,
    client: AuthenticatedClient,
    outcome: ListBulkJobItemsOutcomeType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,

) -> BulkItemPage | Error | None:
    """ List Bulk Job Items

     Each order's outcome, in the job's order (of one outcome when asked).

    Args:
        job_id (UUID):
        outcome (ListBulkJobItemsOutcomeType0 | None | Unset):
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BulkItemPage | Error
     """


    return (await asyncio_detailed(
        job_id=job_id,
client=client,
outcome=outcome,
limit=limit,
cursor=cursor,

    )).parsed
