"""Waiting for a server a test started: its first answer, or a failure that says why."""

import time

import httpx

POLL_SECONDS = 0.1


def first_answer(url: str, *, process, timeout: float = 60.0, **options) -> httpx.Response:
    """The first answer of `url`, served by `process` as it starts. Fails with a message when
    the process ends first or nothing answers within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, **options)
        except httpx.TransportError as error:
            if process.poll() is not None:
                raise AssertionError(
                    f"the server stopped (exit code {process.returncode}) before {url} answered"
                ) from error
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} did not answer within {timeout} s: {error}") from error
            time.sleep(POLL_SECONDS)
