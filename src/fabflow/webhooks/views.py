"""The Webhooks pages of organization admins: subscriptions, their deliveries, resending.

Every form posts, and every success answers 303 to a GET page (post/redirect/get); a refusal
answers the page again with its errors beside the fields and nothing written. A new secret
travels from the POST to the one GET after it in the session: it is shown that once.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from fabflow.accounts.actors import Actor
from fabflow.accounts.admin_views import admin_required
from fabflow.limits import WEBHOOK_MAX_RESPONSE_BYTES
from fabflow.web.errors import form_errors, refusals_redirect_to
from fabflow.web.redirects import see_other
from fabflow.webhooks import services
from fabflow.webhooks.forms import AddSubscriptionForm, SubscriptionForm
from fabflow.webhooks.models import EventType

# The session key that carries a new secret from the POST to the one GET after it.
NEW_SECRET_SESSION_KEY = "new_webhook_secret"
EVENT_LABELS = dict(EventType.choices)
# Beside a receiver's answer that went on past what is kept of it.
ANSWER_CUT_NOTE = f"cut at {WEBHOOK_MAX_RESPONSE_BYTES // 1024} KiB"


def _list_page(request, actor, *, form=None, status=200) -> HttpResponse:
    context = {
        "subscriptions": services.list_subscriptions(actor=actor),
        "form": form or AddSubscriptionForm(spaces=actor.spaces().order_by("name")),
        "event_labels": EVENT_LABELS,
    }
    return render(request, "webhooks/subscriptions.html", context, status=status)


def _detail_page(request, actor, pk, *, form=None, status=200) -> HttpResponse:
    subscription = services.get_subscription(actor=actor, subscription_id=pk)
    new_secret = request.session.pop(NEW_SECRET_SESSION_KEY, None)
    context = {
        "subscription": subscription,
        "form": form
        or SubscriptionForm(
            initial={"url": subscription.url, "event_types": subscription.listed_event_types()}
        ),
        "deliveries": services.recent_deliveries(actor=actor, subscription_id=pk),
        "new_secret": new_secret["secret"] if new_secret and new_secret["id"] == str(pk) else None,
        "event_labels": EVENT_LABELS,
        "answer_cut_note": ANSWER_CUT_NOTE,
    }
    response = render(request, "webhooks/subscription.html", context, status=status)
    if context["new_secret"]:
        response["Cache-Control"] = "no-store"  # a secret shown this once
    return response


def _keep_secret(request, created: services.SubscriptionWithSecret) -> None:
    request.session[NEW_SECRET_SESSION_KEY] = {
        "id": str(created.subscription.pk),
        "secret": created.secret,
    }


@admin_required
@require_GET
def subscription_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _list_page(request, actor)


@admin_required
@require_POST
def subscription_add(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = AddSubscriptionForm(request.POST, spaces=actor.spaces().order_by("name"))
    if form.is_valid():
        with form_errors(form):
            created = services.create_subscription(
                actor=actor,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                space_key=form.cleaned_data["space_key"] or None,
            )
            _keep_secret(request, created)
            messages.success(request, f"{created.subscription.url} is subscribed.")
            return see_other("webhook_detail", pk=created.subscription.pk)
    return _list_page(request, actor, form=form, status=422)


@admin_required
@require_GET
def subscription_detail(request: HttpRequest, actor: Actor, pk) -> HttpResponse:
    return _detail_page(request, actor, pk)


@admin_required
@require_POST
def subscription_edit(request: HttpRequest, actor: Actor, pk) -> HttpResponse:
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.update_subscription(
                actor=actor,
                subscription_id=pk,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
            )
            messages.success(request, "The subscription is saved.")
            return see_other("webhook_detail", pk=pk)
    return _detail_page(request, actor, pk, form=form, status=422)


@admin_required
@require_POST
def subscription_enable(request: HttpRequest, actor: Actor, pk) -> HttpResponse:
    services.set_subscription_enabled(actor=actor, subscription_id=pk, enabled=True)
    messages.success(request, "The subscription is on: its waiting deliveries go out now.")
    return see_other("webhook_detail", pk=pk)


@admin_required
@require_POST
def subscription_disable(request: HttpRequest, actor: Actor, pk) -> HttpResponse:
    services.set_subscription_enabled(actor=actor, subscription_id=pk, enabled=False)
    messages.success(request, "The subscription is off: its deliveries wait until it is on.")
    return see_other("webhook_detail", pk=pk)


@admin_required
@require_POST
def subscription_delete(request: HttpRequest, actor: Actor, pk) -> HttpResponse:
    services.delete_subscription(actor=actor, subscription_id=pk)
    messages.success(request, "The subscription is deleted.")
    return see_other("webhook_list")


@admin_required
@require_POST
def subscription_rotate_secret(request: HttpRequest, actor: Actor, pk) -> HttpResponse:
    _keep_secret(request, services.rotate_secret(actor=actor, subscription_id=pk))
    messages.success(request, "The subscription has a new secret: update its receiver.")
    return see_other("webhook_detail", pk=pk)


@admin_required
@require_POST
@refusals_redirect_to("webhook_detail", "pk")
def delivery_resend(request: HttpRequest, actor: Actor, pk, delivery_id) -> HttpResponse:
    services.resend_delivery(actor=actor, subscription_id=pk, delivery_id=delivery_id)
    messages.success(request, "The delivery is sent again.")
    return see_other("webhook_detail", pk=pk)
