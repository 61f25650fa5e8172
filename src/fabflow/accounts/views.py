"""Signing in and out, and the column choices a user keeps for each table."""

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from fabflow import limits
from fabflow.accounts.actors import Actor
from fabflow.accounts.forms import SignInForm
from fabflow.errors import FabflowError
from fabflow.web import throttle
from fabflow.web.clients import client_address
from fabflow.web.errors import raise_page_error, refused
from fabflow.web.listing import table_page, with_columns
from fabflow.web.redirects import see_other
from fabflow.web.services import save_table_columns

WRONG_CREDENTIALS = (
    "That e-mail address and password do not match an account. Check both and try again."
)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """The sign-in form, the one way in for people (Django's admin site signs in here too).

    A wrong password and an unknown e-mail get the same answer; every attempt passes the sign-in
    limits (`web/throttle.py`) before any password is checked. An operator of the installation
    lands on Django's admin site, an organization's user on the page they asked for.
    """
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_landing(request.user, next_url))
    context = {"next": next_url, "email": "", "error": ""}
    if request.method != "POST":
        if request.GET.get("signed_out"):
            context["notice"] = "You are signed out."
        return render(request, "web/sign_in.html", context)
    form = SignInForm(request.POST)
    context["email"] = request.POST.get("email", "")[: limits.MAX_EMAIL_LENGTH]
    if not form.is_valid():
        context["error"] = form.error_text()
        return render(request, "web/sign_in.html", context, status=422)
    email = form.cleaned_data["email"].lower()
    try:
        user = throttle.checked(
            email=email,
            address=client_address(request),
            check=lambda: authenticate(
                request, email=email, password=form.cleaned_data["password"]
            ),
        )
    except throttle.TooManyAttempts as refusal:
        context["error"] = refusal.message
        return render(request, "web/sign_in.html", context, status=429)
    if user is None:
        context["error"] = WRONG_CREDENTIALS
        return render(request, "web/sign_in.html", context, status=401)
    login(request, user)
    return see_other(_landing(user, next_url))


def _landing(user, next_url: str) -> str:
    """Where a signed-in user goes: an operator only ever to Django's admin site."""
    admin_index = reverse("admin:index")
    if user.is_operator and not next_url.startswith(admin_index):
        return admin_index
    return next_url


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return see_other(f"{reverse('login')}?signed_out=1")


@login_required
@require_POST
def table_columns(request: HttpRequest, table: str) -> HttpResponse:
    """Save which columns of `table` the user sees, then show the page they came from."""
    page = table_page(table)
    if page is None:
        return HttpResponse("No such table", status=404)
    allowed = [name for name, _title in page.table_class.choosable_columns()]
    next_url = _safe_next(request, request.POST.get("next"), default=reverse(f"{table}_list"))
    try:
        save_table_columns(
            actor=Actor.for_user(request.user),
            table=page.table_class.preference_key,
            columns=request.POST.getlist("columns"),
            allowed=allowed,
            order=request.POST.getlist("order"),
        )
    except FabflowError as error:
        raise_page_error(error)
        return refused(request, error, next_url)
    # A 303 makes the browser (and htmx) fetch the list again with GET, with the new columns
    # named in its URL: the URL wins over the stored choice, and Back shows the previous ones.
    columns = page.table_class.visible_column_names(request.user)
    return see_other(with_columns(next_url, columns))


def _safe_next(request: HttpRequest, url: str | None, default: str = "/") -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default
