"""Saved views of the list pages: saving, listing, opening, sharing, changing, bounds, and stored
views that no longer read, through Django's test client."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client

from fabflow.accounts.actors import Actor
from fabflow.web import saved_views
from fabflow.web.models import SavedView
from tests.web.test_views import make_order

STATE = "search=WEB&ordering=-name&per_page=25&columns=id%2Cstatus"


@pytest.fixture
def orders(admin_actor, space):
    return [
        make_order(
            admin_actor, space, name, created=datetime(2025, 3, day, tzinfo=UTC), value=value
        )
        for day, name, value in [
            (1, "WEB-1001", Decimal("120.00")),
            (2, "WEB-1002", Decimal("80.50")),
            (3, "SHOP-1003", Decimal("99.00")),
        ]
    ]


@pytest.fixture
def signed_in(admin):
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def member_session(member):
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def stranger_session(stranger, stranger_space):
    client = Client()
    client.force_login(stranger)
    return client


def shown(response) -> tuple[list[str], list[str]]:
    """The names of the rows and of the columns a list page shows."""
    table = response.context["table"]
    rows = [row.record.name for row in table.paginated_rows]
    return rows, [column.name for column in table.columns]


def view_names(response) -> list[str]:
    return [item["view"].name for item in response.context["saved_views"]]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def save(client, name, *, query=STATE, shared=False):
    data = {"name": name, **({"shared": "1"} if shared else {})}
    return client.post(f"/tables/orders/views/save/?{query}&page=1", data)


def make_view(user, name, *, query=STATE, shared=False, table="orders") -> SavedView:
    return saved_views.save_view(
        actor=Actor.for_user(user), table=table, name=name, query=query, is_shared=shared
    )


# ---------- saving and opening ----------


def test_saving_keeps_the_table_state_and_shows_it(signed_in, admin, orders):
    response = save(signed_in, "  Web   orders ", shared=True)
    assert response.status_code == 303
    assert response["Location"] == f"/?{STATE}"
    view = SavedView.objects.get()
    assert (view.owner, view.table, view.name, view.query, view.is_shared) == (
        admin,
        "orders",
        "Web orders",
        STATE,
        True,
    )
    page = signed_in.get(response["Location"])
    assert messages_of(page) == ["Saved the view “Web orders”."]
    assert shown(page) == (["WEB-1002", "WEB-1001"], ["select", "name", "id", "status"])
    assert page.context["per_page"] == 25


def test_a_state_without_columns_is_saved_with_the_columns_shown(signed_in, admin, orders):
    signed_in.post("/tables/orders/columns/", {"columns": ["value", "status"]})
    save(signed_in, "Mine", query="status=created")
    assert SavedView.objects.get().query == "status=created&columns=value%2Cstatus"


def test_opening_a_view_is_its_url(signed_in, admin, orders):
    view = make_view(admin, "Web orders")
    response = signed_in.get(f"/tables/orders/views/{view.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/?{STATE}"


def test_another_user_of_the_organization_opens_a_shared_view_with_its_columns(
    signed_in, member_session, admin, orders
):
    saved_state = shown(signed_in.get(f"/?{STATE}"))
    view = make_view(admin, "Web orders", shared=True)
    # The member's own column choice does not change what the view shows.
    member_session.post("/tables/orders/columns/", {"columns": ["tags", "value"]})
    opened = member_session.get(f"/tables/orders/views/{view.pk}/", follow=True)
    assert opened.redirect_chain == [(f"/?{STATE}", 302)]
    assert (
        shown(opened)
        == saved_state
        == (
            ["WEB-1002", "WEB-1001"],
            ["select", "name", "id", "status"],
        )
    )
    # Without columns in the URL, the member's own choice applies.
    assert shown(member_session.get("/?search=WEB"))[1] == ["select", "name", "tags", "value"]


def test_the_url_columns_win_in_their_order_and_the_columns_menu_follows(signed_in, orders):
    signed_in.post("/tables/orders/columns/", {"columns": ["status"]})
    response = signed_in.get("/?columns=value,id,value")
    assert shown(response)[1] == ["select", "name", "value", "id"]
    menu = [(item["name"], item["visible"]) for item in response.context["choosable_columns"]]
    assert menu == [
        ("value", True),
        ("id", True),
        ("status", False),
        ("created_at", False),
        ("deadline", False),
        ("tags", False),
    ]


def test_choosing_columns_puts_them_in_the_url_in_the_order_chosen(signed_in, admin, orders):
    response = signed_in.post(
        "/tables/orders/columns/",
        {"columns": ["id", "status"], "next": "/?columns=value&page=2"},
    )
    assert response["Location"] == "/?columns=id%2Cstatus&page=2"
    admin.refresh_from_db()
    assert admin.preferences == {"tables": {"orders": {"columns": ["id", "status"]}}}
    assert shown(signed_in.get("/"))[1] == ["select", "name", "id", "status"]


def test_each_table_keeps_its_own_views(signed_in, admin, orders):
    make_view(admin, "Orders view")
    make_view(admin, "Parts view", table="parts", query="columns=order")
    assert view_names(signed_in.get("/")) == ["Orders view"]
    parts = signed_in.get("/parts/")
    assert view_names(parts) == ["Parts view"]
    assert parts.context["saved_views"][0]["url"] == "/parts/?columns=order"
    view = SavedView.objects.get(name="Parts view")
    assert signed_in.get(f"/tables/orders/views/{view.pk}/").status_code == 404


# ---------- who sees and who changes ----------


def test_lists_show_my_views_and_the_shared_ones_only(
    signed_in, member_session, stranger_session, admin, member, orders
):
    make_view(admin, "A private")
    make_view(admin, "B shared", shared=True)
    make_view(member, "C member")
    assert view_names(signed_in.get("/")) == ["A private", "B shared"]
    assert view_names(member_session.get("/")) == ["B shared", "C member"]
    assert view_names(stranger_session.get("/")) == []
    page = member_session.get("/tables/orders/views/")
    assert [item["view"].name for item in page.context["views"]] == ["B shared", "C member"]
    assert [item["may_change"] for item in page.context["views"]] == [False, True]
    assert "A private" not in page.content.decode()


def test_a_private_view_of_another_user_and_any_view_of_another_organization_are_404(
    member_session, stranger_session, admin, orders
):
    private = make_view(admin, "A private")
    shared = make_view(admin, "B shared", shared=True)
    before = list(SavedView.objects.order_by("pk").values())
    assert member_session.get(f"/tables/orders/views/{private.pk}/").status_code == 404
    for view in (private, shared):
        assert stranger_session.get(f"/tables/orders/views/{view.pk}/").status_code == 404
        change = f"/tables/orders/views/{view.pk}/change/"
        assert stranger_session.post(change, {"name": "Taken"}).status_code == 404
        delete = f"/tables/orders/views/{view.pk}/delete/"
        assert stranger_session.post(delete).status_code == 404
    assert list(SavedView.objects.order_by("pk").values()) == before


def test_the_owner_renames_shares_and_deletes_their_view(member_session, member, orders):
    view = make_view(member, "Mine")
    response = member_session.post(
        f"/tables/orders/views/{view.pk}/change/", {"name": "Ours", "shared": "1"}
    )
    assert response.status_code == 303
    assert response["Location"] == "/tables/orders/views/"
    view.refresh_from_db()
    assert (view.name, view.is_shared, view.query) == ("Ours", True, STATE)
    response = member_session.post(f"/tables/orders/views/{view.pk}/delete/", follow=True)
    assert messages_of(response) == ["Saved the view “Ours”.", "Deleted the view."]
    assert SavedView.objects.count() == 0


def test_a_shared_view_is_changed_by_its_owner_or_an_admin_only(
    signed_in, member_session, admin, member, orders
):
    admins = make_view(admin, "Admin's", shared=True)
    before = list(SavedView.objects.order_by("pk").values())
    # The page offers them no button for it: a request made by hand is forbidden.
    response = member_session.post(f"/tables/orders/views/{admins.pk}/change/", {"name": "Taken"})
    assert response.status_code == 403
    response = member_session.post(f"/tables/orders/views/{admins.pk}/delete/")
    assert response.status_code == 403
    assert list(SavedView.objects.order_by("pk").values()) == before
    members = make_view(member, "Member's", shared=True)
    signed_in.post(f"/tables/orders/views/{members.pk}/change/", {"name": "Tidied", "shared": "1"})
    members.refresh_from_db()
    assert (members.name, members.owner, members.is_shared) == ("Tidied", member, True)
    signed_in.post(f"/tables/orders/views/{members.pk}/delete/")
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Admin's"]


# ---------- bounds: a refusal writes nothing ----------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Give the view a name."),
        ("x" * 101, "A view's name has at most 100 characters."),
        ("Bad\x00name", "A view's name holds only printable characters."),
    ],
)
def test_a_bad_name_is_refused(signed_in, orders, name, message):
    response = save(signed_in, name)
    assert response.status_code == 303
    assert response["Location"] == f"/?{STATE}&page=1"
    assert messages_of(signed_in.get(response["Location"])) == [message]
    assert SavedView.objects.count() == 0


def test_a_name_is_unique_per_owner_and_table(signed_in, member, admin, orders):
    make_view(admin, "Web orders")
    make_view(admin, "Web orders", table="products")
    make_view(member, "Web orders")
    before = list(SavedView.objects.order_by("pk").values())
    response = save(signed_in, "Web orders", query="status=created")
    page = signed_in.get(response["Location"])
    assert messages_of(page) == ["You already have a view named “Web orders” here."]
    other = make_view(admin, "Other")
    rename = signed_in.post(f"/tables/orders/views/{other.pk}/change/", {"name": "Web orders"})
    assert rename.status_code == 303
    other.refresh_from_db()
    assert other.name == "Other"
    assert list(SavedView.objects.exclude(pk=other.pk).order_by("pk").values()) == before


def test_a_user_keeps_a_bounded_number_of_views(signed_in, admin, orders, monkeypatch):
    monkeypatch.setattr(saved_views, "MAX_SAVED_VIEWS_PER_USER", 2)
    make_view(admin, "One")
    make_view(admin, "Two", table="parts")
    page = signed_in.get(save(signed_in, "Three")["Location"])
    assert messages_of(page) == [
        "You already have 2 saved views, the most one person keeps: delete one first."
    ]
    assert SavedView.objects.count() == 2


def test_an_organization_shares_a_bounded_number_of_views(
    signed_in, member_session, admin, member, orders, monkeypatch
):
    monkeypatch.setattr(saved_views, "MAX_SAVED_VIEWS_SHARED_PER_ORGANIZATION", 1)
    make_view(admin, "Shared", shared=True)
    private = make_view(member, "Private")
    refusal = (
        "Your organization already shares 1 views, the most it keeps: keep this one private, "
        "or delete a shared one first."
    )
    page = member_session.get(save(member_session, "Also shared", shared=True)["Location"])
    assert messages_of(page) == [refusal]
    response = member_session.post(
        f"/tables/orders/views/{private.pk}/change/",
        {"name": "Private", "shared": "1"},
        follow=True,
    )
    assert messages_of(response) == [refusal]
    assert sorted(SavedView.objects.values_list("name", "is_shared")) == [
        ("Private", False),
        ("Shared", True),
    ]


def test_a_state_past_its_bound_is_refused(signed_in, orders):
    response = save(signed_in, "Long", query="search=" + "x" * 2000)
    assert messages_of(signed_in.get(response["Location"])) == [
        "This table state is too long to save (at most 2000 characters): remove some filters "
        "and try again."
    ]
    assert SavedView.objects.count() == 0


def test_an_unknown_table_is_404(signed_in, admin, orders):
    assert signed_in.post("/tables/nothing/views/save/", {"name": "X"}).status_code == 404
    assert signed_in.get("/tables/nothing/views/").status_code == 404
    assert SavedView.objects.count() == 0


# ---------- stored views that no longer read ----------


def test_a_view_whose_columns_and_page_size_are_gone_opens_with_a_message(signed_in, admin, orders):
    view = make_view(admin, "Old", query="columns=status,weight,id&per_page=7&search=WEB")
    page = signed_in.get(f"/tables/orders/views/{view.pk}/", follow=True)
    assert page.status_code == 200
    assert shown(page) == (["WEB-1002", "WEB-1001"], ["select", "name", "status", "id"])
    assert page.context["view_notes"] == [
        "This table has no column “weight” (any more): the other columns are shown. "
        "Choose the columns again and save the view to update it.",
        "50 rows per page are shown: “7” is not one of 25, 50, 100, 200.",
    ]
    assert "“weight”" in page.content.decode()


def test_a_view_whose_filters_no_longer_read_opens_with_a_message(signed_in, admin, orders):
    view = make_view(admin, "Old", query="createdFrom=March&columns=id")
    page = signed_in.get(f"/tables/orders/views/{view.pk}/", follow=True)
    assert page.status_code == 200
    assert page.context["filter_error"] == (
        "Created from: “March” is not a day. Write it as YYYY-MM-DD, for example 2025-02-01."
    )
    assert shown(page) == ([], ["select", "name", "id"])


def test_a_stored_query_of_any_shape_never_takes_the_page_down(signed_in, admin, orders):
    SavedView.objects.create(
        organization=admin.organization,
        owner=admin,
        table="orders",
        name="Garbled",
        query="%zz&&columns=%00&ordering=<script>&per_page=-1&=x",
    )
    page = signed_in.get("/")
    assert page.status_code == 200
    assert view_names(page) == ["Garbled"]
    assert "<script>" not in page.content.decode()
    opened = signed_in.get(page.context["saved_views"][0]["url"])
    assert opened.status_code == 200
    assert shown(opened)[1] == ["select", "name"]
