"""The Export targets admin page: the places where the `export-files` task copies files.

Admins only, like the Users and Secret keys pages. Each view parses the form, calls one
service of `files/export_targets.py` and renders the result.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from fabflow.accounts.actors import Actor
from fabflow.accounts.admin_views import admin_required
from fabflow.files import export_targets
from fabflow.files.forms import ExportTargetForm
from fabflow.web.errors import form_errors
from fabflow.web.redirects import see_other


def _targets_page(request, actor, *, form=None, status=200) -> HttpResponse:
    context = {
        "targets": export_targets.list_export_targets(actor=actor),
        "form": form or ExportTargetForm(),
        "allowed_folders": settings.FABFLOW_EXPORT_FOLDERS,
    }
    return render(request, "files/export_targets.html", context, status=status)


@admin_required
@require_GET
def export_target_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _targets_page(request, actor)


@admin_required
@require_POST
def export_target_add(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ExportTargetForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            target = export_targets.create_export_target(actor=actor, **form.cleaned_data)
            messages.success(request, f"The export target {target.name} is added.")
            return see_other("export_target_list")
    return _targets_page(request, actor, form=form, status=422)


@admin_required
@require_POST
def export_target_remove(request: HttpRequest, actor: Actor, name: str) -> HttpResponse:
    export_targets.delete_export_target(actor=actor, name=name)  # another's or none: the 404 page
    messages.success(
        request, f"The export target {name} is removed; what it exported stays where it is."
    )
    return see_other("export_target_list")
