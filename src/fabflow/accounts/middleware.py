"""Operators of the installation reach Django's admin site and nothing of any organization."""

from django.core.exceptions import PermissionDenied
from django.urls import Resolver404, resolve

# What an operator may reach besides the admin site: signing in (which sends them on to the admin
# site) and out.
OPERATOR_URL_NAMES = {"login", "logout"}


class OperatorGateMiddleware:
    """Refuse a signed-in operator every address but the admin site's, with a 403.

    Pages and API calls refuse an actor without an organization on their own too
    (`Actor.for_user`, the API's session auth); this gate also covers any address added later.
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
    return match.app_name == "admin" or match.url_name in OPERATOR_URL_NAMES
