"""Operators of the installation reach Django's admin site and nothing of any organization."""

from django.core.exceptions import PermissionDenied
from django.urls import Resolver404, resolve

# What an operator may reach besides the admin site: signing in (which sends them on to the admin
# site) and out.
OPERATOR_URL_NAMES = {"login", "logout"}
# The REST API refuses an operator itself (its session auth), in the API's own error shape.
SELF_GUARDED_NAMESPACES = {"admin", "api-v1"}


class OperatorGateMiddleware:
    """Refuse a signed-in operator every page but the admin site's, with a 403.

    Pages refuse a user without an organization on their own too (`Actor.for_user`); this gate
    also covers any page added later. The REST API's session auth refuses operators itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        is_operator = user is not None and user.is_authenticated and user.is_operator
        if is_operator and not _open_to_operators(request.path_info):
            raise PermissionDenied("An operator uses Django's admin site only")
        return self.get_response(request)


def _open_to_operators(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return True  # the 404 page
    return match.namespace in SELF_GUARDED_NAMESPACES or match.url_name in OPERATOR_URL_NAMES
