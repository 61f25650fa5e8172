"""The API's requests and answers about flows, their tasks' actions and dry runs."""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from fabflow.api.schemas import Document, Input, Key, Output
from fabflow.flows.registry import HandlerKind
from fabflow.limits import MAX_REASON_LENGTH
from fabflow.orders.schemas import OrderIn


class ConfirmIn(Input):
    comment: Annotated[str, Field(max_length=MAX_REASON_LENGTH)] = ""


class RejectIn(Input):
    reason: Annotated[str, Field(min_length=1, max_length=MAX_REASON_LENGTH)]


class FlowIn(Input):
    name: Annotated[str, Field(min_length=5, max_length=200)]
    spaceKey: Key | None = None
    definition: list[Any]


class FlowDefinitionIn(Input):
    definition: list[Any]


class DryRunIn(Input):
    definition: list[Any] | None = Field(
        None, description="a draft to try; the flow's latest version when left out"
    )
    orderId: UUID | None = Field(None, description="an order of the flow's space to try it on")
    order: OrderIn | None = Field(
        None, description="or a sample order, as POST /orders takes it; it is never stored"
    )


class FeedbackIn(Input):
    status: Literal["success", "failure"]
    message: Annotated[str, Field(max_length=5000)] = ""
    data: Document = Field(default_factory=dict)


class FlowOut(Output):
    key: str
    name: str
    spaceKey: str
    version: int
    definition: list[Any]
    createdAt: datetime
    updatedAt: datetime


class FlowPage(Output):
    items: list[FlowOut]
    nextCursor: str | None


class DryRunTaskError(Output):
    path: str
    line: int | None
    message: str


class DryRunError(DryRunTaskError):
    taskKey: str


class DryRunTaskOut(Output):
    key: str
    handlerKey: str
    kind: HandlerKind
    path: str
    startsAfter: str | None
    title: str
    tags: list[str]
    retries: int
    timeoutMs: int | None
    timeout: str | None
    waitsFor: Literal["person", "feedback"] | None
    effects: dict[str, Any]
    problems: list[str]
    error: DryRunTaskError | None


class DryRunStageOut(Output):
    key: str
    name: str
    tags: list[str]
    path: str
    tasks: list[DryRunTaskOut]


class DryRunOut(Output):
    """What a flow would do on an order; nothing of it was done."""

    flowKey: str
    version: int
    isDraft: bool
    order: dict[str, Any]
    stages: list[DryRunStageOut]
    errors: list[DryRunError]
