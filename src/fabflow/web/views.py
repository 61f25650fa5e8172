"""Pages of the web app itself: the Outbox, the e-mails kept while no SMTP server is configured,
the icon browsers ask for, and the saved views of the list pages.

Admins only for the outbox: it holds set-password links. With an SMTP server the pages say that
mail is sent, and the navigation leaves them out.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST

from fabflow import outbox
from fabflow.accounts.actors import Actor
from fabflow.accounts.admin_views import admin_required
from fabflow.errors import FabflowError, NotFound
from fabflow.limits import MAX_SAVED_VIEW_NAME_LENGTH
from fabflow.web import saved_views
from fabflow.web.errors import raise_page_error, refusals_redirect_to, refused
from fabflow.web.listing import TablePage, list_url, table_page, view_state
from fabflow.web.redirects import see_other

PAGE_SIZE = 100
# Browsers ask for /favicon.ico whatever the page names in <link rel="icon">.
FAVICON = "fabflow/favicon.ico"


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


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> FileResponse:
    """The icon at /favicon.ico, for every visitor (the sign-in page's included)."""
    return FileResponse(open(finders.find(FAVICON), "rb"), content_type="image/x-icon")


# -- saved views ---------------------------------------------------------------------------


def _saved_view_page(view):
    """Signed-in users, on a list page's views: the page and the actor come as arguments; a
    table that does not exist answers 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, table: str, *args, **kwargs) -> HttpResponse:
        page = table_page(table)
        if page is None:
            raise NotFound("No such table")
        return view(request, Actor.for_user(request.user), page, *args, **kwargs)

    return wrapper


@_saved_view_page
@require_GET
def saved_view_list(request: HttpRequest, actor: Actor, page: TablePage) -> HttpResponse:
    """The user's views of a table and the organization's, to open, rename, share or delete."""
    views = saved_views.visible_views(actor=actor, table=page.key)
    context = {
        "page": page,
        "views": [
            {
                "view": view,
                "url": list_url(page, view.query),
                "may_change": saved_views.may_change(actor=actor, view=view),
            }
            for view in views
        ],
        "max_view_name_length": MAX_SAVED_VIEW_NAME_LENGTH,
    }
    return render(request, "web/saved_views.html", context)


@_saved_view_page
@require_POST
def saved_view_save(request: HttpRequest, actor: Actor, page: TablePage) -> HttpResponse:
    """Save the table state of the page's query string (the form's action carries it); a
    refusal shows on the table as it was."""
    state = view_state(request, page, request.GET)
    try:
        view = saved_views.save_view(
            actor=actor,
            table=page.key,
            name=request.POST.get("name", ""),
            query=state,
            is_shared=request.POST.get("shared") == "1",
        )
    except FabflowError as error:
        raise_page_error(error)
        return refused(request, error, list_url(page, request.GET.urlencode()))
    messages.success(request, f"Saved the view “{view.name}”.")
    return see_other(list_url(page, view.query))


@_saved_view_page
@require_GET
def saved_view_open(request: HttpRequest, actor: Actor, page: TablePage, pk) -> HttpResponse:
    """The table in the state the view keeps."""
    view = saved_views.get_view(actor=actor, table=page.key, view_id=pk)
    return redirect(list_url(page, view.query))


@refusals_redirect_to("saved_view_list", "table")
@_saved_view_page
@require_POST
def saved_view_change(request: HttpRequest, actor: Actor, page: TablePage, pk) -> HttpResponse:
    """Rename a view, and share it or keep it private."""
    view = saved_views.change_view(
        actor=actor,
        table=page.key,
        view_id=pk,
        name=request.POST.get("name", ""),
        is_shared=request.POST.get("shared") == "1",
    )
    messages.success(request, f"Saved the view “{view.name}”.")
    return see_other("saved_view_list", page.key)


@refusals_redirect_to("saved_view_list", "table")
@_saved_view_page
@require_POST
def saved_view_delete(request: HttpRequest, actor: Actor, page: TablePage, pk) -> HttpResponse:
    """Delete a view."""
    saved_views.delete_view(actor=actor, table=page.key, view_id=pk)
    messages.success(request, "Deleted the view.")
    return see_other("saved_view_list", page.key)
