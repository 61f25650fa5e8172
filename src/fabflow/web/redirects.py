"""The answer of every form that succeeded: 303 See Other to the page that shows the outcome.

Post/redirect/get: the browser then shows a GET page, so reloading it repeats nothing. A 303
(not Django's default 302) says so to every client, htmx included: the next request is a GET.
"""

from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url


class HttpResponseSeeOther(HttpResponseRedirect):
    """A redirect that turns the request into a GET."""

    status_code = 303


def see_other(to, *args, **kwargs) -> HttpResponseSeeOther:
    """Redirect to a URL, a URL name with its arguments, or a model, with a 303."""
    return HttpResponseSeeOther(resolve_url(to, *args, **kwargs))
