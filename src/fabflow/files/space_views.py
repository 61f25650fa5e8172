"""The Product spaces page of organization admins: list, create, rename, choose a generator.

It lives in the files app because it shows what several apps hold about a space: its secret
keys (accounts), its orders (orders) and the generators it may use (files), and files is the app
that may import the other two (docs/CONTRIBUTING.md, "Dependencies"). The rules are in
`accounts/services.py`; every success redirects (303) to a GET page, every refusal answers the
form again with its errors beside the fields and nothing written.
"""

from typing import Any

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from fabflow.accounts import services
from fabflow.accounts.actors import Actor
from fabflow.accounts.admin_views import admin_required
from fabflow.accounts.forms import AddSpaceForm, EditSpaceForm
from fabflow.errors import NotFound
from fabflow.generators.base import Generator, parameter_schema
from fabflow.generators.registry import available_generators
from fabflow.orders.models import Order
from fabflow.web.errors import form_errors
from fabflow.web.redirects import see_other


def _spaces_with_counts(actor: Actor):
    orders = (
        Order.objects.filter(space=OuterRef("pk"))
        .order_by()
        .values("space")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return actor.spaces().annotate(
        active_keys=Count("secret_keys", filter=Q(secret_keys__revoked_at__isnull=True)),
        orders=Coalesce(Subquery(orders, output_field=IntegerField()), 0),
    )


def _list_page(request, actor, *, form=None, status=200) -> HttpResponse:
    context = {
        "spaces": _spaces_with_counts(actor).order_by("name", "key"),
        "form": form or AddSpaceForm(),
        "generators": generator_descriptions(),
    }
    return render(request, "web/spaces.html", context, status=status)


def _space_page(request, actor, space_id, *, form=None, status=200) -> HttpResponse:
    space = _spaces_with_counts(actor).filter(pk=space_id).first()
    if space is None:
        raise NotFound("No such product space")
    context = {
        "space": space,
        "form": form or EditSpaceForm(initial={"name": space.name, "generator": space.generator}),
        "generators": generator_descriptions(),
    }
    return render(request, "web/space.html", context, status=status)


@admin_required
@require_GET
def space_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _list_page(request, actor)


@admin_required
@require_POST
def space_add(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = AddSpaceForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            space = services.add_space(actor=actor, **form.cleaned_data)
            messages.success(request, f"The product space {space.name} ({space.key}) is created.")
            return see_other("space_detail", space_id=space.pk)
    return _list_page(request, actor, form=form, status=422)


@admin_required
@require_GET
def space_detail(request: HttpRequest, actor: Actor, space_id) -> HttpResponse:
    return _space_page(request, actor, space_id)


@admin_required
@require_POST
def space_edit(request: HttpRequest, actor: Actor, space_id) -> HttpResponse:
    form = EditSpaceForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            space = services.update_space(actor=actor, space_id=space_id, **form.cleaned_data)
            messages.success(request, f"The product space {space.name} is saved.")
            return see_other("space_detail", space_id=space.pk)
    return _space_page(request, actor, space_id, form=form, status=422)


def generator_descriptions() -> list[dict[str, Any]]:
    """Every registered generator with the rows of its parameters, for the pages to show."""
    return [
        {"generator": generator, "parameters": parameter_rows(generator)}
        for generator in available_generators()
    ]


def parameter_rows(generator: Generator) -> list[dict[str, Any]]:
    """One row per parameter, as a configuration names it: type, default, bounds, description."""
    schema = parameter_schema(generator)
    required = set(schema.get("required", []))
    rows = []
    for name, field in schema.get("properties", {}).items():
        bounds = [
            f"{word} {field[limit]:g}"
            for limit, word in (("minimum", "at least"), ("maximum", "at most"))
            if limit in field
        ]
        rows.append(
            {
                "name": name,
                "type": " | ".join(field["enum"]) if "enum" in field else field.get("type", ""),
                "default": "required" if name in required else field.get("default", ""),
                "bounds": ", ".join(bounds),
                "description": field.get("description", ""),
            }
        )
    return rows
