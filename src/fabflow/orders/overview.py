"""How production is going and what needs a person now: the numbers of the Dashboard page.

Every number comes with `query`, the Orders table's filter parameters (orders/filters.py) that
list exactly the orders it counts, so a page can link each number to its rows. Counting follows
those filters' own rules: a day is `[start, end)` in UTC, as `createdAfter`/`createdBefore` are.

Fast at a million orders: the orders per status come from counters kept with every status
change (orders/status_counts.py); the other numbers read narrow ranges of indexes: a day of
creations or finishes, a day of deadlines, the waiting tasks, the oldest orders of two rare
statuses.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from django.db import models
from django.db.models import Expression, Q
from django.utils import timezone

from fabflow.accounts.actors import Actor
from fabflow.orders.filters import OrderFilterSet
from fabflow.orders.models import Order, OrderStatus
from fabflow.orders.status_counts import status_counts

DAYS = 30
LIST_LENGTH = 10
AT_RISK_WITHIN = timedelta(days=1)
# Statuses of orders whose flow still has work to do (or to be retried): not done yet.
NOT_DONE = [status for status in OrderStatus.values if status != OrderStatus.SUCCESS]
NEEDS_ATTENTION = [OrderStatus.UNHEALTHY, OrderStatus.FAILURE]
# What a line of a list shows of an order.
LINE_FIELDS = ("id", "name", "status", "created_at", "deadline")


@dataclass(frozen=True)
class Count:
    """A number of orders and the Orders table filter that lists them."""

    label: str
    count: int
    query: str


@dataclass(frozen=True)
class Day:
    """One day of the chart: orders created and orders finished (reached Success) that day."""

    day: date
    created: Count
    finished: Count


@dataclass(frozen=True)
class LeadTime:
    """Creation to Success of one flow's orders finished in the window, in seconds."""

    flow_key: str
    finished: Count
    p50: float
    p90: float


@dataclass(frozen=True)
class OrderLine:
    """One order in a list of the dashboard, with what it is listed for."""

    order_id: object
    name: str
    status: str
    status_label: str
    when: datetime | None
    reason: str


@dataclass(frozen=True)
class OrderList:
    """The first orders of a list and how many there are in all."""

    total: Count
    lines: list[OrderLine]


@dataclass(frozen=True)
class Overview:
    """Everything the Dashboard shows, for one actor at one moment."""

    now: datetime
    statuses: list[Count]
    days: list[Day]
    lead_times: list[LeadTime]
    needs_attention: OrderList
    waiting_for_you: OrderList
    at_risk: OrderList
    tags: list[str]


def production_overview(*, actor: Actor, tags: list[str], now: datetime | None = None) -> Overview:
    """The dashboard's numbers over the orders `actor` may see; `tags` are the user's."""
    now = (now or timezone.now()).astimezone(UTC)
    orders = actor.restrict(Order.objects.only(*LINE_FIELDS))
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    window_start = today - timedelta(days=DAYS - 1)
    counts = status_counts(actor=actor)
    return Overview(
        now=now,
        statuses=_statuses(counts),
        days=_days(orders, window_start),
        lead_times=_lead_times(orders, window_start, today + timedelta(days=1)),
        needs_attention=_needs_attention(orders, counts),
        waiting_for_you=_waiting_for(actor, tags),
        at_risk=_at_risk(actor, now),
        tags=tags,
    )


def _query(**params) -> str:
    values = {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in params.items()
    }
    return urlencode(values, doseq=True)


def _statuses(counts: dict[str, int]) -> list[Count]:
    return [
        Count(label=label, count=counts[status], query=_query(status=status))
        for status, label in OrderStatus.choices
    ]


def _days(orders, window_start: datetime) -> list[Day]:
    window_end = window_start + timedelta(days=DAYS)
    created = _per_day(orders, "created_at", window_start, window_end)
    finished = _per_day(orders, "finished_at", window_start, window_end)
    days = []
    for offset in range(DAYS):
        start = window_start + timedelta(days=offset)
        end = start + timedelta(days=1)
        day = start.date()
        days.append(
            Day(
                day=day,
                created=Count(
                    "Created", created.get(day, 0), _query(createdAfter=start, createdBefore=end)
                ),
                finished=Count(
                    "Finished",
                    finished.get(day, 0),
                    _query(finishedAfter=start, finishedBefore=end),
                ),
            )
        )
    return days


def _per_day(orders, field: str, start: datetime, end: datetime) -> dict[date, int]:
    """How many orders have `field` on each UTC day of [start, end): one walk of its index."""
    rows = (
        orders.filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .order_by()
        .annotate(day=OnVendor(field, sqlite=SQLITE_DATE, postgresql=POSTGRESQL_DATE))
        .values("day")
        .annotate(total=models.Count("*"))
        .values_list("day", "total")
    )
    return {date.fromisoformat(day): total for day, total in rows}


# A time's UTC day as ISO text (SQLite stores times as UTC text), and `end - start` in seconds.
SQLITE_DATE = "substr({0}, 1, 10)"
POSTGRESQL_DATE = "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
SQLITE_SECONDS = "(julianday({1}) - julianday({0})) * 86400.0"
POSTGRESQL_SECONDS = "EXTRACT(EPOCH FROM ({1} - {0}))"


