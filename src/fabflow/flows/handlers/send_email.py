"""Sends one e-mail over SMTP (Django's e-mail backend), optionally with the production files.

The Message-ID is derived from the task and its attempt, so a receiver that sees the same
message twice (a worker died between handing it to the server and recording that) can tell.
"""

import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db.models import Q
from pydantic import Field, field_validator

from fabflow import outbox
from fabflow.flows.registry import HandlerFailure, PayloadModel
from fabflow.orders.models import Asset, AssetKind

key = "send-email"
kind = "automatic"

ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


class Payload(PayloadModel):
    recipient: list[str] = Field(min_length=1, max_length=100, description="e-mail addresses")
    subject: str = Field(min_length=1, max_length=500)
    body: str = Field(max_length=100_000)
    attach_files: bool = Field(default=False, description="attach the order's production files")

    @field_validator("recipient")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if "{{" not in address and not ADDRESS.match(address.strip()):
                raise ValueError(f"{address!r} is not an e-mail address")
        return [address.strip() for address in value]


def execute(context) -> dict:
    payload = context.payload
    recipients = _recipients(payload)
    problem = _address_problem(recipients)
    if problem:
        raise HandlerFailure(problem, retryable=False)
    message = EmailMessage(
        subject=_subject(payload),
        body=payload.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers={
            "Message-ID": f"<{context.delivery_id}@fabflow>",
            "X-Fabflow-Delivery": context.delivery_id,
            **outbox.headers(
                organization_id=context.order.organization_id, order_id=context.order.pk
            ),
        },
    )
    attached = []
    if payload.attach_files:
        attached = _attach_production_files(message, context.order)
    try:
        message.send(fail_silently=False)
    except OSError as error:
        raise HandlerFailure(f"The mail server refused or could not be reached: {error}") from None
    return {
        "recipients": recipients,
        "messageId": f"<{context.delivery_id}@fabflow>",
        "attachments": attached,
    }


def describe(context) -> dict:
    """The e-mail the task would send, attachments by name; nothing is sent."""
    payload = context.payload
    recipients = _recipients(payload)
    problem = _address_problem(recipients)
    return {
        "email": {
            "from": settings.DEFAULT_FROM_EMAIL,
            "to": recipients,
            "subject": _subject(payload),
            "body": payload.body,
            "attachments": list(context.production_files) if payload.attach_files else [],
        },
        "problems": [problem] if problem else [],
    }


def _recipients(payload) -> list[str]:
    return [address.strip() for address in payload.recipient if address.strip()]


def _address_problem(recipients: list[str]) -> str | None:
    """Why the rendered recipients cannot be sent to, or None."""
    for address in recipients:
        if not ADDRESS.match(address):
            return f"{address!r} is not an e-mail address"
    return None


def _subject(payload) -> str:
    return " ".join(payload.subject.split())  # a header holds one line


def _attach_production_files(message: EmailMessage, order) -> list[str]:
    assets = Asset.objects.filter(
        Q(order=order) | Q(product__order=order) | Q(part__order=order), kind=AssetKind.PRODUCTION
    ).order_by("created_at")
    total = 0
    names = []
    for asset in assets:
        total += asset.size
        if total > MAX_ATTACHMENT_BYTES:
            raise HandlerFailure(
                "The production files are too large to attach to an e-mail", retryable=False
            )
        with default_storage.open(asset.storage_name, "rb") as handle:
            message.attach(asset.filename, handle.read(), asset.content_type)
        names.append(asset.filename)
    return names
