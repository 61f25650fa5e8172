"""The list pages' totals, day filters, "Clear filters" link, export refusal and icon."""

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import fabflow
from fabflow.orders.models import Order
from fabflow.web import display, listing
from tests.web.test_views import export, names_in


@pytest.fixture
def signed_in(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def orders(admin_actor, space):
    from tests.web.test_views import make_order

    return [
        make_order(
            admin_actor, space, f"WEB-{number}", created=datetime(2025, 3, number, tzinfo=UTC)
        )
        for number in (1, 2, 3)
    ]


@pytest.fixture
def one_row_pages(monkeypatch):
    """Pages of one row, so three orders make three pages."""
    monkeypatch.setattr(listing, "PAGE_SIZES", (1, 25))


def rows_shown(response) -> str:
    content = response.content.decode()
    start = content.index('<span class="muted rows-shown">') + len(
        '<span class="muted rows-shown">'
    )
    return content[start : content.index("</span>", start)]


def test_a_page_with_more_after_it_counts_the_rows(signed_in, orders, one_row_pages):
    response = signed_in.get("/?per_page=1")
    assert names_in(response) == ["WEB-3"]
    pager = response.context["pager"]
    assert (pager["first"], pager["last"], pager["total"], pager["is_total_exact"]) == (
        1,
        1,
        3,
        True,
    )
    assert rows_shown(response) == "Rows 1–1 of 3"


def test_past_the_count_limit_the_total_reads_more_than(
    signed_in, orders, one_row_pages, monkeypatch
):
    monkeypatch.setattr(listing, "COUNT_LIMIT", 1)
    assert rows_shown(signed_in.get("/?per_page=1")) == "Rows 1–1 of more than 1"
    # The bound is never below the rows already passed.
    assert rows_shown(signed_in.get("/?per_page=1&page=2")) == "Rows 2–2 of more than 2"
    assert rows_shown(signed_in.get("/?per_page=1&page=3")) == "Rows 3–3 of 3"


@pytest.mark.parametrize("query", ["search=WEB", "mine=1"])
def test_a_search_or_my_tags_is_never_counted(signed_in, admin, orders, one_row_pages, query):
    admin.tags = ["printing"]
    admin.save()
    Order.objects.update(tags=["printing"])
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(f"/?per_page=1&{query}")
    assert names_in(response) == ["WEB-3"]
    assert rows_shown(response) == "Rows 1–1 of more than 1"
    assert not [query for query in queries if "COUNT(" in query["sql"].upper()]
    assert rows_shown(signed_in.get(f"/?per_page=1&page=3&{query}")) == "Rows 3–3 of 3"


def test_no_rows_reads_no_rows(signed_in, orders):
    assert rows_shown(signed_in.get("/?search=nothing-like-this")) == "No rows"


@pytest.mark.parametrize("written", ["01/03/2025", "2025-3-1", "20250301", "2025-02-30", "x" * 300])
def test_a_day_not_written_yyyy_mm_dd_is_refused_with_how_to_write_it(signed_in, orders, written):
    response = signed_in.get("/", {"createdFrom": written})
    assert response.status_code == 200
    assert names_in(response) == []
    shown = written[:20]
    assert response.context["filter_error"] == (
        f"Created from: “{shown}” is not a day. Write it as YYYY-MM-DD, for example 2025-02-01."
    )
    assert 'role="alert"' in response.content.decode()


def test_the_day_filters_are_text_fields_showing_what_was_typed(signed_in, orders):
    response = signed_in.get("/", {"createdTo": "2025-03-02", "createdFrom": "<b>"})
    content = response.content.decode()
    assert (
        '<input type="text" name="createdTo" value="2025-03-02" placeholder="YYYY-MM-DD"' in content
    )
    assert 'name="createdFrom" value="&lt;b&gt;"' in content
    assert 'type="date"' not in content


def test_an_empty_filtered_result_links_to_the_same_view_unfiltered(signed_in, orders):
    response = signed_in.get(
        "/?search=nothing-like-this&status=failure&ordering=name&per_page=25&page=1"
    )
    assert response.context["is_filtered"] is True
    assert response.context["clear_filters_url"] == "/?ordering=name&per_page=25"
    assert '<a class="clear-filters" href="/?ordering=name&amp;per_page=25">Clear filters</a>' in (
        response.content.decode()
    )


@pytest.mark.parametrize("query", ["", "?ordering=name&per_page=25&page=1", "?search=+&status="])
def test_sorting_paging_and_blank_fields_are_no_filters(signed_in, query):
    response = signed_in.get(f"/{query}")
    assert response.context["is_filtered"] is False
    assert "Clear filters" not in response.content.decode()


def test_a_refused_export_marks_its_message_as_keeping_the_selection(signed_in, orders):
    ids = [orders[0].pk] + [uuid.uuid4() for _ in range(50)]
    response = export(signed_in, "/orders/export/?per_page=25", ids)
    assert response["Location"] == "/?per_page=25"
    content = signed_in.get(response["Location"]).content.decode()
    assert '<li class="message keeps-selection error" role="alert">' in content
    assert 'id="export-limit" data-export-limit-for="selected-ids"' in content
    assert ">At most 50 rows</span>" in content


def test_an_empty_selection_is_refused_without_keeping_anything(signed_in, orders):
    response = export(signed_in, "/orders/export/", [])
    content = signed_in.get(response["Location"]).content.decode()
    assert '<li class="message error" role="alert">' in content


def test_the_favicon_is_an_icon_for_everyone(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_every_page_links_its_icon(signed_in, client, orders):
    assert (
        '<link rel="icon" href="/static/fabflow/favicon.svg"' in signed_in.get("/").content.decode()
    )
    signed_in.logout()
    assert '<link rel="icon" href="/static/fabflow/favicon.svg"' in (
        client.get("/sign-in/").content.decode()
    )


def test_times_are_shown_in_iso_order_only():
    moment = datetime(2025, 3, 1, 14, 5, 9, tzinfo=UTC)
    assert display.moment_text(moment) == "2025-03-01 14:05"
    assert display.moment_text(moment, display.DATE_FORMAT) == "2025-03-01"
    assert display.moment_text(moment, display.DATETIME_SECONDS_FORMAT) == "2025-03-01 14:05:09"
    with pytest.raises(ValueError, match="not 'm/d/Y'"):
        display.moment_text(moment, "m/d/Y")


def test_no_template_formats_a_time_but_through_when():
    """Django's `date` filter follows the locale; `when` writes every time in ISO order."""
    templates = Path(fabflow.__file__).parent.glob("*/templates/**/*.html")
    offenders = [
        f"{path.parent.name}/{path.name}"
        for path in templates
        if re.search(r"\|\s*date\b", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_template_comment_spans_lines():
    """A `{# … #}` comment ends on its own line, or the page shows it as text; a longer one is a
    `{% comment %}` block."""
    templates = Path(fabflow.__file__).parent.glob("*/templates/**/*.html")
    offenders = [
        f"{path.parent.name}/{path.name}:{number}"
        for path in templates
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert offenders == []
