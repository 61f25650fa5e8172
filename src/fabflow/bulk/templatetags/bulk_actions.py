"""The choices of the Orders table's Actions menu (bulk/_actions_menu.html)."""

from django import template
from django.conf import settings

from fabflow.accounts.actors import Actor
from fabflow.bulk.models import BulkAction
from fabflow.flows import services as flow_services
from fabflow.limits import MAX_REASON_LENGTH, MAX_TAG_LENGTH

register = template.Library()


@register.simple_tag(takes_context=True)
def bulk_action_choices(context) -> dict:
    """The actions, the flows the signed-in user may start and the fields' bounds."""
    actor = Actor.for_user(context["request"].user)
    return {
        "actions": BulkAction.choices,
        "flows": list(flow_services.list_flows(actor=actor)[:200]),
        "max_text": MAX_REASON_LENGTH,
        "max_tag": MAX_TAG_LENGTH,
        "confirm_over": settings.FABFLOW_BULK_CONFIRM_OVER,
    }
