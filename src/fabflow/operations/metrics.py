"""`/metrics`: Prometheus figures of the whole installation, computed from the database.

Every figure is counted from the tables when Prometheus scrapes, not kept in process memory:
web processes and workers are separate processes, and any of them may answer a scrape, so a
figure read from the database is the same whichever answers (and survives restarts). Counts
read an index, or make one pass over the task table; the two histograms describe the tasks
created in the last 10 minutes (a gauge histogram: a distribution over a window, not a count
since the start), read by a range of the time-ordered primary key. docs/observability.md gives
the scrape time at 100,000 orders (bench/metrics.py).

The endpoint is the operator's: off unless FABFLOW_METRICS_TOKEN is set, then only for that
bearer token. No figure is split by organization, so it tells nothing of a tenant's business.
"""

import hmac
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeHistogramMetricFamily,
    GaugeMetricFamily,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.utils import floatToGoString

from fabflow import outbox
from fabflow.flows.models import TaskRun, TaskStatus, WorkerHeartbeat
from fabflow.flows.registry import available_handlers
from fabflow.operations.health import probe_view
from fabflow.orders.models import Order
from fabflow.web import throttle
from fabflow.web.models import SignInFailure

FINISHED = (TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.SKIPPED)
ACTIVE = (TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.WAITING)
# A task runs from milliseconds (an e-mail) to days (a person's confirmation).
DURATION_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400)
SUCCESSOR_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
# The histograms describe the tasks created in this recent window (found by their time-ordered
# ids): a scrape then reads a few thousand rows, not every task ever run.
HISTOGRAM_WINDOW = timedelta(minutes=10)
CONNECTOR_HANDLER = "consume-rest-api"
EMAIL_HANDLER = "send-email"


