"""The forms of the Order flows page: the "+" dialog and the JSON editor."""

import json

from django import forms

from fabflow.flows.models import FLOW_NAME_MIN_LENGTH


class NewFlowForm(forms.Form):
    """A new flow: its name and product space, both fixed for good once it is created."""

    name = forms.CharField(
        label="Name",
        min_length=FLOW_NAME_MIN_LENGTH,
        max_length=200,
        help_text=f"At least {FLOW_NAME_MIN_LENGTH} characters. It cannot be changed later.",
        error_messages={
            "min_length": f"A flow name has at least {FLOW_NAME_MIN_LENGTH} characters.",
        },
    )
    space = forms.ModelChoiceField(
        label="Product space",
        queryset=None,
        empty_label=None,
        help_text="The space whose orders may run this flow. It cannot be changed later.",
    )

    def __init__(self, *args, spaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces


class FlowDefinitionForm(forms.Form):
    """The definition text of the JSON editor; the flow services check its content."""

    definition = forms.CharField(label="Definition (JSON)", strip=False)

    def clean_definition(self):
        text = self.cleaned_data["definition"]
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"Line {error.lineno}, column {error.colno}: this is not valid JSON ({error.msg})"
            ) from None
