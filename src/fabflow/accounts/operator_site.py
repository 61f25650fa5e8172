"""Django's admin site, for the operators of the installation only.

The admin site sees every organization's rows, so no organization's user may use it: it admits
only operators (users of no organization, made by `fabflow createoperator`). It has no sign-in
form of its own: its login address sends people to Fabflow's sign-in page, which every sign-in
passes through under the same limits; the operator's own password change is held to them too.
"""

from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from fabflow.web import throttle
from fabflow.web.clients import client_address


class OperatorAdminSite(AdminSite):
    """The admin site at /django-admin/: operators only, signed in through /sign-in/."""

    site_header = "Fabflow operator"
    site_title = "Fabflow operator"
    index_title = "Installation"
    # No "View site" link: the organization pages are not an operator's.
    site_url = None

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_authenticated and user.is_active and user.is_staff and user.is_operator

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Send the visitor to the sign-in page; a signed-in non-operator is refused."""
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or request.POST.get(REDIRECT_FIELD_NAME)
        if not next_url or not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = index
        if self.has_permission(request):
            return redirect(next_url)
        if request.user.is_authenticated:
            raise PermissionDenied("Django's admin site is for operators of the installation")
        return redirect_to_login(next_url, reverse("login"))

    def password_change(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Django's password change, with the old password checked under the sign-in limits."""
        if request.method != "POST":
            return super().password_change(request, extra_context)
        answers = []

        def change():
            response = super(OperatorAdminSite, self).password_change(request, extra_context)
            answers.append(response)
            form = (getattr(response, "context_data", None) or {}).get("form")
            return None if form is not None and "old_password" in form.errors else response

        try:
            throttle.checked(
                email=request.user.email, address=client_address(request), check=change
            )
        except throttle.TooManyAttempts as refusal:
            return HttpResponse(refusal.message, status=429, content_type="text/plain")
        return answers[0]
