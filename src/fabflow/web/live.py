"""Pages that refresh a part of themselves while work goes on (an order while its flow's engine
works, a bulk job while it runs): one rule for how often, and for telling a refresh apart.

While live, the part is a region `<div id="…" hx-get="(the page)" hx-trigger="every N s"
hx-swap="outerHTML">`; htmx asks for the page again with `HX-Target` naming the region, and the
view answers the region alone. app.js ("Live regions") keeps the user's place across a refresh
and holds it back while a dialog is open or a field of the region has the focus.
"""

from django.http import HttpRequest

REFRESH_SECONDS = 2


def region(name: str) -> dict:
    """What a live region's template needs: its element id and how often it refreshes."""
    return {"live_region": name, "refresh_seconds": REFRESH_SECONDS}


def is_refresh(request: HttpRequest, name: str) -> bool:
    """Whether the request is the region `name` refreshing itself (answer the region alone)."""
    return request.headers.get("HX-Target") == name
