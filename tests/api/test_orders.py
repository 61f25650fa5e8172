"""REST API v1: creating, reading, changing and listing orders, products and parts."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client

from fabflow.accounts import services as account_services
from fabflow.accounts.models import SecretKey
from fabflow.orders.models import Order, OrderEvent, Part, Product
from tests.api.conftest import ApiClient, bearer, order_body


def counts() -> tuple[int, int, int, int]:
    return (
        Order.objects.count(),
        Product.objects.count(),
        Part.objects.count(),
        OrderEvent.objects.count(),
    )


def create(client, name="Order 1001", **overrides) -> dict:
    response = client.post("/orders", order_body(name, **overrides))
    assert response.status_code == 201, response.content
    return response.json()


# -- create ----------------------------------------------------------------------------------------


def test_create_answers_the_whole_order(key_client, space):
    response = key_client.post("/orders", order_body())

    assert response.status_code == 201
    body = response.json()
    order = Order.objects.get()
    assert body["id"] == str(order.pk)
    assert body["name"] == "Order 1001"
    assert body["status"] == "created"
    assert body["value"] == "63.00"  # 1 × 10.50 + 2 × 10.50 + 3 × 10.50
    assert body["spaceKey"] == "rings"
    assert body["flowKey"] is None
    assert body["tags"] == ["gold"]
    assert body["data"] == {"shopOrder": 1001}
    assert body["addresses"] == [{"type": "shipping", "city": "Gent"}]
    assert body["thumbnailUrl"] is None
    assert body["assets"] == [] and body["tasks"] == []
    assert [product["name"] for product in body["products"]] == ["Ring 1", "Ring 2", "Ring 3"]
    first = body["products"][0]
    assert first["units"] == 1
    assert first["unitValue"] == "10.50"
    assert first["configuration"] == {"size": 52}
    assert first["orderId"] == body["id"] and first["orderName"] == "Order 1001"
    assert [part["name"] for part in first["parts"]] == ["Band 1.1", "Band 1.2"]
    assert first["parts"][0]["productId"] == first["id"]
    assert counts() == (1, 3, 6, 1)
    assert order.space_id == space.pk


def test_create_with_an_explicit_value_and_deadline(key_client):
    body = create(key_client, value="129.90", deadline="2030-01-02T03:04:05+01:00")

    assert body["value"] == "129.90"
    assert body["deadline"] == "2030-01-02T02:04:05Z"
    assert body["products"][0]["deadline"] == "2030-01-02T02:04:05Z"  # defaults to the order's


def test_times_are_kept_in_utc_whatever_the_offset(key_client):
    body = create(key_client, deadline="2030-05-28T14:01:03+19:59")

    assert body["deadline"] == "2030-05-27T18:02:03Z"
    patched = key_client.patch(f"/orders/{body['id']}", {"deadline": "0404-05-28T14:01:03+19:59"})
    assert patched.status_code == 200
    assert patched.json()["deadline"] == "0404-05-27T18:02:03Z"
    listed = key_client.get("/orders", data={"createdAfter": "2001-01-01T00:00:00+19:59"})
    assert names(listed) == ["Order 1001"]


def test_a_time_that_leaves_the_calendar_is_a_422(key_client):
    response = key_client.post("/orders", order_body(deadline="0001-01-01T00:00:00+01:00"))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "deadline"]
    listed = key_client.get("/orders", data={"createdAfter": "0001-01-01T00:00:00+01:00"})
    assert listed.status_code == 422
    assert counts() == (0, 0, 0, 0)


def test_the_same_create_again_answers_the_existing_order(key_client):
    first = create(key_client)

    again = key_client.post("/orders", order_body())

    assert again.status_code == 200
    assert again.json() == first
    assert counts() == (1, 3, 6, 1)


def test_a_different_create_with_the_same_name_is_a_conflict(key_client):
    create(key_client)

    response = key_client.post("/orders", order_body(tags=["silver"]))

    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    assert response.json()["detail"][0]["type"] == "conflict"
    assert counts() == (1, 3, 6, 1)


@pytest.mark.parametrize(
    ("change", "loc", "type"),
    [
        ({"products": []}, ["body", "products"], "too_short"),
        ({"name": ""}, ["body", "name"], "string_too_short"),
        ({"name": 5}, ["body", "name"], "string_type"),
        ({"value": "-1"}, ["body", "value"], "greater_than_equal"),
        ({"value": "1.234"}, ["body", "value"], "decimal_max_places"),
        ({"deadline": "2030-01-02T03:04:05"}, ["body", "deadline"], "timezone_aware"),
        ({"colour": "red"}, ["body", "colour"], "extra_forbidden"),
        ({"tags": "gold"}, ["body", "tags"], "list_type"),
        ({"tags": ["x" * 51]}, ["body", "tags", 0], "string_too_long"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(key_client, change, loc, type):
    response = key_client.post("/orders", order_body(**change))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert response.json()["detail"][0]["type"] == type
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("field", "value", "type"),
    [
        ("units", 0, "greater_than_equal"),
        ("units", "many", "int_parsing"),
        ("unitValue", "-0.01", "greater_than_equal"),
        ("name", "", "string_too_short"),
    ],
)
def test_bad_product_input_names_the_product(key_client, field, value, type):
    body = order_body()
    body["products"][1][field] = value

    response = key_client.post("/orders", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "products", 1, field]
    assert response.json()["detail"][0]["type"] == type
    assert counts() == (0, 0, 0, 0)


def test_a_blank_part_name_is_refused_by_the_service(key_client):
    body = order_body()
    body["products"][2]["parts"][1]["name"] = "   "

    response = key_client.post("/orders", body)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "products", 2, "parts", 1, "name"],
                "msg": "A part needs a name",
                "type": "invalid_input",
            }
        ]
    }
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"name": "A", "value": NaN, "products": []}',
        b"[" * 100_000,
    ],
)
def test_unreadable_bodies_are_a_400(key_client, raw):
    response = key_client.post("/orders", raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": [{"loc": [], "msg": "Cannot parse request body", "type": "bad_request"}]
    }
    assert counts() == (0, 0, 0, 0)


def test_an_oversized_body_is_a_413(key_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = key_client.post("/orders", order_body(data={"notes": "x" * 2000}))

    assert response.status_code == 413
    assert response.json()["detail"][0]["type"] == "too_large"
    assert counts() == (0, 0, 0, 0)


# -- authentication --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer ffk_000000000000_wrong"},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
)
def test_missing_or_unknown_keys_are_a_401(db, headers):
    response = ApiClient(Client(), headers).post("/orders", order_body())

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"][0]["type"] == "unauthorized"
    assert counts() == (0, 0, 0, 0)


def test_a_revoked_key_is_a_401(admin_actor, secret_key, key_client):
    account_services.revoke_secret_key(actor=admin_actor, key_id=secret_key.key.pk)

    assert key_client.get("/orders").status_code == 401


def test_a_key_records_when_it_was_last_used(secret_key, key_client):
    assert SecretKey.objects.get(pk=secret_key.key.pk).last_used_at is None

    assert key_client.get("/orders").status_code == 200
    first_use = SecretKey.objects.get(pk=secret_key.key.pk).last_used_at
    assert first_use is not None
    assert key_client.get("/orders").status_code == 200
    # Within a minute the time is not written again: reading costs no write.
    assert SecretKey.objects.get(pk=secret_key.key.pk).last_used_at == first_use


def test_a_key_cannot_name_another_space(key_client):
    response = key_client.post("/orders", order_body(spaceKey="lamps"))

    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["body", "spaceKey"]
    assert counts() == (0, 0, 0, 0)


def test_a_user_creates_in_a_named_space_with_the_csrf_token(member_client, space, other_space):
    refused = member_client.post("/orders", order_body(spaceKey="lamps"))
    assert refused.status_code == 403
    assert refused.json()["detail"][0]["msg"] == "CSRF check Failed"
    assert counts() == (0, 0, 0, 0)

    member_client.client.get("/api/v1/orders")  # any page sets the CSRF cookie once rendered
    token = _csrf_token(member_client)
    response = member_client.post(
        "/orders", order_body(spaceKey="lamps"), headers={"X-CSRFToken": token}
    )

    assert response.status_code == 201
    assert response.json()["spaceKey"] == "lamps"
    assert Order.objects.get().space_id == other_space.pk


def test_a_user_with_several_spaces_must_name_one(member_client, space, other_space):
    token = _csrf_token(member_client)

    response = member_client.post("/orders", order_body(), headers={"X-CSRFToken": token})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "spaceKey"]
    assert counts() == (0, 0, 0, 0)


def _csrf_token(api_client: ApiClient) -> str:
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    api_client.client.cookies["csrftoken"] = token
    return token


# -- read and change -------------------------------------------------------------------------------


def test_read_an_order(key_client):
    created = create(key_client)

    response = key_client.get(f"/orders/{created['id']}")

    assert response.status_code == 200
    assert response.json() == created


def test_patch_changes_only_the_fields_sent_and_records_an_event(key_client):
    created = create(key_client)

    response = key_client.patch(
        f"/orders/{created['id']}", {"tags": ["gold", "rush"], "deadline": "2031-05-06T07:08:09Z"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["tags"] == ["gold", "rush"]
    assert body["deadline"] == "2031-05-06T07:08:09Z"
    assert body["data"] == {"shopOrder": 1001}
    event = OrderEvent.objects.filter(type="updated").get()
    assert event.actor_label == "Secret key Webshop"
    assert event.details == {
        "changes": {
            "deadline": [None, "2031-05-06T07:08:09+00:00"],
            "tags": [["gold"], ["gold", "rush"]],
        }
    }

    cleared = key_client.patch(f"/orders/{created['id']}", {"deadline": None})
    assert cleared.json()["deadline"] is None


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"name": "Renamed"}, ["body", "name"]),
        ({"tags": [1]}, ["body", "tags", 0]),
        ({"data": [1]}, ["body", "data"]),
    ],
)
def test_patch_refuses_other_fields_and_bad_values(key_client, body, loc):
    created = create(key_client)
    before = Order.objects.values().get()

    response = key_client.patch(f"/orders/{created['id']}", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert Order.objects.values().get() == before


def test_read_products_and_parts(key_client):
    created = create(key_client)
    product = created["products"][1]
    part = product["parts"][0]

    assert key_client.get(f"/products/{product['id']}").json() == product
    assert key_client.get(f"/parts/{part['id']}").json() == part


def test_listed_children_show_times_and_ids_as_a_read_does(key_client):
    created = create(key_client, deadline="2030-01-02T03:04:05+01:00")
    first, second = Product.objects.order_by("position")[:2]
    whole_second = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    Product.objects.filter(pk=first.pk).update(created_at=whole_second, deadline=whole_second)
    Product.objects.filter(pk=second.pk).update(
        created_at=whole_second.replace(microsecond=5), deadline=None
    )
    Part.objects.filter(product=first).update(created_at=whole_second.replace(microsecond=120000))

    listed = key_client.get("/orders").json()["items"][0]
    products = listed["products"]

    assert products[0]["createdAt"] == "2024-05-01T09:30:00Z"
    assert products[0]["deadline"] == "2024-05-01T09:30:00Z"
    assert products[1]["createdAt"] == "2024-05-01T09:30:00.000005Z"
    assert products[1]["deadline"] == "2030-01-02T02:04:05Z"  # the order's
    assert [part["createdAt"] for part in products[0]["parts"]] == [
        "2024-05-01T09:30:00.120000Z",
        "2024-05-01T09:30:00.120000Z",
    ]
    assert [product["id"] for product in products] == [
        product["id"] for product in created["products"]
    ]
    assert products[0]["parts"][0]["productId"] == products[0]["id"] == str(first.pk)
    assert products[0]["orderId"] == listed["id"] == created["id"]
    assert key_client.get(f"/orders/{created['id']}").json() == listed


# -- tenancy ---------------------------------------------------------------------------------------


@pytest.fixture
def neighbours(other_space_client, stranger_client, stranger_user_client):
    return {
        "key of another space": other_space_client,
        "key of another organization": stranger_client,
        "user of another organization": stranger_user_client,
    }


def test_nobody_outside_the_space_reaches_its_objects(key_client, neighbours):
    created = create(key_client)
    product = created["products"][0]
    part = product["parts"][0]
    before = counts()

    for who, client in neighbours.items():
        for path in (
            f"/orders/{created['id']}",
            f"/orders/{created['id']}/tasks",
            f"/products/{product['id']}",
            f"/parts/{part['id']}",
        ):
            response = client.get(path)
            assert response.status_code == 404, (who, path)
            assert response.json()["detail"][0]["type"] == "not_found"
        assert client.get("/orders").json() == {"items": [], "nextCursor": None}, who
        assert client.get("/products").json() == {"items": [], "nextCursor": None}, who
        assert client.get("/parts").json() == {"items": [], "nextCursor": None}, who
        assert client.get("/orders?search=ring").json()["items"] == [], who
    for who in ("key of another space", "key of another organization"):
        client = neighbours[who]
        response = client.patch(f"/orders/{created['id']}", {"tags": ["stolen"]})
        assert response.status_code == 404, who
        response = client.post(f"/orders/{created['id']}/flow", {"flowKey": "make-it"})
        assert response.status_code == 404, who
    assert counts() == before
    assert Order.objects.get().tags == ["gold"]


def test_a_user_sees_every_space_of_the_organization(key_client, other_space_client, member_client):
    in_rings = create(key_client, "Ring order")
    in_lamps = create(other_space_client, "Lamp order")

    names = [order["name"] for order in member_client.get("/orders").json()["items"]]

    assert names == ["Lamp order", "Ring order"]
    assert member_client.get(f"/orders/{in_rings['id']}").status_code == 200
    assert member_client.get(f"/orders/{in_lamps['id']}").status_code == 200
    assert [o["name"] for o in key_client.get("/orders").json()["items"]] == ["Ring order"]


# -- lists -----------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(key_client):
    """Five orders, oldest first, with different names, values, statuses, tags and deadlines."""
    made = []
    for index, (name, product) in enumerate(
        [
            ("Wedding set", "Ring"),
            ("Anniversary", "Pendant"),
            ("Shop 2024-017", "Ring"),
            ("Gift box", "Bracelet"),
            ("Repair job", "Chain"),
        ]
    ):
        body = order_body(name, tags=["rush"] if index % 2 else [])
        body["products"] = [
            {
                "name": f"{product} {index}",
                "units": index + 1,
                "unitValue": "5.00",
                "parts": [{"name": f"Clasp {name}"}],
            }
        ]
        if index != 2:
            body["deadline"] = f"2030-0{5 - index}-01T00:00:00Z"
        made.append(create(key_client, **{k: v for k, v in body.items()}))
    Order.objects.filter(name="Gift box").update(status="failure")
    Order.objects.filter(name="Anniversary").update(status="in_progress")
    return made


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_default_order_is_newest_first(key_client, catalogue):
    assert names(key_client.get("/orders")) == [
        "Repair job",
        "Gift box",
        "Shop 2024-017",
        "Anniversary",
        "Wedding set",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=failure", ["Gift box"]),
        ("status=failure&status=in_progress", ["Gift box", "Anniversary"]),
        ("status=failure,in_progress", ["Gift box", "Anniversary"]),
        ("tag=rush", ["Gift box", "Anniversary"]),
        ("search=ring", ["Shop 2024-017", "Wedding set"]),
        ("search=RIN", ["Shop 2024-017", "Wedding set"]),
        ("search=clasp gift", ["Gift box"]),
        ("search=2024-017", ["Shop 2024-017"]),
        ("search=pendant&status=in_progress", ["Anniversary"]),
        ("search=pendant&status=created", []),
        ("search=zeppelin", []),
        ("search=ring&ordering=createdAt", ["Wedding set", "Shop 2024-017"]),
        ("search=ring&ordering=name", ["Shop 2024-017", "Wedding set"]),
        (
            "ordering=name",
            ["Anniversary", "Gift box", "Repair job", "Shop 2024-017", "Wedding set"],
        ),
        (
            "ordering=-value",
            ["Repair job", "Gift box", "Shop 2024-017", "Anniversary", "Wedding set"],
        ),
        (
            "ordering=status",
            ["Wedding set", "Shop 2024-017", "Repair job", "Gift box", "Anniversary"],
        ),
        (
            "ordering=deadline",
            ["Repair job", "Gift box", "Anniversary", "Wedding set", "Shop 2024-017"],
        ),
        (
            "ordering=-deadline",
            ["Wedding set", "Anniversary", "Gift box", "Repair job", "Shop 2024-017"],
        ),
    ],
)
def test_list_filters_and_orderings(key_client, catalogue, query, expected):
    assert names(key_client.get(f"/orders?{query}")) == expected


def test_search_finds_an_order_by_its_id(key_client, catalogue):
    wanted = catalogue[3]

    assert names(key_client.get(f"/orders?search={wanted['id']}")) == ["Gift box"]
    assert names(key_client.get(f"/orders?search={wanted['id'][-12:]}")) == ["Gift box"]


def test_created_after_and_before(key_client, catalogue):
    times = {order.name: order.created_at for order in Order.objects.all()}
    after = times["Shop 2024-017"].isoformat()
    before = times["Gift box"].isoformat()

    response = key_client.get("/orders", data={"createdAfter": after, "createdBefore": before})

    assert names(response) == ["Shop 2024-017"]


@pytest.mark.parametrize(
    "ordering", ["-createdAt", "createdAt", "name", "-value", "deadline", "-deadline"]
)
def test_cursor_pages_cover_every_order_once_while_orders_arrive(key_client, catalogue, ordering):
    seen = []
    response = key_client.get("/orders", data={"limit": 2, "ordering": ordering})
    first_page = names(response)
    seen += first_page
    create(key_client, "Arrived meanwhile")  # newer than every order already listed
    cursor = response.json()["nextCursor"]
    while cursor:
        response = key_client.get(
            "/orders", data={"limit": 2, "ordering": ordering, "cursor": cursor}
        )
        seen += names(response)
        cursor = response.json()["nextCursor"]

    everything = names(key_client.get("/orders", data={"limit": 500, "ordering": ordering}))
    assert seen == [name for name in everything if name in seen]
    assert sorted(set(seen) - {"Arrived meanwhile"}) == sorted(order["name"] for order in catalogue)
    assert len(seen) == len(set(seen))


def test_cursor_pages_of_a_search(key_client, catalogue):
    first = key_client.get("/orders", data={"search": "ring", "limit": 1})
    assert names(first) == ["Shop 2024-017"]
    second = key_client.get(
        "/orders", data={"search": "ring", "limit": 1, "cursor": first.json()["nextCursor"]}
    )
    assert names(second) == ["Wedding set"]
    assert second.json()["nextCursor"] is None


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ({"cursor": "not-a-cursor"}, ["query", "cursor"]),
        ({"cursor": "WyJ4Il0"}, ["query", "cursor"]),  # ["x"]: wrong shape
        ({"ordering": "colour"}, ["query", "ordering"]),
        ({"status": "lost"}, ["query", "status"]),
        ({"createdAfter": "yesterday"}, ["query", "createdAfter"]),
        ({"limit": 501}, ["query", "limit"]),
        ({"limit": 0}, ["query", "limit"]),
    ],
)
def test_bad_list_parameters_are_a_422(key_client, catalogue, query, loc):
    response = key_client.get("/orders", data=query)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_product_and_part_lists(key_client, catalogue):
    assert names(key_client.get("/products?ordering=name")) == [
        "Bracelet 3",
        "Chain 4",
        "Pendant 1",
        "Ring 0",
        "Ring 2",
    ]
    assert names(key_client.get("/products?search=ring")) == ["Ring 2", "Ring 0"]
    assert names(key_client.get("/products?ordering=-units&limit=2")) == ["Chain 4", "Bracelet 3"]
    assert names(key_client.get("/parts?search=clasp gift")) == ["Clasp Gift box"]
    parts = key_client.get("/parts", data={"ordering": "name", "limit": 3})
    assert names(parts) == ["Clasp Anniversary", "Clasp Gift box", "Clasp Repair job"]
    rest = key_client.get("/parts", data={"ordering": "name", "cursor": parts.json()["nextCursor"]})
    assert names(rest) == ["Clasp Shop 2024-017", "Clasp Wedding set"]


def test_the_order_value_is_a_decimal_string(key_client):
    body = create(key_client, value="0.10")

    assert body["value"] == "0.10"
    assert Order.objects.get().value == Decimal("0.10")


def test_lists_answer_items_and_a_cursor(key_client):
    assert key_client.get("/orders").json() == {"items": [], "nextCursor": None}


def test_key_header_works_with_a_plain_client(secret_key, db):
    client = Client(headers=bearer(secret_key.secret))

    response = client.get("/api/v1/orders")

    assert response.status_code == 200
    assert json.loads(response.content) == {"items": [], "nextCursor": None}


@pytest.mark.parametrize("microsecond", [0, 999_499, 999_500, 999_999])
def test_a_time_in_the_last_half_millisecond_of_a_second_reads_as_stored(key_client, microsecond):
    # SQLite's datetime() rounds to milliseconds: a check built on it once read these as invalid.
    order = key_client.post("/orders", order_body()).json()
    stored = datetime(2026, 12, 3, 21, 46, 59, microsecond, tzinfo=UTC)
    Order.objects.filter(pk=order["id"]).update(created_at=stored)
    Product.objects.filter(order_id=order["id"]).update(created_at=stored)
    fraction = f".{microsecond:06d}" if microsecond else ""
    expected = f"2026-12-03T21:46:59{fraction}Z"
    read = key_client.get(f"/orders/{order['id']}").json()
    assert read["createdAt"] == expected
    assert {product["createdAt"] for product in read["products"]} == {expected}
    listed = key_client.get("/orders").json()["items"]
    assert [item["createdAt"] for item in listed] == [expected]
