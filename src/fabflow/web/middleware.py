"""Middleware of the web pages."""

import secrets

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY with every response (but in DEBUG mode, whose
    error pages are inline HTML, scripts and styles).

    A view marked with `styles_by_nonce` renders a page whose script writes a <style> element
    (the flow editor's CodeMirror): its request gets a fresh `csp_style_nonce`, which the page
    hands to that script and the policy allows in `style-src`."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY
        self.header = _policy_header(self.policy)

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG or "Content-Security-Policy" in response:
            return response
        nonce = getattr(request, "csp_style_nonce", None)
        if nonce is None:
            response["Content-Security-Policy"] = self.header
        else:
            styles = [*self.policy["style-src"], f"'nonce-{nonce}'"]
            response["Content-Security-Policy"] = _policy_header(
                {**self.policy, "style-src": styles}
            )
        return response

    def process_view(self, request, view, view_args, view_kwargs):
        if getattr(view, "styles_by_nonce", False):
            request.csp_style_nonce = secrets.token_urlsafe(18)


def styles_by_nonce(view):
    """Mark `view` as rendering a page whose script adds a <style> element with
    `request.csp_style_nonce`."""
    view.styles_by_nonce = True
    return view


def _policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())
