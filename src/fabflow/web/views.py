"""Pages of the web app itself: the Outbox, the e-mails kept while no SMTP server is configured.

Admins only: the outbox holds set-password links. With an SMTP server the pages say that mail
is sent, and the navigation leaves them out.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fabflow import outbox
from fabflow.accounts.actors import Actor
from fabflow.accounts.admin_views import admin_required

PAGE_SIZE = 100


@admin_required
@never_cache
@require_GET
def outbox_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    kept = outbox.is_kept()
    context = {
        "is_kept": kept,
        "smtp_host": settings.EMAIL_HOST if not kept else "",
        "messages_kept": (outbox.kept_messages(actor=actor, limit=PAGE_SIZE) if kept else []),
        "page_size": PAGE_SIZE,
    }
    return render(request, "web/outbox.html", context)


@admin_required
@never_cache
@require_GET
def outbox_message(request: HttpRequest, actor: Actor, file: str, index: int) -> HttpResponse:
    kept = outbox.kept_message(actor=actor, file=file, index=index)
    return render(request, "web/outbox_message.html", {"kept": kept})
