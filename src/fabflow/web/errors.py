"""How the pages answer a service's error (`fabflow.errors`), in one place.

- A `NotFound` of the page's own object (no field named) is the 404 page; an object of another
  tenant is NotFound too, so a page never tells it exists. `Forbidden` is the 403 page.
- Inside `form_errors(form)`, any other error shows beside the form field its domain path
  names (else above the form), and the view renders the form again.
- In a view marked with `refusals_redirect_to(...)`, it becomes the page's error message and a
  303 to the page named; `ServiceErrorMiddleware` does the same for every other view (back to
  the page the request came from), so a service's error is never a 500 page.

The API maps the same errors to its JSON error shape (`fabflow.api.errors`).
"""

import functools
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from fabflow.errors import FabflowError, Forbidden, NotFound
from fabflow.web.redirects import see_other


def raise_page_error(error: FabflowError) -> None:
    """Raise the 404 or 403 page for the errors that are one; return for the others."""
    if isinstance(error, NotFound) and not error.field:
        raise Http404(error.message) from None
    if isinstance(error, Forbidden):
        raise PermissionDenied(error.message) from None


@contextmanager
def form_errors(form, **field_names):
    """Show a service's refusal on `form`: beside the field its path names (the last part of the
    path that is a field of the form, after renaming by `field_names`, e.g. space_key="space"),
    else above the form. The block's remaining statements are skipped; `form.errors` says so."""
    try:
        yield form
    except FabflowError as error:
        raise_page_error(error)
        names = (field_names.get(part, part) for part in reversed(error.field))
        field = next((name for name in names if name in form.fields), None)
        form.add_error(field, error.message)


def refusals_redirect_to(url_name: str, *url_kwargs: str):
    """Mark a view whose service's refusals show as a message on the page `url_name` (reversed
    with the view's arguments named `url_kwargs`), answered with a 303."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except FabflowError as error:
                raise_page_error(error)
                arguments = {name: kwargs[name] for name in url_kwargs}
                return refused(request, error, reverse(url_name, kwargs=arguments))

        return wrapped

    return decorate


def refused(request, error: FabflowError, to: str):
    """The error's message, shown on the page `to` after a 303."""
    messages.error(request, error.message)
    return see_other(to)


class ServiceErrorMiddleware:
    """A service's error that a page's view left alone: the 404 or 403 page, else its message
    back on the page the request came from (a same-site Referer, else the home page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, FabflowError):
            return None
        raise_page_error(exception)
        back = _page_before(request)
        if back is None:
            return None
        return refused(request, exception, back)


def _page_before(request) -> str | None:
    """The page to show the message on; none when that would be this very page again."""
    referer = request.headers.get("Referer", "")
    same_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if same_site and referer != request.build_absolute_uri():
        return referer
    if request.method == "GET" and request.path == "/":
        return None
    return "/"
