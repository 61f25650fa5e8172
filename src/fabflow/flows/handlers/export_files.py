"""Copies the order's production files and a manifest to a target an admin configured.

The work is `fabflow.files.exports.export_order_files`: atomic per file, manifest last, and
idempotent, so a retried or repeated task leaves the target as one run would.
"""

from pydantic import Field

from fabflow.flows.registry import HandlerFailure, PayloadModel

key = "export-files"
kind = "automatic"


class Payload(PayloadModel):
    target: str = Field(min_length=1, max_length=100, description="a configured export target")


def execute(context) -> dict:
    from fabflow.accounts.actors import Actor
    from fabflow.errors import FabflowError
    from fabflow.files.exports import ExportFailed, export_order_files

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
