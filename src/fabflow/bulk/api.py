"""REST API v1: bulk actions on orders (docs/api.md, "Bulk actions").

A key or a signed-in user starts a job over order ids or over the orders a filter (the order
list's parameters) matches now; the job runs in the workers. Its counts and each order's outcome
are read back, the outcomes a cursor-paginated list like the others.
"""

import json
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from django.http import HttpResponse, QueryDict
from ninja import Query, Router, Schema
from pydantic import Field

from fabflow.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, paginate
from fabflow.api.schemas import Input, Output, render, responses
from fabflow.bulk import services
from fabflow.bulk.models import BulkAction, BulkJob, BulkJobItem, ItemOutcome
from fabflow.orders.filters import SortKey

router = Router(tags=["bulk actions"])

# The most filter parameters a job's filter names, and the length of each value.
MAX_FILTER_PARAMETERS = 30
MAX_FILTER_VALUE_LENGTH = 1000
FilterValue = Annotated[str, Field(max_length=MAX_FILTER_VALUE_LENGTH)]
ITEM_KEYS = [SortKey("position", False), SortKey("id", False)]


class BulkJobIn(Input):
    action: Literal[tuple(BulkAction.values)]  # type: ignore[valid-type]
    arguments: dict[str, str] = Field(
        default_factory=dict,
        max_length=3,
        description="confirm: comment; reject: reason; start_flow: flowKey; add_tag, "
        "remove_tag: tag",
    )
    orderIds: list[UUID] | None = Field(None, description="the orders, or send filter")
    filter: dict[str, FilterValue | Annotated[list[FilterValue], Field(max_length=20)]] | None = (
        Field(
            None,
            max_length=MAX_FILTER_PARAMETERS,
            description="the parameters of GET /orders (status, search, createdAfter, ...): the "
            "job covers every order they match now",
        )
    )
    confirmCount: int | None = Field(
        None, ge=0, description="the job's number of orders, needed past the confirmation bound"
    )


class OutcomeCounts(Output):
    pending: int
    working: int
    done: int
    refused: int
    failed: int


class BulkJobOut(Output):
    id: UUID
    action: str
    arguments: dict[str, str]
    status: str
    orderCount: int
    counts: OutcomeCounts
    doneMeans: str = Field(description="what the outcome 'done' means for this action")
    createdBy: str
    createdAt: datetime
    startedAt: datetime | None
    finishedAt: datetime | None


class BulkItemOut(Output):
    orderId: UUID
    outcome: Literal[tuple(ItemOutcome.values)]  # type: ignore[valid-type]
    reason: str
    finishedAt: datetime | None


class BulkItemPage(Output):
    items: list[BulkItemOut]
    nextCursor: str | None


class ItemParams(Schema):
    outcome: Literal[tuple(ItemOutcome.values)] | None = None  # type: ignore[valid-type]
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=1000)


def render_job(job: BulkJob) -> dict:
    return {
        "id": job.pk,
        "action": job.action,
        "arguments": job.arguments if isinstance(job.arguments, dict) else {},
        "status": job.status,
        "orderCount": job.order_count,
        "counts": services.outcome_counts(job),
        "doneMeans": services.DONE_MEANS[job.action],
        "createdBy": job.created_by_label,
        "createdAt": job.created_at,
        "startedAt": job.started_at,
        "finishedAt": job.finished_at,
    }


@router.post("/bulk-jobs", response=responses({201: BulkJobOut}, 404, 409, 413))
def create_bulk_job(request, payload: BulkJobIn):
    """Start a bulk action over order ids or over every order a filter matches now; past the
    confirmation bound (FABFLOW_BULK_CONFIRM_OVER) it needs confirmCount, the exact count (409
    names it)."""
    job = services.create_job(
        actor=request.auth,
        action=payload.action,
        arguments=payload.arguments,
        order_ids=payload.orderIds,
        filter_params=None if payload.filter is None else _query(payload.filter),
        selection="order ids" if payload.filter is None else "filter",
        confirm_count=payload.confirmCount,
    )
    return render(BulkJobOut, render_job(job), status=201)


@router.get("/bulk-jobs/{job_id}", response=responses({200: BulkJobOut}, 404))
def get_bulk_job(request, job_id: UUID):
    """Read a bulk action: its status and how many of its orders have each outcome."""
    return render(BulkJobOut, render_job(services.get_job(actor=request.auth, job_id=job_id)))


@router.get("/bulk-jobs/{job_id}/items", response=responses({200: BulkItemPage}, 404))
def list_bulk_job_items(request, job_id: UUID, params: Query[ItemParams]):
    """Each order's outcome, in the job's order (of one outcome when asked)."""
    job = services.get_job(actor=request.auth, job_id=job_id)
    items = services.job_items(job=job, outcome=params.outcome or "").order_by("position", "id")
    texts, next_cursor = paginate(
        items, keys=ITEM_KEYS, limit=params.limit, cursor=params.cursor, documents=_item_documents
    )
    body = f'{{"items":[{",".join(texts)}],"nextCursor":{json.dumps(next_cursor)}}}'
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _item_documents(item_ids: list) -> list[str]:
    by_id = {item.pk: item for item in BulkJobItem.objects.filter(pk__in=item_ids)}
    return [
        BulkItemOut(
            orderId=item.order_id,
            outcome=item.outcome,
            reason=item.reason,
            finishedAt=item.finished_at,
        ).model_dump_json()
        for item in (by_id[item_id] for item_id in item_ids if item_id in by_id)
    ]


def _query(filter_params: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in filter_params.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    return query
