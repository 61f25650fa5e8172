"""The Order flows page: the table of flows, the "+" dialog, and the JSON editor with its history
and its dry-run panel.

A flow's name and space are fixed once it is created and flows are never deleted, so the pages
offer neither. Every save goes through `flows/services.py`, which checks the definition against
the schema and the handlers; its error comes back at the line of the JSON it concerns. The
dry-run panel calls the API (`POST /api/v1/flows/{key}/dry-run`) from the page's script with the
editor's text, so trying a draft saves nothing.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fabflow.accounts.actors import Actor
from fabflow.errors import FabflowError
from fabflow.flows import services
from fabflow.flows.forms import FlowDefinitionForm, NewFlowForm
from fabflow.flows.schema import DEFINITION, flow_json_schema, readable_definition
from fabflow.orders.models import Order
from fabflow.web.errors import form_errors
from fabflow.web.middleware import styles_by_nonce
from fabflow.web.redirects import see_other

# What a new flow starts with: one stage of one manual task, to be edited in the JSON editor.
STARTER_DEFINITION = [
    {
        "key": "review",
        "name": "Review",
        "tasks": [
            {
                "key": "check-order",
                "handlerKey": "manual-confirmation",
                "timeoutDuration": 86400000,
                "payload": {"title": "Check the order", "description": ""},
                "next": [],
            }
        ],
    }
]

# What the dry-run panel offers to try a flow on when no stored order is chosen; edited there.
SAMPLE_ORDER = {
    "name": "SAMPLE-1001",
    "tags": ["sample"],
    "data": {"email": "customer@example.com"},
    "products": [
        {
            "name": "Ring",
            "units": 1,
            "unitValue": "129.90",
            "configuration": {"size": 54},
            "parts": [{"name": "Band"}],
        }
    ],
}
# How many of the space's newest orders the dry-run panel offers.
DRY_RUN_ORDER_CHOICES = 20


def _list_page(request, actor, *, form=None, status=200) -> HttpResponse:
    flows = services.list_flows(actor=actor).annotate(version=Max("versions__number"))
    context = {
        "flows": flows,
        "form": form or NewFlowForm(spaces=actor.spaces()),
        "open_dialog": form is not None,
    }
    return render(request, "flows/flow_list.html", context, status=status)


@login_required
@require_GET
def flow_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, Actor.for_user(request.user))


@login_required
@require_POST
def flow_create(request: HttpRequest) -> HttpResponse:
    """The "+" dialog: create the flow with a starter definition, then open it in the editor."""
    actor = Actor.for_user(request.user)
    form = NewFlowForm(request.POST, spaces=actor.spaces())
    if form.is_valid():
        with form_errors(form, space_key="space"):
            flow = services.create_flow(
                actor=actor,
                space=form.cleaned_data["space"],
                name=form.cleaned_data["name"],
                definition=STARTER_DEFINITION,
            )
            messages.success(
                request, f"The flow {flow.name} was created. Describe its stages and tasks below."
            )
            return see_other("flow_edit", space_key=flow.space.key, flow_key=flow.key)
    return _list_page(request, actor, form=form, status=422)


@styles_by_nonce
@login_required
@require_http_methods(["GET", "POST"])
def flow_edit(request: HttpRequest, space_key: str, flow_key: str) -> HttpResponse:
    """The JSON editor: GET shows the latest version, POST saves the text as a new version."""
    actor = Actor.for_user(request.user)
    flow = services.get_flow(actor=actor, flow_key=flow_key, space_key=space_key)
    versions = list(flow.versions.select_related("created_by").order_by("-number"))
    server_errors = []
    status = 200
    if request.method == "POST":
        form = FlowDefinitionForm(request.POST)
        if form.is_valid():
            try:
                version = services.save_flow_version(
                    actor=actor,
                    flow_key=flow.key,
                    space_key=flow.space.key,
                    definition=form.cleaned_data["definition"],
                )
            except FabflowError as error:
                form.add_error("definition", error.message)
                server_errors.append(
                    {"path": _definition_path(error.field), "message": error.message}
                )
            else:
                messages.success(request, f"Saved version {version.number} of {flow.name}.")
                return see_other("flow_edit", space_key=flow.space.key, flow_key=flow.key)
        status = 422
    else:
        latest = versions[0].definition if versions else []
        form = FlowDefinitionForm(initial={"definition": _definition_text(latest)})
    context = {
        "flow": flow,
        "form": form,
        "versions": [
            {"version": version, "text": _definition_text(version.definition)}
            for version in versions
        ],
        "schema": flow_json_schema(),
        "server_errors": server_errors,
        "dry_run_orders": _newest_orders(actor, flow),
        "sample_order": _json_text(SAMPLE_ORDER),
    }
    return render(request, "flows/flow_editor.html", context, status=status)


def _newest_orders(actor: Actor, flow) -> list:
    """The newest orders of the flow's space, to dry-run the flow on."""
    orders = actor.restrict(Order.objects.filter(space_id=flow.space_id))
    return list(orders.order_by("-created_at").only("pk", "name")[:DRY_RUN_ORDER_CHOICES])


def _definition_text(definition) -> str:
    """A stored definition as indented JSON; one beyond the bounds of a flow (written by hand)
    as an empty list, to be replaced by saving a new version."""
    return _json_text(readable_definition(definition) or [])


def _json_text(value) -> str:
    """Indented JSON as people read it: ≥ and é, not \\u escapes. (A stored text that could
    not be sent as UTF-8, a lone surrogate, reads as an invalid value before it comes here.)"""
    return json.dumps(value, indent=2, ensure_ascii=False)


def _definition_path(field: tuple) -> list:
    """The path inside the definition of a service error's field ("definition", 0, "tasks", …)."""
    inside = field[: len(DEFINITION)] == DEFINITION
    return list(field[len(DEFINITION) :]) if inside else []
