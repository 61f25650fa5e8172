"""Middleware of the web pages."""

from django.http import Http404

from fabflow.errors import NotFound


class NotFoundMiddleware:
    """A service's NotFound, raised in a page's view, answers the site's 404 page.

    An object of another tenant is NotFound too, so a page never tells it exists. The API maps
    the same error itself, to its JSON error shape (`fabflow.api.errors`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from None
        return None
