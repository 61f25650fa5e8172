"""Runs the space's generator on each product's configuration and attaches the files it makes.

The work is `fabflow.files.generation.generate_production_files`; the files of this task
(source `task:<task key>`) replace the ones an earlier run of it attached.
"""

from typing import Literal

from pydantic import Field

from fabflow.accounts.actors import Actor
from fabflow.errors import FabflowError
from fabflow.files.generation import generate_production_files
from fabflow.flows.registry import HandlerFailure, PayloadModel

key = "generate-production-files"
kind = "automatic"


class Payload(PayloadModel):
    file_format: Literal["stl", "3mf", "obj"] = Field(description="the production file format")
    generator: str | None = Field(default=None, description="a generator key; default the space's")


def execute(context) -> dict:
    try:
        result = generate_production_files(
            actor=Actor.system(organization_id=context.order.organization_id),
            order_id=context.order.pk,
            file_format=context.payload.file_format,
            generator_key=context.payload.generator,
            source=f"task:{context.task.task_key}",
        )
    except FabflowError as error:
        # A bad configuration or an unknown generator stays bad however often it is tried.
        raise HandlerFailure(error.message, retryable=False) from None
    return result.as_dict()


def describe(context) -> dict:
    """Which generator would make which files, for which products; nothing is generated."""
    payload = context.payload
    generator = payload.generator or context.space.generator
    return {
        "generates": {
            "fileFormat": payload.file_format,
            "generator": generator or None,
            "products": [product["name"] for product in context.variables["products"]],
        },
        "problems": []
        if generator
        else [
            f"The product space {context.space.name!r} names no generator; set one on the "
            "space or give `generator` in the task's payload"
        ],
    }
