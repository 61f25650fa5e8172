from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.flow_out import FlowOut
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    flow_key: str,
    *,
    space_key: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_space_key: None | str | Unset
    if isinstance(space_key, Unset):
        json_space_key = UNSET
    else:
        json_space_key = space_key
    params["spaceKey"] = json_space_key


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/flows/{flow_key}".format(flow_key=quote(str(flow_key), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | FlowOut | None:
    if response.status_code == 200:
        response_200 = FlowOut.from_dict(response.json())



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

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())



        return response_409

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | FlowOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    flow_key: str,
    *,
    client: AuthenticatedClient,
    space_key: None | str | Unset = UNSET,

) -> Response[Error | FlowOut]:
    """ Get Flow

     Read a flow and its latest definition.

    Args:
        flow_key (str):
        space_key (None | str | Unset): the flow's space, for users whose spaces share a key

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | FlowOut]
     """


    kwargs = _get_kwargs(
        flow_key=flow_key,
space_key=space_key,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    flow_key: str,
    *,
    client: AuthenticatedClient,
    space_key: None | str | Unset = UNSET,

) -> Error | FlowOut | None:
    """ Get Flow

     Read a flow and its latest definition.

    Args:
        flow_key (str):
        space_key (None | str | Unset): the flow's space, for users whose spaces share a key

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | FlowOut
     """


    return sync_detailed(
        flow_key=flow_key,
client=client,
space_key=space_key,

    ).parsed

async def asyncio_detailed(
    flow_key: str,
    *,
    client: AuthenticatedClient,
    space_key: None | str | Unset = UNSET,

) -> Response[Error | FlowOut]:
    """ Get Flow

     Read a flow and its latest definition.

    Args:
        flow_key (str):
        space_key (None | str | Unset): the flow's space, for users whose spaces share a key

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | FlowOut]
     """


    kwargs = _get_kwargs(
        flow_key=flow_key,
space_key=space_key,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    flow_key: str,
    *,
    client: AuthenticatedClient,
    space_key: None | str | Unset = UNSET,

) -> Error | FlowOut | None:
    """ Get Flow

     Read a flow and its latest definition.

    Args:
        flow_key (str):
        space_key (None | str | Unset): the flow's space, for users whose spaces share a key

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | FlowOut
     """


    return (await asyncio_detailed(
        flow_key=flow_key,
client=client,
space_key=space_key,

    )).parsed
