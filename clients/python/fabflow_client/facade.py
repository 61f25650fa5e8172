"""`Fabflow` and `AsyncFabflow`: one object per server and key to call any operation of the API.

Each operation of the API is a module of `fabflow_client.generated.api` (e.g.
`fabflow_client.generated.api.orders.create_order`). `call` runs it with the key, returns the
parsed answer and raises a `FabflowError` carrying the API's error body on a refusal; the list
helpers follow the `nextCursor` of each page until the last, so a loop sees every match.
"""

from collections.abc import AsyncIterator, Iterator
from types import ModuleType
from typing import Any

from fabflow_client.errors import error_for
from fabflow_client.generated import AuthenticatedClient
from fabflow_client.generated.api.flows import list_flows
from fabflow_client.generated.api.orders import list_orders
from fabflow_client.generated.api.parts import list_parts
from fabflow_client.generated.api.products import list_products
from fabflow_client.generated.types import Response

DEFAULT_TIMEOUT_SECONDS = 30.0


def _answer(response: Response) -> Any:
    """The parsed answer of a call, or the exception for a refusal."""
    if response.status_code >= 400:
        raise error_for(response.status_code, response.content, response.headers)
    return response.parsed


def _next_cursor(page: Any) -> str | None:
    cursor = getattr(page, "next_cursor", None)
    return cursor if isinstance(cursor, str) and cursor else None


def _with_cursor(filters: dict, cursor: str | None) -> dict:
    return {**filters, "cursor": cursor} if cursor else filters


class _Facade:
    """What `Fabflow` and `AsyncFabflow` share: the generated client and the list helpers, each
    an iterator (sync) or an async iterator (async) over every matching item."""

    def __init__(
        self,
        base_url: str,
        secret_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        **httpx_args: Any,
    ):
        # Redirects are followed: an S3 installation answers a download with one to the file.
        self.client = AuthenticatedClient(
            base_url=base_url.rstrip("/"),
            token=secret_key,
            timeout=timeout,
            follow_redirects=True,
            httpx_args=httpx_args,
        )

    def items(self, operation: ModuleType, /, **filters: Any) -> Any:
        """Every item of a list operation, across all its pages (each facade's own way)."""
        raise NotImplementedError

    def orders(self, **filters: Any) -> Any:
        """Every order matching `filters` (`status`, `search`, `tag`, `ordering`, …)."""
        return self.items(list_orders, **filters)

    def products(self, **filters: Any) -> Any:
        """Every product matching `filters`."""
        return self.items(list_products, **filters)

    def parts(self, **filters: Any) -> Any:
        """Every part matching `filters`."""
        return self.items(list_parts, **filters)

    def flows(self, **filters: Any) -> Any:
        """Every flow the key sees."""
        return self.items(list_flows, **filters)


class Fabflow(_Facade):
    """Calls the API of the Fabflow at `base_url` with `secret_key` (`ffk_…`), synchronously.

    `client` is the generated `AuthenticatedClient`, for the generated functions themselves.
    """

    def call(self, operation: ModuleType, /, *args: Any, **arguments: Any) -> Any:
        """Run `operation` (a module of `fabflow_client.generated.api`) and return its answer;
        raise a `FabflowError` when the API refuses."""
        return _answer(operation.sync_detailed(*args, client=self.client, **arguments))

    def pages(self, operation: ModuleType, /, **filters: Any) -> Iterator[Any]:
        """Every page of a list operation, following `nextCursor` from the first."""
        cursor = None
        while True:
            page = self.call(operation, **_with_cursor(filters, cursor))
            yield page
            cursor = _next_cursor(page)
            if cursor is None:
                return

    def items(self, operation: ModuleType, /, **filters: Any) -> Iterator[Any]:
        """Every item of a list operation, across all its pages."""
        for page in self.pages(operation, **filters):
            yield from page.items

    def close(self) -> None:
        """Close the connections."""
        self.client.get_httpx_client().close()

    def __enter__(self) -> "Fabflow":
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()


class AsyncFabflow(_Facade):
    """Calls the API of the Fabflow at `base_url` with `secret_key`, with asyncio: `await call`,
    `async for` over the list helpers."""

    async def call(self, operation: ModuleType, /, *args: Any, **arguments: Any) -> Any:
        """Run `operation` and return its answer; raise a `FabflowError` when the API refuses."""
        return _answer(await operation.asyncio_detailed(*args, client=self.client, **arguments))

    async def pages(self, operation: ModuleType, /, **filters: Any) -> AsyncIterator[Any]:
        """Every page of a list operation, following `nextCursor` from the first."""
        cursor = None
        while True:
            page = await self.call(operation, **_with_cursor(filters, cursor))
            yield page
            cursor = _next_cursor(page)
            if cursor is None:
                return

    async def items(self, operation: ModuleType, /, **filters: Any) -> AsyncIterator[Any]:
        """Every item of a list operation, across all its pages."""
        async for page in self.pages(operation, **filters):
            for item in page.items:
                yield item

    async def close(self) -> None:
        """Close the connections."""
        await self.client.get_async_httpx_client().aclose()

    async def __aenter__(self) -> "AsyncFabflow":
        return self

    async def __aexit__(self, *exception: object) -> None:
        await self.close()
