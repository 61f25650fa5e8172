"""Every request gets an id, echoed as X-Request-ID and carried by every log line it causes."""

import re
import uuid

from django.conf import settings

from fabflow import logs

REQUEST_ID_HEADER = "X-Request-ID"
# An id taken from a trusted proxy: printable, short, no spaces (it goes into every log line).
ACCEPTED_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")


class RequestIdMiddleware:
    """Sets the log context of a request: its id, and its organization and order once known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = self._trusted_id(request) or uuid.uuid4().hex
        request.request_id = request_id
        with logs.log_context(request_id=request_id, organization=_organization_of(request)):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        order_id = view_kwargs.get("order_id")
        if order_id is None and request.resolver_match.url_name in ORDER_PAGES:
            order_id = view_kwargs.get("pk")
        logs.bind(order=order_id, task=view_kwargs.get("task_id"))

    @staticmethod
    def _trusted_id(request) -> str | None:
        if not settings.FABFLOW_TRUST_REQUEST_ID:
            return None
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        return incoming if ACCEPTED_REQUEST_ID.match(incoming) else None


# The pages whose `pk` is an order's id.
ORDER_PAGES = frozenset({"order_detail", "order_start_flow", "order_task_action"})


def _organization_of(request):
    """The organization acting in `request`, resolved only when a record is logged, and only
    from what the request has already authenticated (no query from inside logging)."""

    def resolve():
        actor = getattr(request, "auth", None)
        if actor is not None and getattr(actor, "organization_id", None) is not None:
            return actor.organization_id
        # AuthenticationMiddleware caches the user here once something has asked for it.
        user = request.__dict__.get("_cached_user")
        return getattr(user, "organization_id", None)

    return resolve
