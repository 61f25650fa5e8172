"""The Dashboard page: how production is going and what needs the signed-in user now.

The numbers come from `orders.overview.production_overview`; this module only lays out the
chart of orders created and finished per day as SVG the server draws (no script, no inline
style: the pages' CSP allows neither), each number linking to the Orders table's rows.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fabflow.accounts.actors import Actor
from fabflow.orders.models import OrderStatus
from fabflow.orders.overview import Day, production_overview
from fabflow.web import display

CHART_WIDTH = 720
CHART_HEIGHT = 220
CHART_LEFT = 40  # room for the scale's numbers
CHART_TOP = 10
CHART_BOTTOM = 30  # room for the dates
LABEL_EVERY = 5  # days between two dates written under the bars


@dataclass(frozen=True)
class Bar:
    """One bar of the chart, in the SVG's coordinates."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class ChartDay:
    """One day's two bars and, every few days, its date under them."""

    created: Bar
    finished: Bar
    label: str
    label_x: float
    label_anchor: str = "middle"  # the last day's date ends at its bars, inside the chart


@dataclass(frozen=True)
class Chart:
    """The created/finished chart's geometry and scale."""

    width: int
    height: int
    baseline: float
    top: float
    left: int
    scale_max: int
    days: list[ChartDay]


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    # The user's stored tags as text, whatever is stored (an unreadable value is no tag).
    tags = display.texts(request.user.tags)
    overview = production_overview(actor=Actor.for_user(request.user), tags=tags)
    lead_times = [
        {"lead": lead, "p50": duration_text(lead.p50), "p90": duration_text(lead.p90)}
        for lead in overview.lead_times
    ]
    context = {
        "overview": overview,
        "statuses": zip(OrderStatus.values, overview.statuses, strict=True),
        "chart": chart(overview.days),
        "lead_times": lead_times,
    }
    return render(request, "orders/dashboard.html", context)


def duration_text(seconds: float) -> str:
    """A lead time in the two largest units that matter: "3 d 4 h", "2 h 5 min", "40 s"."""
    seconds = round(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return f"{seconds} s"


def chart(days: list[Day]) -> Chart:
    """Two bars per day, created (solid) and finished (hatched), on one scale from zero."""
    scale_max = _round_up(
        max([1] + [d.created.count for d in days] + [d.finished.count for d in days])
    )
    baseline = CHART_HEIGHT - CHART_BOTTOM
    plot_height = baseline - CHART_TOP
    slot = (CHART_WIDTH - CHART_LEFT) / max(len(days), 1)
    bar_width = slot * 0.38

    def bar(x: float, count: int) -> Bar:
        height = plot_height * count / scale_max
        return Bar(
            x=round(x, 1),
            y=round(baseline - height, 1),
            width=round(bar_width, 1),
            height=round(height, 1),
        )

    chart_days = []
    for index, day in enumerate(days):
        x = CHART_LEFT + index * slot + slot * 0.1
        is_last = index == len(days) - 1
        is_labelled = index % LABEL_EVERY == 0 or is_last
        chart_days.append(
            ChartDay(
                created=bar(x, day.created.count),
                finished=bar(x + bar_width, day.finished.count),
                # Month and day in ISO order, as every date of the pages reads.
                label=day.day.strftime("%m-%d") if is_labelled else "",
                label_x=round(x + bar_width * (2 if is_last else 1), 1),
                label_anchor="end" if is_last else "middle",
            )
        )
    return Chart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        baseline=baseline,
        top=CHART_TOP,
        left=CHART_LEFT,
        scale_max=scale_max,
        days=chart_days,
    )


def _round_up(value: int) -> int:
    """A round scale maximum at least `value`: 1, 2 or 5 times a power of ten."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10
