"""The web UI's pages through Django's test client: sign-in, lists, filters, columns, exports."""

import csv
import io
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from fabflow.accounts.models import User
from fabflow.orders.models import Asset, Order, Part, Product
from fabflow.orders.services import create_order
from tests.conftest import ring_products

PASSWORD = "correct horse battery"


def make_order(actor, space, name, *, tags=None, created=None, value=None):
    order = create_order(
        actor=actor, space=space, name=name, products=ring_products(), tags=tags, value=value
    ).order
    if created is not None:
        Order.objects.filter(pk=order.pk).update(created_at=created)
        Product.objects.filter(order=order).update(created_at=created)
        Part.objects.filter(order=order).update(created_at=created)
        order.refresh_from_db()
    return order


@pytest.fixture
def signed_in(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def orders(admin_actor, space):
    return [
        make_order(
            admin_actor,
            space,
            "WEB-1001",
            tags=["printing"],
            created=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
            value=Decimal("120.00"),
        ),
        make_order(
            admin_actor,
            space,
            "WEB-1002",
            created=datetime(2025, 3, 2, 10, 0, tzinfo=UTC),
            value=Decimal("80.50"),
        ),
        make_order(
            admin_actor,
            space,
            "=CMD-1003",
            tags=["shipping"],
            created=datetime(2025, 3, 3, 11, 15, tzinfo=UTC),
            value=Decimal("99.00"),
        ),
    ]


def names_in(response) -> list[str]:
    table = response.context["table"]
    return [row.record.name for row in table.paginated_rows]


# ---------- sign-in ----------


def test_every_page_but_sign_in_needs_a_signed_in_user(client, db):
    for url in ["/", "/products/", "/parts/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/sign-in/?next={url}"
    assert client.get("/sign-in/").status_code == 200


def test_sign_in_with_email_and_password_then_sign_out(client, admin):
    response = client.post(
        "/sign-in/", {"email": "Admin@Ringmakers.test", "password": PASSWORD, "next": "/parts/"}
    )
    assert response.status_code == 303
    assert response["Location"] == "/parts/"
    assert client.get("/").status_code == 200
    response = client.post("/sign-out/")
    assert response["Location"] == "/sign-in/?signed_out=1"
    assert client.get("/").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, admin):
    wrong = client.post("/sign-in/", {"email": "admin@ringmakers.test", "password": "nope"})
    unknown = client.post("/sign-in/", {"email": "nobody@ringmakers.test", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.context["error"]
        == unknown.context["error"]
        == ("That e-mail address and password do not match an account. Check both and try again.")
    )
    assert "_auth_user_id" not in client.session


def test_sign_in_refuses_an_open_redirect(client, admin):
    response = client.post(
        "/sign-in/",
        {"email": "admin@ringmakers.test", "password": PASSWORD, "next": "https://evil.test/"},
    )
    assert response["Location"] == "/"


# ---------- lists, filters, sorting ----------


def test_orders_list_shows_only_the_users_organization(signed_in, orders, stranger, stranger_space):
    from fabflow.accounts.actors import Actor

    make_order(Actor.for_user(stranger), stranger_space, "LAMP-1")
    response = signed_in.get("/")
    assert response.status_code == 200
    assert names_in(response) == ["=CMD-1003", "WEB-1002", "WEB-1001"]
    assert b"LAMP-1" not in response.content


def test_status_filter_takes_several_statuses(signed_in, orders):
    Order.objects.filter(name="WEB-1002").update(status="failure")
    Order.objects.filter(name="WEB-1001").update(status="success")
    response = signed_in.get("/?status=failure&status=success")
    assert names_in(response) == ["WEB-1002", "WEB-1001"]
    assert names_in(signed_in.get("/?status=failure")) == ["WEB-1002"]


def test_created_range_includes_both_days(signed_in, orders):
    response = signed_in.get("/?createdFrom=2025-03-02&createdTo=2025-03-03")
    assert names_in(response) == ["=CMD-1003", "WEB-1002"]
    assert sorted(names_in(signed_in.get("/products/?createdTo=2025-03-01"))) == [
        "Ring 1",
        "Ring 2",
        "Ring 3",
    ]


def test_search_finds_names_and_ids(signed_in, orders):
    assert names_in(signed_in.get("/?search=1002")) == ["WEB-1002"]
    assert names_in(signed_in.get(f"/?search={orders[0].pk}")) == ["WEB-1001"]


def test_sorting_by_a_column_and_reversing_it(signed_in, orders):
    assert names_in(signed_in.get("/?ordering=value")) == ["WEB-1002", "=CMD-1003", "WEB-1001"]
    response = signed_in.get("/?ordering=-value")
    assert names_in(response) == ["WEB-1001", "=CMD-1003", "WEB-1002"]
    # The link keeps the columns shown, so that the state it leads to shows the same ones.
    columns = "columns=status%2Cvalue%2Ccreated_at%2Cdeadline"
    assert f'class="sort desc" href="?ordering=value&amp;{columns}"'.encode() in response.content


def test_my_tags_filter_and_highlight(client, member, orders):
    client.force_login(member)
    response = client.get("/")
    highlighted = [
        row.record.name
        for row in response.context["table"].paginated_rows
        if "highlight" in row.attrs["class"].split()
    ]
    assert highlighted == ["WEB-1001"]
    assert names_in(client.get("/?mine=1")) == ["WEB-1001"]


def test_my_tags_without_tags_shows_nothing(signed_in, orders):
    assert names_in(signed_in.get("/?mine=1")) == []


def test_htmx_gets_only_the_table_region(signed_in, orders):
    response = signed_in.get(
        "/?ordering=name", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="table-region"
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="table-region"')
    assert "<html" not in content
    assert 'id="current-ordering" value="name" hx-swap-oob="true"' in content


def test_pagination_of_a_last_page_counts_nothing_more(signed_in, orders):
    response = signed_in.get("/?per_page=25&page=1")
    assert response.context["pager"] == {
        "number": 1,
        "first": 1,
        "last": 3,
        "total": 3,
        "total_text": "3",
        "is_total_exact": True,
        "has_previous": False,
        "has_next": False,
        "previous": 0,
        "next": 2,
    }


def test_products_and_parts_lists(signed_in, orders):
    response = signed_in.get("/products/?ordering=name&search=ring")
    assert names_in(response)[:3] == ["Ring 1", "Ring 1", "Ring 1"]
    assert len(names_in(signed_in.get("/parts/"))) == 18


# ---------- columns ----------


def test_column_choice_is_remembered(signed_in, admin, orders):
    response = signed_in.post(
        "/tables/orders/columns/", {"columns": ["status", "id"], "next": "/?status=created"}
    )
    assert response.status_code == 303
    # The URL names the columns chosen, so that Back shows the columns before the choice.
    assert response["Location"] == "/?status=created&columns=status%2Cid"
    admin.refresh_from_db()
    assert admin.preferences == {"tables": {"orders": {"columns": ["status", "id"]}}}
    names = [column.name for column in signed_in.get("/").context["table"].columns]
    assert names == ["select", "name", "status", "id"]


def test_the_posted_column_order_is_stored_and_redirected_to_a_repeat_counting_once(
    signed_in, admin, orders
):
    response = signed_in.post(
        "/tables/orders/columns/",
        {"columns": ["id", "deadline", "status", "id"], "next": "/?columns=status%2Cid"},
    )
    assert response["Location"] == "/?columns=id%2Cdeadline%2Cstatus"
    admin.refresh_from_db()
    assert admin.preferences == {"tables": {"orders": {"columns": ["id", "deadline", "status"]}}}
    page = signed_in.get(response["Location"])
    names = [column.name for column in page.context["table"].columns]
    assert names == ["select", "name", "id", "deadline", "status"]
    # Each row of the Columns menu moves up and down, but not past the ends.
    html = page.content.decode()
    assert 'id="columns-id-up" data-move-column="up"' in html
    assert 'aria-label="Move Order ID up" aria-disabled="true"' in html
    assert 'aria-label="Move Order ID down">' in html
    assert 'aria-label="Move Tags down" aria-disabled="true"' in html


def test_unknown_column_changes_nothing(signed_in, admin):
    signed_in.post("/tables/orders/columns/", {"columns": ["status", "password"]})
    signed_in.post("/tables/orders/columns/", {"columns": ["status"], "order": ["password"]})
    admin.refresh_from_db()
    assert admin.preferences == {}


def test_the_menu_keeps_the_order_given_to_hidden_columns(signed_in, admin, orders):
    """The Columns menu lists the visible columns, then the hidden ones in the order the user
    last gave them; a column the stored order does not name comes after, in table order."""
    signed_in.post(
        "/tables/orders/columns/",
        {"columns": ["status"], "order": ["status", "tags", "deadline", "value", "tags"]},
    )
    admin.refresh_from_db()
    assert admin.preferences == {
        "tables": {
            "orders": {"columns": ["status"], "order": ["status", "tags", "deadline", "value"]}
        }
    }
    menu = [choice["name"] for choice in signed_in.get("/").context["choosable_columns"]]
    assert menu == ["status", "tags", "deadline", "value", "created_at", "id"]
    # Stored data that is not a list of names leaves the menu in table order.
    admin.preferences["tables"]["orders"]["order"] = {"not": "a list"}
    admin.save(update_fields=["preferences"])
    menu = [choice["name"] for choice in signed_in.get("/").context["choosable_columns"]]
    assert menu == ["status", "value", "created_at", "deadline", "tags", "id"]


# ---------- exports ----------


def export(client, path, ids, **extra):
    return client.post(path, {"ids": ",".join(str(i) for i in ids), **extra})


def test_export_csv_of_selected_rows_with_visible_columns(signed_in, orders):
    response = export(signed_in, "/orders/export/?ordering=name", [orders[0].pk, orders[2].pk])
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    assert response.content.decode("utf-8") == (
        "Order,Status,Value (€),Created at,Deadline\r\n"
        "'=CMD-1003,Created,99.00,2025-03-03 11:15,\r\n"
        "WEB-1001,Created,120.00,2025-03-01 09:30,\r\n"
    )


def test_export_of_more_than_50_rows_exports_nothing(signed_in, orders):
    ids = [orders[0].pk] + [__import__("uuid").uuid4() for _ in range(50)]
    response = export(signed_in, "/orders/export/?status=created", ids)
    assert response.status_code == 302
    assert response["Location"] == "/?status=created"
    page = signed_in.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "You selected 51 rows, but an export holds at most 50. "
        "Nothing was exported: select 50 rows or fewer and try again."
    ]


def test_export_ignores_rows_of_other_organizations(signed_in, orders, stranger, stranger_space):
    from fabflow.accounts.actors import Actor

    lamp = make_order(Actor.for_user(stranger), stranger_space, "LAMP-1")
    response = export(signed_in, "/orders/export/", [lamp.pk, orders[1].pk])
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[0] for row in rows] == ["Order", "WEB-1002"]


def test_export_products_with_assets_as_zip(signed_in, orders, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    product = orders[0].products.get(name="Ring 1")
    storage_name = default_storage.save("assets/ring.stl", ContentFile(b"solid ring\nendsolid\n"))
    Asset.objects.create(
        organization=product.organization,
        space=product.space,
        product=product,
        filename="ring.stl",
        content_type="model/stl",
        size=20,
        sha256="0" * 64,
        kind="production",
        storage_name=storage_name,
    )
    response = export(signed_in, "/products/export/", [product.pk], assets="1")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    folder = f"Ring 1 ({product.pk.hex[-8:]})"
    assert archive.namelist() == ["products.csv", f"{folder}/ring.stl"]
    assert archive.read(f"{folder}/ring.stl") == b"solid ring\nendsolid\n"
    assert archive.read("products.csv").decode() == (
        "Product,Order,Amount of units,Value (€ per unit),Created at\r\n"
        "Ring 1,WEB-1001,1,10.50,2025-03-01 09:30\r\n"
    )


def test_detail_pages_of_another_organization_are_not_found(client, stranger, orders):
    client.force_login(stranger)
    assert client.get(f"/orders/{orders[0].pk}/").status_code == 404
    product = orders[0].products.first()
    assert client.get(f"/products/{product.pk}/").status_code == 404
    assert client.get(f"/parts/{product.parts.first().pk}/").status_code == 404


def test_user_preferences_start_empty(admin):
    assert User.objects.get(pk=admin.pk).preferences == {}


def test_my_tags_matches_any_of_the_users_tags(client, member, orders):
    member.tags = ["printing", "shipping"]
    member.save(update_fields=["tags"])
    client.force_login(member)
    assert names_in(client.get("/?mine=1")) == ["=CMD-1003", "WEB-1001"]
