"""The site's URLs plus two pages whose service refuses, for tests/web/test_errors.py: one
raises Forbidden, one a Conflict that no view expects."""

from django.urls import path

from fabflow.errors import Conflict, Forbidden
from fabflow.urls import urlpatterns as site_urlpatterns


def forbidding_view(request):
    """A page whose service says the signed-in user may not do this."""
    raise Forbidden("Only the organization's owner may do this")


def unexpected_refusal_view(request):
    """A page whose view does not expect its service's refusal."""
    raise Conflict("The order changed meanwhile; try again")


urlpatterns = [
    *site_urlpatterns,
    path("refusals/forbidden/", forbidding_view),
    path("refusals/unexpected/", unexpected_refusal_view),
]
