"""Every web form that writes text applies the API's bounds: a value holding NUL (which
PostgreSQL refuses in text) or longer than its bound is refused with 422 and an error beside
the field, and nothing is written.

A lone surrogate cannot travel in a form (a browser sends UTF-8), so the comment and reason of
the task forms are checked for it through their service, which the API calls too.
"""

import pytest

from fabflow.accounts.models import ProductSpace, SecretKey, User
from fabflow.errors import InvalidInput
from fabflow.files.models import ExportTarget
from fabflow.flows import services as flow_services
from fabflow.flows.models import OrderFlow, TaskRun
from fabflow.limits import MAX_REASON_LENGTH
from fabflow.orders.models import Order, OrderEvent
from fabflow.orders.services import create_order
from fabflow.web.models import SignInFailure
from tests.conftest import ring_products
from tests.web.test_detail_pages import FLOW

NUL_ERROR = "Null characters are not allowed."


def too_long(characters: int) -> str:
    return "x" * characters


def over_length_error(limit: int, length: int) -> str:
    return f"Ensure this value has at most {limit} characters (it has {length})."


@pytest.fixture
def running(admin_actor, space):
    order = create_order(
        actor=admin_actor, space=space, name="BND-1", products=ring_products(1, 1)
    ).order
    flow_services.create_flow(actor=admin_actor, space=space, name="Print rings", definition=FLOW)
    flow_services.start_flow(actor=admin_actor, order_id=order.pk, flow_key="print-rings")
    return TaskRun.objects.get(order=order)


def stored_state() -> tuple:
    """Everything the forms below could write, to compare before and after a refusal."""
    return (
        sorted(User.objects.values_list("email", "name", "tags", "is_admin")),
        sorted(ProductSpace.objects.values_list("key", "name", "generator")),
        SecretKey.objects.count(),
        sorted(ExportTarget.objects.values_list("name", "kind", "prefix", "endpoint_url")),
        sorted(OrderFlow.objects.values_list("key", "name")),
        sorted(TaskRun.objects.values_list("task_key", "status", "error")),
        OrderEvent.objects.count(),
        Order.objects.count(),
        SignInFailure.objects.count(),
    )


def sign_in(client, admin, space, running, value):
    return client.post("/sign-in/", {"email": value, "password": "whatever"})


def add_user(client, admin, space, running, value):
    data = {"email": "new@example.com", "name": value, "access": "link"}
    return client.post("/users/add/", data)


def add_user_email(client, admin, space, running, value):
    domain = "@example.com"
    email = value[: -len(domain)] + domain if len(value) > len(domain) * 2 else value + domain
    data = {"email": email, "name": "New", "access": "link"}
    return client.post("/users/add/", data)


def user_tags(client, admin, space, running, value):
    # The Users page edits tags in place through htmx, which shows the error in the row.
    url = f"/users/{admin.pk}/tags/"
    return client.post(url, {"tags": value}, headers={"HX-Request": "true"})


def add_secret_key(client, admin, space, running, value):
    return client.post(f"/secret-keys/{space.pk}/add/", {f"s{space.pk.hex}-name": value})


def add_export_target(client, admin, space, running, value):
    data = {"name": "workshop", "kind": "s3", "bucket": "jobs", "prefix": value}
    return client.post("/export-targets/add/", data)


def add_space(client, admin, space, running, value):
    return client.post("/spaces/add/", {"key": "bands", "name": value, "generator": ""})


def edit_space(client, admin, space, running, value):
    return client.post(f"/spaces/{space.pk}/edit/", {"name": value, "generator": ""})


def create_flow(client, admin, space, running, value):
    return client.post("/flows/new/", {"name": value, "space": str(space.pk)})


def reject_task(client, admin, space, running, value):
    url = f"/orders/{running.order_id}/tasks/{running.pk}/reject/"
    return client.post(url, {"reason": value})


def confirm_task(client, admin, space, running, value):
    url = f"/orders/{running.order_id}/tasks/{running.pk}/confirm/"
    return client.post(url, {"comment": value})


FORMS = {
    # form: (what posts it, its field's bound, the error of an over-long value if not Django's)
    "sign-in e-mail": (sign_in, 254, None),
    "user name": (add_user, 200, None),
    "user e-mail": (add_user_email, 254, None),
    "user tags": (user_tags, 50 * 52, None),
    "secret key name": (add_secret_key, 200, None),
    "export target prefix": (add_export_target, 500, None),
    "new space name": (add_space, 200, None),
    "space name": (edit_space, 200, None),
    "flow name": (create_flow, 200, None),
    "reject reason": (reject_task, MAX_REASON_LENGTH, "A reason has at most 2000 characters"),
    "confirm comment": (confirm_task, MAX_REASON_LENGTH, "A comment has at most 2000 characters"),
}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("problem", ["nul", "over-long"])
def test_a_form_refuses_text_it_cannot_store_and_writes_nothing(
    client, admin, space, running, form, problem
):
    poster, bound, long_error = FORMS[form]
    if form != "sign-in e-mail":
        client.force_login(admin)
    if problem == "nul":
        value, expected = "Ring\x00band", NUL_ERROR
        if form in {"reject reason", "confirm comment"}:
            expected = "Text must not contain NUL characters"
        if form == "user e-mail":
            expected = "Enter a valid email address."
    else:
        value = too_long(bound + 1)
        expected = long_error or over_length_error(bound, bound + 1)
    before = stored_state()
    response = poster(client, admin, space, running, value)
    assert response.status_code == 422
    page = response.content.decode()
    assert expected in page
    assert stored_state() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ok\x00", "Text must not contain NUL characters"),
        ("ok\ud800", "Text must be valid Unicode: it holds a lone UTF-16 surrogate"),
        ("x" * (MAX_REASON_LENGTH + 1), "at most 2000 characters"),
    ],
)
@pytest.mark.parametrize("action", ["confirm", "reject"])
def test_the_task_services_refuse_what_cannot_be_stored(
    admin_actor, running, action, text, message
):
    before = stored_state()
    with pytest.raises(InvalidInput) as refused:
        if action == "confirm":
            flow_services.confirm_task(actor=admin_actor, task_id=running.pk, comment=text)
        else:
            flow_services.reject_task(actor=admin_actor, task_id=running.pk, reason=text)
    assert message in refused.value.message
    field = "comment" if action == "confirm" else "reason"
    assert refused.value.field == (field,)
    assert stored_state() == before


def test_a_reason_at_its_bound_is_kept_whole(client, admin, running):
    client.force_login(admin)
    reason = "y" * MAX_REASON_LENGTH
    url = f"/orders/{running.order_id}/tasks/{running.pk}/reject/"
    assert client.post(url, {"reason": reason}).status_code == 303
    running.refresh_from_db()
    assert (running.status, running.error) == ("failed", reason)
