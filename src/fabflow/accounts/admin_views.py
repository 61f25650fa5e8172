"""The organization's admin pages: Users and Secret keys; and the set-password page of new users.

Every admin page answers non-admins with a 403 page; the sidebar hides their links. Each view
parses the form, calls one service from `accounts/services.py` and renders the result.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fabflow.accounts import services
from fabflow.accounts.actors import Actor
from fabflow.accounts.forms import (
    AddSecretKeyForm,
    AddUserForm,
    SetPasswordForm,
    UserTagsForm,
)
from fabflow.accounts.models import SecretKey, User
from fabflow.web.errors import form_errors, refusals_redirect_to
from fabflow.web.redirects import see_other

# The session key that carries a new secret key's secret from the POST to the one GET after it.
NEW_SECRET_SESSION_KEY = "new_secret_key"


def admin_required(view):
    """Signed-in admins only; everyone else gets the 403 page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_admin:
            return forbidden(request)
        return view(request, Actor.for_user(request.user), *args, **kwargs)

    return wrapper


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/forbidden.html", status=403)


# -- users -----------------------------------------------------------------------------------------


def _users_page(request, actor, *, form=None, status=200) -> HttpResponse:
    users = actor.restrict(User.objects.filter(is_active=True)).order_by("name", "email")
    context = {"users": users, "form": form or AddUserForm(), "open_dialog": form is not None}
    return render(request, "accounts/users.html", context, status=status)


@admin_required
@require_GET
def user_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _users_page(request, actor)


@sensitive_post_parameters("password")
@admin_required
@require_POST
def user_add(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = AddUserForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        sends_link = data["access"] == AddUserForm.ACCESS_LINK
        with form_errors(form):
            user = services.add_user(
                actor=actor,
                email=data["email"],
                name=data["name"],
                is_admin=data["is_admin"],
                password=None if sends_link else data["password"],
                set_password_url=_set_password_url(request) if sends_link else None,
            )
            how = "a set-password link was e-mailed to" if sends_link else "they sign in as"
            messages.success(request, f"{user.get_full_name()} was added; {how} {user.email}.")
            return see_other("user_list")
    return _users_page(request, actor, form=form, status=422)


@admin_required
@require_POST
def user_tags(request: HttpRequest, actor: Actor, pk) -> HttpResponse:
    """Save one user's tags; an htmx request gets the row back with the page's status line
    saying what was saved, others the page with a message."""
    form = UserTagsForm(request.POST)
    user = None
    if form.is_valid():
        with form_errors(form):
            user = services.set_user_tags(actor=actor, user_id=pk, tags=form.cleaned_data["tags"])
    error = " ".join(message for messages_ in form.errors.values() for message in messages_)
    if request.headers.get("HX-Request"):
        if user is None:
            user = actor.restrict(User.objects.filter(pk=pk, is_active=True)).first()
            if user is None:
                raise Http404("No such user")
        context = {
            "person": user,
            "tag_error": error,
            "typed_tags": request.POST.get("tags", ""),
            "saved": "" if error else _tags_saved(user),
        }
        return render(
            request, "accounts/_user_tags_saved.html", context, status=422 if error else 200
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _tags_saved(user))
    return see_other("user_list")


def _tags_saved(user: User) -> str:
    if not user.tags:
        return f"{user.get_full_name()} has no tags now."
    return f"Tags of {user.get_full_name()} saved: {', '.join(user.tags)}."


@admin_required
@require_POST
@refusals_redirect_to("user_list")
def user_deactivate(request: HttpRequest, actor: Actor, pk) -> HttpResponse:
    user = services.deactivate_user(actor=actor, user_id=pk)
    messages.success(request, f"{user.get_full_name()} can no longer sign in.")
    return see_other("user_list")


def _set_password_url(request: HttpRequest):
    def url(encoded_id: str, token: str) -> str:
        return request.build_absolute_uri(
            reverse("set_password", kwargs={"encoded_id": encoded_id, "token": token})
        )

    return url


@sensitive_post_parameters("password", "password_again")
@never_cache
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, encoded_id: str, token: str) -> HttpResponse:
    """Where the link e-mailed to a new user leads: choose a password, then sign in."""
    user = services.user_for_password_token(encoded_id=encoded_id, token=token)
    if user is None:
        return render(request, "accounts/set_password.html", {"invalid": True}, status=404)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.set_password_with_token(
                encoded_id=encoded_id, token=token, password=form.cleaned_data["password"]
            )
            return see_other("login")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "accounts/set_password.html", {"form": form, "person": user}, status=status
    )


