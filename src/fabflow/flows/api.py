"""REST API v1: flows, tasks and connector feedback, handed to the flow engine (services.py)."""

from uuid import UUID

from ninja import Query, Router, Schema
from pydantic import Field

from fabflow.api.schemas import (
    Accepted,
    render,
    responses,
)
from fabflow.flows import dryrun, services
from fabflow.flows.schema import flow_json_schema, readable_definition
from fabflow.flows.schemas import (
    ConfirmIn,
    DryRunIn,
    DryRunOut,
    FeedbackIn,
    FlowDefinitionIn,
    FlowIn,
    FlowOut,
    FlowPage,
    RejectIn,
)
from fabflow.orders.api import PageParams, order_input, render_task
from fabflow.orders.schemas import (
    TaskOut,
)
from fabflow.orders.services import resolve_space

router = Router()


def render_flow(flow, version=None) -> dict:
    version = version or flow.latest_version()
    # A stored definition beyond the bounds (written by hand) shows as empty, not as a 500.
    definition = readable_definition(version.definition) if version else None
    return {
        "key": flow.key,
        "name": flow.name,
        "spaceKey": flow.space.key,
        "version": version.number if version else 0,
        "definition": definition or [],
        "createdAt": flow.created_at,
        "updatedAt": flow.updated_at,
    }


@router.get(
    "/flows", response=responses({200: FlowPage}, 409), tags=["flows"], summary="List flows"
)
def list_flows(request, params: Query[PageParams]):
    flows = list(services.list_flows(actor=request.auth))
    return render(FlowPage, {"items": [render_flow(flow) for flow in flows], "nextCursor": None})


@router.post(
    "/flows",
    response=responses({201: FlowOut}, 403, 404, 409, 413),
    tags=["flows"],
    summary="Create a flow",
)
def create_flow(request, payload: FlowIn):
    space = resolve_space(actor=request.auth, space_key=payload.spaceKey)
    flow = services.create_flow(
        actor=request.auth, space=space, name=payload.name, definition=payload.definition
    )
    return render(FlowOut, render_flow(flow), status=201)


class FlowSpaceParams(Schema):
    spaceKey: str | None = Field(
        None, max_length=100, description="the flow's space, for users whose spaces share a key"
    )


@router.get("/flows/{flow_key}", response=responses({200: FlowOut}, 404, 409), tags=["flows"])
def get_flow(request, flow_key: str, params: Query[FlowSpaceParams]):
    """Read a flow and its latest definition."""
    flow = services.get_flow(actor=request.auth, flow_key=flow_key, space_key=params.spaceKey)
    return render(FlowOut, render_flow(flow))


@router.put(
    "/flows/{flow_key}",
    response=responses({200: FlowOut}, 403, 404, 409, 413),
    tags=["flows"],
    summary="Save a new version of a flow's definition",
)
def save_flow_version(
    request, flow_key: str, payload: FlowDefinitionIn, params: Query[FlowSpaceParams]
):
    version = services.save_flow_version(
        actor=request.auth,
        flow_key=flow_key,
        space_key=params.spaceKey,
        definition=payload.definition,
    )
    return render(FlowOut, render_flow(version.flow, version))


@router.post(
    "/flows/{flow_key}/dry-run",
    response=responses({200: DryRunOut}, 403, 404, 409, 413),
    tags=["flows"],
    summary="What a flow, or a draft of it, would do on an order, without doing any of it",
)
def dry_run_flow(request, flow_key: str, payload: DryRunIn, params: Query[FlowSpaceParams]):
    plan = dryrun.dry_run_flow(
        actor=request.auth,
        flow_key=flow_key,
        space_key=params.spaceKey,
        definition=payload.definition,
        order_id=payload.orderId,
        sample_order=dryrun.SampleOrder(**order_input(payload.order)) if payload.order else None,
    )
    return render(DryRunOut, plan)


def _task_call(action, request, task_id, **arguments) -> dict:
    task = action(actor=request.auth, task_id=task_id, **arguments)
    return render(TaskOut, render_task(task))


@router.post(
    "/tasks/{task_id}/confirm",
    response=responses({200: TaskOut}, 403, 404, 409, 413),
    tags=["tasks"],
)
def confirm_task(request, task_id: UUID, payload: ConfirmIn):
    """Confirm a manual task."""
    return _task_call(services.confirm_task, request, task_id, comment=payload.comment)


@router.post(
    "/tasks/{task_id}/reject",
    response=responses({200: TaskOut}, 403, 404, 409, 413),
    tags=["tasks"],
)
def reject_task(request, task_id: UUID, payload: RejectIn):
    """Reject a manual task."""
    return _task_call(services.reject_task, request, task_id, reason=payload.reason)


@router.post(
    "/tasks/{task_id}/retry", response=responses({200: TaskOut}, 403, 404, 409), tags=["tasks"]
)
def retry_task(request, task_id: UUID):
    """Run a failed or overdue task again."""
    return _task_call(services.retry_task, request, task_id)


@router.post(
    "/tasks/{task_id}/skip", response=responses({200: TaskOut}, 403, 404, 409), tags=["tasks"]
)
def skip_task(request, task_id: UUID):
    """Let the flow move on without a failed or overdue task."""
    return _task_call(services.skip_task, request, task_id)


@router.post(
    "/feedback/{token}",
    auth=None,
    response=responses({202: Accepted}, 404, 409, 413, public=True),
    tags=["tasks"],
    summary="A connector reports the outcome of a task (the token is the credential)",
)
def receive_feedback(request, token: str, payload: FeedbackIn):
    services.receive_feedback(
        token=token, status=payload.status, message=payload.message, data=payload.data
    )
    return render(Accepted, {"status": "accepted"}, status=202)


@router.get(
    "/schemas/flow.json",
    auth=None,
    response=responses({200: dict}, public=True),
    tags=["flows"],
    summary="The JSON Schema of a flow definition, for editors",
)
def flow_schema(request):
    return flow_json_schema()
