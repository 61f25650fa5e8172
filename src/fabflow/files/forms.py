"""The form of the Export targets admin page.

It checks what the browser sent; the rules of a target (which folders, bucket names, the
credentials prefix) live in `files/export_targets.py`, whose errors show beside the field they concern.
"""

from django import forms

from fabflow.files.models import ExportTargetKind


class ExportTargetForm(forms.Form):
    """A new export target: a folder on the workers, or an S3 bucket."""

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text='Flows name the target by it: {"target": "workshop"}. Letters, digits, - and _.',
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=ExportTargetKind.choices,
        initial=ExportTargetKind.FOLDER,
        widget=forms.RadioSelect,
    )
    path = forms.CharField(
        label="Folder",
        max_length=500,
        required=False,
        help_text="An absolute folder on the workers (a share, a NAS mount).",
    )
    bucket = forms.CharField(label="Bucket", max_length=63, required=False)
    prefix = forms.CharField(
        label="Key prefix", max_length=500, required=False, help_text="e.g. jobs/"
    )
    endpoint_url = forms.CharField(
        label="Server address",
        max_length=200,
        required=False,
        help_text="Blank for AWS (or the S3_ENDPOINT_URL setting); else e.g. https://s3.example.com",
    )
    region = forms.CharField(label="Region", max_length=50, required=False)
    credentials_env = forms.CharField(
        label="Credentials",
        max_length=64,
        required=False,
        help_text="The prefix of the workers' environment variables holding the key: ACME_S3 "
        "reads ACME_S3_ACCESS_KEY_ID and ACME_S3_SECRET_ACCESS_KEY; blank reads "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
    )
