"""The Organization page: settings an organization's admins choose for the whole organization.

For now one setting: whether its connectors may call loopback and private addresses. Admins
only (members get the 403 page); the form posts, then redirects back to the page.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from fabflow.accounts import services
from fabflow.accounts.actors import Actor
from fabflow.accounts.admin_views import admin_required
from fabflow.accounts.models import Organization
from fabflow.web.redirects import see_other


@admin_required
@require_GET
def organization_settings(request: HttpRequest, actor: Actor) -> HttpResponse:
    organization = Organization.objects.get(pk=actor.organization_id)
    context = {
        "organization": organization,
        "installation_allows_private": settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS,
    }
    return render(request, "accounts/organization.html", context)


@admin_required
@require_POST
def private_addresses(request: HttpRequest, actor: Actor) -> HttpResponse:
    allowed = request.POST.get("allow_private_addresses") == "on"
    services.set_private_addresses_allowed(actor=actor, allowed=allowed)
    if allowed:
        messages.warning(request, "Connectors of this organization may now call private addresses.")
    else:
        messages.success(request, "Connectors of this organization call public addresses only.")
    return see_other("organization")
