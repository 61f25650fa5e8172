"""Template helpers of the web UI: the navigation and links that keep the current filters."""

from django import template
from django.urls import reverse

from fabflow import outbox

register = template.Library()

# (URL name, label, admins only). Pages whose URL is not registered yet are left out.
NAVIGATION = (
    ("orders_list", "Orders", False),
    ("dashboard", "Dashboard", False),
    ("products_list", "Products", False),
    ("parts_list", "Parts", False),
    ("flow_list", "Order flows", False),
    ("user_list", "Users", True),
    ("space_list", "Product spaces", True),
    ("secret_key_list", "Secret keys", True),
    ("export_target_list", "Export targets", True),
    ("webhook_list", "Webhooks", True),
    ("outbox_list", "Outbox", True),
    ("activity", "Activity", True),
    ("organization", "Organization", True),
)


@register.inclusion_tag("web/_navigation.html", takes_context=True)
def navigation(context):
    """The sidebar's links, the current page marked, admin pages for admins only."""
    request = context["request"]
    user = request.user
    items = []
    for name, label, admins_only in NAVIGATION:
        if admins_only and not getattr(user, "is_admin", False):
            continue
        if name == "outbox_list" and not outbox.is_kept():
            continue  # mail goes to an SMTP server: there is nothing to list
        url = reverse(name)
        is_current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"url": url, "label": label, "is_current": is_current})
    # The orders list is the home page: it must not stay marked on every other page.
    if any(item["is_current"] for item in items[1:]):
        items[0]["is_current"] = False
    return {"items": items}


@register.simple_tag
def url_with(query, **changes):
    """The query string `query` with `changes` applied; a change to None or "" drops the key."""
    data = query.copy()
    for key, value in changes.items():
        if value is None or value == "":
            data.pop(key, None)
        else:
            data[key] = value
    encoded = data.urlencode()
    return f"?{encoded}" if encoded else "?"