@probe_view
def metrics(request):
    """The figures in Prometheus's text format, for the bearer of FABFLOW_METRICS_TOKEN."""
    token = settings.FABFLOW_METRICS_TOKEN
    if not token:
        raise Http404("metrics are off")
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(offered.encode(), token.encode()):
        response = HttpResponse("a bearer token is needed\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class DatabaseCollector:
    """Collects every figure from the database when asked (a prometheus_client collector)."""

    def collect(self):
        yield from _orders()
        yield from _tasks()
        yield _histogram(
            "fabflow_task_duration_seconds",
            "Seconds from a task's start to its end, of the finished tasks created in the last "
            "10 minutes, by handler.",
            _duration_sql(finished=True),
            DURATION_BUCKETS,
        )
        yield _histogram(
            "fabflow_task_successor_latency_seconds",
            "Seconds from an automatic task's creation (its predecessor's end) to its start, "
            "of the tasks created in the last 10 minutes that follow another, by handler.",
            _duration_sql(finished=False),
            SUCCESSOR_BUCKETS,
        )
        yield from _outbox()
        yield _sign_in_failures()
        yield from _workers()


def _orders():
    # Grouped by organization too, so the count is read off the (organization, status) index.
    by_status = {}
    rows = Order.objects.values_list("organization", "status").annotate(n=Count("id")).order_by()
    for _organization, status, count in rows:
        by_status[status] = by_status.get(status, 0) + count
    created = CounterMetricFamily("fabflow_orders_created", "Orders created (and kept).")
    created.add_metric([], sum(by_status.values()))
    yield created
    orders = GaugeMetricFamily("fabflow_orders", "Orders by status.", labels=["status"])
    for status in Order._meta.get_field("status").choices:
        orders.add_metric([status[0]], by_status.get(status[0], 0))
    yield orders


def _tasks():
    rows = (
        TaskRun.objects.values_list("handler_key", "status")
        .annotate(n=Count("id"))
        .order_by("handler_key", "status")
    )
    finished = CounterMetricFamily(
        "fabflow_tasks_finished",
        "Finished tasks by handler and outcome (succeeded, failed, skipped).",
        labels=["handler", "outcome"],
    )
    active = GaugeMetricFamily(
        "fabflow_tasks_active",
        "Tasks not finished yet by handler and status (pending, running, waiting).",
        labels=["handler", "status"],
    )
    failures = {CONNECTOR_HANDLER: 0, EMAIL_HANDLER: 0}
    for handler, status, count in rows:
        if status in FINISHED:
            finished.add_metric([handler, status], count)
        else:
            active.add_metric([handler, status], count)
        if status == TaskStatus.FAILED and handler in failures:
            failures[handler] += count
    yield finished
    yield active
    yield _counter(
        "fabflow_connector_failures",
        "Connector tasks (consume-rest-api) that failed after their retries.",
        failures[CONNECTOR_HANDLER],
    )
    yield _counter(
        "fabflow_email_failures",
        "E-mail tasks (send-email) that failed after their retries.",
        failures[EMAIL_HANDLER],
    )
    queued = TaskRun.objects.filter(status=TaskStatus.PENDING).count()
    yield _gauge("fabflow_queue_depth", "Automatic tasks waiting for a worker.", queued)
    overdue = TaskRun.objects.filter(status__in=ACTIVE, is_overdue=True).count()
    yield _gauge("fabflow_tasks_overdue", "Unfinished tasks past their deadline.", overdue)


def _histogram(name: str, documentation: str, durations: tuple[str, list], buckets) -> object:
    """A histogram by handler of the durations a query selects (handler, seconds)."""
    durations_sql, params = durations
    counts = ", ".join(f"SUM(CASE WHEN seconds <= {bound} THEN 1 ELSE 0 END)" for bound in buckets)
    sql = (
        f"SELECT handler, COUNT(*), COALESCE(SUM(seconds), 0), {counts} "
        f"FROM ({durations_sql}) durations GROUP BY handler ORDER BY handler"
    )
    family = GaugeHistogramMetricFamily(name, documentation, labels=["handler"])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for handler, total, seconds, *cumulative in cursor.fetchall():
            family.add_metric(
                [handler],
                [
                    (floatToGoString(bound), count)
                    for bound, count in zip(buckets, cumulative, strict=True)
                ]
                + [("+Inf", total)],
                gsum_value=float(seconds),
            )
    return family


def _duration_sql(*, finished: bool) -> tuple[str, list]:
    """(handler, seconds) of each finished task's run (`finished`), or of each automatic
    follower's wait between its creation and its start."""
    table = TaskRun._meta.db_table
    if finished:
        start, end = "started_at", "finished_at"
        # Succeeded and failed tasks, said so that the planner keeps to the id range rather
        # than the status index (which would read every finished task ever).
        params = [TaskStatus.SKIPPED.value]
        where = "started_at IS NOT NULL AND finished_at IS NOT NULL AND status <> %s"
    else:
        start, end = "created_at", "started_at"
        params = [h.key for h in available_handlers() if h.kind == "manual"] or [""]
        where = (
            "started_at IS NOT NULL AND (parent_task_key <> '' OR stage_index > 0) "
            f"AND handler_key NOT IN ({', '.join(['%s'] * len(params))})"
        )
    seconds = _seconds_between(start, end)
    sql = f"SELECT handler_key AS handler, {seconds} AS seconds FROM {table} WHERE id >= %s AND {where}"
    return sql, [_first_id_since(timezone.now() - HISTOGRAM_WINDOW), *params]


def _first_id_since(moment) -> object:
    """The smallest task id of a row created at `moment` or later (ids are UUIDv7: their first
    48 bits are the creation time in Unix milliseconds), as the database stores it."""
    first = uuid.UUID(int=int(moment.timestamp() * 1000) << 80)
    return TaskRun._meta.pk.get_db_prep_value(first, connection)


def _seconds_between(start: str, end: str) -> str:
    """SQL for the seconds between two datetime columns, on the database in use."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({end} - {start}))"
    return f"(julianday({end}) - julianday({start})) * 86400.0"


def _outbox():
    files = list(Path(outbox.folder()).glob("*.log")) if outbox.is_kept() else []
    yield _gauge(
        "fabflow_outbox_files",
        "Files of e-mail kept in the outbox (no SMTP server configured).",
        len(files),
    )
    yield _gauge(
        "fabflow_outbox_bytes", "Bytes of e-mail kept in the outbox.", sum(_size(f) for f in files)
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # read and removed meanwhile
        return 0


def _sign_in_failures():
    since = timezone.now() - throttle.WINDOW
    failures = SignInFailure.objects.filter(
        scope=SignInFailure.Scope.ACCOUNT, created_at__gte=since
    ).count()
    return _gauge(
        "fabflow_sign_in_failures",
        f"Failed sign-ins in the last {throttle.WINDOW.total_seconds() / 60:.0f} minutes.",
        failures,
    )


def _workers():
    from fabflow.flows.worker import DEAD_AFTER_SECONDS

    now = timezone.now()
    alive = WorkerHeartbeat.objects.filter(
        seen_at__gte=now - timedelta(seconds=DEAD_AFTER_SECONDS)
    ).count()
    yield _gauge("fabflow_workers_alive", "Flow workers that heart-beat recently.", alive)
    latest = WorkerHeartbeat.objects.aggregate(latest=Max("seen_at"))["latest"]
    age = (now - latest).total_seconds() if latest else float("nan")
    yield _gauge(
        "fabflow_worker_heartbeat_age_seconds", "Seconds since the youngest heartbeat.", age
    )


def _counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    family = CounterMetricFamily(name, documentation)
    family.add_metric([], value)
    return family


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation)
    family.add_metric([], value)
    return family