class OnVendor(Expression):
    """SQL over columns of the order table that SQLite and PostgreSQL spell differently; each
    template names the columns `{0}`, `{1}`, … in the order given."""

    def __init__(self, *columns: str, sqlite: str, postgresql: str, output_field=None):
        super().__init__(output_field=output_field or models.CharField())
        self.columns = columns
        self.templates = {"sqlite": sqlite, "postgresql": postgresql}

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(Order._meta.db_table)
        columns = [f"{table}.{compiler.quote_name_unless_alias(name)}" for name in self.columns]
        return self.templates[connection.vendor].format(*columns), []


def _lead_times(orders, start: datetime, end: datetime) -> list[LeadTime]:
    """Percentiles of each flow's lead times, from the finished-at index alone (order_org_finished:
    organization, finished_at, flow_key, created_at): a window holds a month of finished orders,
    a few thousand numbers even at a million orders, which are sorted here."""
    rows = (
        orders.filter(finished_at__gte=start, finished_at__lt=end)
        .order_by()
        .annotate(
            seconds=OnVendor(
                "created_at",
                "finished_at",
                sqlite=SQLITE_SECONDS,
                postgresql=POSTGRESQL_SECONDS,
                output_field=models.FloatField(),
            )
        )
        .values_list("flow_key", "seconds")
    )
    by_flow: dict[str, list[float]] = {}
    for flow_key, seconds in rows:
        # Whole milliseconds: SQLite's julianday() keeps about ten microseconds.
        by_flow.setdefault(flow_key, []).append(round(float(seconds), 3))
    lead_times = []
    for flow_key, values in sorted(by_flow.items()):
        values.sort()
        query = _query(flow=flow_key, finishedAfter=start, finishedBefore=end)
        lead_times.append(
            LeadTime(
                flow_key=flow_key,
                finished=Count("Finished", len(values), query),
                p50=_percentile(values, 0.5),
                p90=_percentile(values, 0.9),
            )
        )
    return lead_times


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value at least `fraction` of values reach."""
    rank = max(1, -(-len(sorted_values) * fraction // 1))
    return sorted_values[int(rank) - 1]


def _needs_attention(orders, counts: dict[str, int]) -> OrderList:
    """Unhealthy (a task is overdue) and failed orders, oldest first."""
    total = sum(counts[status] for status in NEEDS_ATTENTION)
    # One index walk per status: an IN over both would sort all their rows for the first ten.
    found = []
    for status in NEEDS_ATTENTION:
        found += orders.filter(status=status).order_by("created_at")[:LIST_LENGTH]
    found = sorted(found, key=lambda order: (order.created_at, order.pk))[:LIST_LENGTH]
    reasons = _task_reasons(found)
    lines = [_line(order, order.created_at, reasons.get(order.pk, "")) for order in found]
    query = _query(status=",".join(NEEDS_ATTENTION), ordering="createdAt")
    return OrderList(Count("Need attention", total, query), lines)


def _task_reasons(found: list[Order]) -> dict:
    """For each order, the title of its overdue or failed task."""
    tasks = Order._meta.get_field("tasks").related_model
    rows = (
        tasks.objects.filter(order_id__in=[order.pk for order in found])
        .filter(
            Q(status="failed") | Q(is_overdue=True, status__in=["pending", "running", "waiting"])
        )
        .order_by("created_at")
        .values_list("order_id", "title", "task_key", "status")
    )
    reasons = {}
    for order_id, title, task_key, status in rows:
        verb = "failed" if status == "failed" else "overdue"
        reasons.setdefault(order_id, f"{title or task_key} {verb}")
    return reasons


def _filtered(actor: Actor, **params):
    """The orders the Orders table lists for these filter parameters, and the parameters."""
    query = _query(**params)
    orders = actor.restrict(Order.objects.only(*LINE_FIELDS))
    filterset = OrderFilterSet(params, queryset=orders)
    if not filterset.is_valid():  # the parameters are ours: they are valid
        raise ValueError(filterset.errors)
    return filterset.qs, query


def _waiting_for(actor: Actor, tags: list[str]) -> OrderList:
    if not tags:
        return OrderList(Count("Waiting for you", 0, ""), [])
    rows, query = _filtered(actor, waitingFor=",".join(tags), ordering="createdAt")
    first = list(rows[:LIST_LENGTH])
    tasks = Order._meta.get_field("tasks").related_model
    titles = {}
    for order_id, title, task_key in (
        tasks.objects.filter(order_id__in=[order.pk for order in first], status="waiting")
        .order_by("created_at")
        .values_list("order_id", "title", "task_key")
    ):
        titles.setdefault(order_id, title or task_key)
    lines = [_line(order, order.created_at, titles.get(order.pk, "")) for order in first]
    return OrderList(Count("Waiting for you", rows.count(), query), lines)


def _at_risk(actor: Actor, now: datetime) -> OrderList:
    rows, query = _filtered(
        actor,
        deadlineAfter=now,
        deadlineBefore=now + AT_RISK_WITHIN,
        status=",".join(NOT_DONE),
        ordering="deadline",
    )
    lines = [_line(order, order.deadline, "") for order in rows[:LIST_LENGTH]]
    return OrderList(Count("Deadlines at risk", rows.count(), query), lines)


def _line(order: Order, when, reason: str) -> OrderLine:
    return OrderLine(
        order_id=order.pk,
        name=order.name,
        status=order.status,
        status_label=order.get_status_display(),
        when=when,
        reason=reason,
    )
