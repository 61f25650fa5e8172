"""Copies the order's production files and a manifest to a target an admin configured.

The work is `fabflow.files.export_targets.export_order_files`: atomic per file, manifest last, and
idempotent, so a retried or repeated task leaves the target as one run would.
"""

from pydantic import Field

from fabflow.accounts.actors import Actor
from fabflow.errors import FabflowError, NotFound
from fabflow.files.export_targets import ExportFailed, export_order_files, get_export_target
from fabflow.flows.registry import HandlerFailure, PayloadModel

key = "export-files"
kind = "automatic"


class Payload(PayloadModel):
    target: str = Field(min_length=1, max_length=100, description="a configured export target")


def execute(context) -> dict:
    try:
        result = export_order_files(
            actor=Actor.system(organization_id=context.order.organization_id),
            order_id=context.order.pk,
            target_name=context.payload.target,
        )
    except ExportFailed as error:
        # The target was unreachable or refused: another attempt may find it back.
        raise HandlerFailure(error.message, retryable=True) from None
    except FabflowError as error:
        raise HandlerFailure(error.message, retryable=False) from None
    return result.as_dict()


def describe(context) -> dict:
    """Which files would go to which target; nothing is copied."""
    target = context.payload.target
    try:
        get_export_target(
            actor=Actor.system(organization_id=context.space.organization_id), name=target
        )
    except NotFound as error:
        problems = [error.message]
    else:
        problems = []
    return {
        "exports": {"target": target, "files": list(context.production_files)},
        "problems": problems,
    }
