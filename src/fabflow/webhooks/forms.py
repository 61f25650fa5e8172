"""The forms of the Webhooks pages; the rules (URL, bounds, who may) are in `webhooks/services.py`."""

from django import forms

from fabflow import limits
from fabflow.webhooks.models import EventType


class SubscriptionForm(forms.Form):
    """An endpoint's URL and the event types it hears of."""

    url = forms.CharField(
        label="Endpoint URL",
        max_length=limits.MAX_WEBHOOK_URL_LENGTH,
        help_text="https:// (plain http only where private addresses are allowed)",
    )
    event_types = forms.MultipleChoiceField(
        label="Events",
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )


class AddSubscriptionForm(SubscriptionForm):
    """A new subscription: also its product space, or all of them."""

    space_key = forms.ChoiceField(label="Product space", required=False)

    def __init__(self, *args, spaces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space_key"].choices = [("", "All product spaces")] + [
            (space.key, space.name) for space in spaces
        ]