# -- secret keys -----------------------------------------------------------------------------------


def _keys_page(request, actor, *, forms=None, created=None, status=200) -> HttpResponse:
    keys = SecretKey.objects.filter(revoked_at__isnull=True).select_related("created_by")
    spaces = actor.spaces().prefetch_related(Prefetch("secret_keys", queryset=keys))
    forms = forms or {}
    sections = [
        {"space": space, "form": forms.get(space.pk) or AddSecretKeyForm(prefix=f"s{space.pk.hex}")}
        for space in spaces
    ]
    context = {"sections": sections, "created": created}
    response = render(request, "accounts/secret_keys.html", context, status=status)
    if created is not None:
        # The page carries a secret shown this once: keep it out of every cache.
        response["Cache-Control"] = "no-store"
    return response


@admin_required
@require_GET
def secret_key_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _keys_page(request, actor, created=_take_new_secret(request, actor))


@admin_required
@require_POST
def secret_key_add(request: HttpRequest, actor: Actor, space_id) -> HttpResponse:
    space = actor.spaces().filter(pk=space_id).first()
    if space is None:
        raise Http404("No such product space")
    form = AddSecretKeyForm(request.POST, prefix=f"s{space.pk.hex}")
    if form.is_valid():
        with form_errors(form):
            created = services.create_secret_key(
                actor=actor, space=space, name=form.cleaned_data["name"]
            )
            request.session[NEW_SECRET_SESSION_KEY] = {
                "key_id": str(created.key.pk),
                "secret": created.secret,
            }
            messages.success(request, f"The key {created.key.name} is added to {space.name}.")
            return see_other("secret_key_list")
    return _keys_page(request, actor, forms={space.pk: form}, status=422)


def _take_new_secret(request: HttpRequest, actor: Actor) -> services.CreatedSecretKey | None:
    """The secret of the key added just before, taken out of the session: shown this once."""
    new = request.session.pop(NEW_SECRET_SESSION_KEY, None)
    if new is None:
        return None
    key = (
        SecretKey.objects.filter(pk=new["key_id"], space__in=actor.spaces())
        .select_related("space")
        .first()
    )
    return None if key is None else services.CreatedSecretKey(key=key, secret=new["secret"])


@admin_required
@require_POST
@refusals_redirect_to("secret_key_list")
def secret_key_revoke(request: HttpRequest, actor: Actor, pk) -> HttpResponse:
    key = services.revoke_secret_key(actor=actor, key_id=pk)
    messages.success(request, f"The key {key.name} is revoked: requests with it are refused.")
    return see_other("secret_key_list")


@admin_required
@never_cache
@require_GET
def signing_secret(request: HttpRequest, actor: Actor, space_id) -> HttpResponse:
    """The space's webhook signing secret, fetched only when the admin asks to see it."""
    secret = services.signing_secret(actor=actor, space_id=space_id)
    response = render(
        request, "accounts/_signing_secret.html", {"secret": secret, "space_id": space_id}
    )
    response["Cache-Control"] = "no-store"
    return response


@admin_required
@require_POST
def signing_secret_rotate(request: HttpRequest, actor: Actor, space_id) -> HttpResponse:
    space = services.rotate_signing_secret(actor=actor, space_id=space_id)
    messages.success(
        request,
        f"{space.name} has a new signing secret: update every receiver of its webhooks.",
    )
    return see_other("space_detail", space_id=space.pk)
