"""A plugin handler for the tests that fails the way a buggy handler would: with an unexpected
exception, or with a BaseException that is no Exception. Installed for a test's processes by
`crashing_plugin` (tests/flows/conftest.py), as a package's entry point would install it."""

import os
from typing import Literal

from fabflow.flows.registry import PayloadModel

key = "crash"
kind = "automatic"


class Stop(BaseException):
    """Not an Exception: what a careless `except Exception` lets through."""


class Payload(PayloadModel):
    raises: Literal["exception", "base-exception"]


def execute(context) -> dict:
    with open(os.environ["CRASH_TRIES_FILE"], "a") as tries:
        tries.write(f"{context.payload.raises}\n")
    if context.payload.raises == "exception":
        return {"share": 1 / 0}
    raise Stop("the handler gave up")
