"""Every bound of limits.py's orders section: at the limit a request is accepted, one over it is
refused with the exact status, location and message, and a refusal changes nothing (rows,
events, stored files). The findings of the security review are reproduced as they were sent."""

import io
import json
from decimal import Decimal

import pytest
from django.test.client import MULTIPART_CONTENT

from fabflow import limits
from fabflow.api import pagination
from fabflow.files import services as file_services
from fabflow.orders.models import Asset, Order, OrderEvent, Part, Product
from tests.api.conftest import key_client, media_root, order_body  # noqa: F401 (fixtures)


def snapshot(root) -> tuple:
    files = sorted(str(path) for path in root.rglob("*") if path.is_file())
    return (
        Order.objects.count(),
        Product.objects.count(),
        Part.objects.count(),
        Asset.objects.count(),
        OrderEvent.objects.count(),
        files,
    )


@pytest.fixture
def unchanged(media_root):  # noqa: F811 (the fixture imported above)
    """Assert, after a refusal, that nothing was written since the fixture was set up."""
    before = snapshot(media_root)
    return lambda: snapshot(media_root) == before


def refusal(response, status: int, loc: list, msg: str, type: str = "invalid_input") -> bool:
    assert response.status_code == status, response.content
    assert response.json() == {"detail": [{"loc": loc, "msg": msg, "type": type}]}
    return True


def product(**fields) -> dict:
    return {"name": "Ring", "units": 1, "unitValue": "10.00", **fields}


def nested(levels: int) -> dict:
    """A JSON object `levels` deep: {"a": {"a": … {}}}."""
    document: dict = {}
    for _ in range(levels - 1):
        document = {"a": document}
    return document


# -- money -----------------------------------------------------------------------------------


def test_amounts_at_the_limit_are_stored_and_read_back(key_client):  # noqa: F811
    body = order_body("Dearest", products=[product(unitValue="9999999999.99")])

    response = key_client.post("/orders", body)

    assert response.status_code == 201
    assert response.json()["value"] == "9999999999.99"
    assert Order.objects.get().value == Decimal("9999999999.99")
    read = key_client.get(f"/orders/{response.json()['id']}")
    assert read.status_code == 200
    assert read.json()["products"][0]["unitValue"] == "9999999999.99"
    assert key_client.get("/orders?ordering=-value").status_code == 200


def test_the_review_order_of_ten_times_a_huge_unit_value_is_refused(key_client, unchanged):  # noqa: F811
    body = order_body(products=[product(units=10, unitValue="999999999999.99")])

    response = key_client.post("/orders", body)

    assert refusal(
        response,
        422,
        ["body", "products", 0, "unitValue"],
        "Input should be less than or equal to 9999999999.99",
        "less_than_equal",
    )
    assert unchanged()


def test_a_value_over_the_limit_is_refused(key_client, unchanged):  # noqa: F811
    response = key_client.post("/orders", order_body(value="10000000000.00"))

    assert refusal(
        response,
        422,
        ["body", "value"],
        "Input should be less than or equal to 9999999999.99",
        "less_than_equal",
    )
    assert unchanged()


@pytest.mark.parametrize(
    "products",
    [
        [product(units=10, unitValue="1000000000.00")],
        [product(unitValue="9999999999.99"), product(unitValue="0.01")],
    ],
)
def test_a_sum_of_units_times_unit_value_over_the_limit_is_refused(
    key_client,  # noqa: F811
    unchanged,
    products,
):
    response = key_client.post("/orders", order_body(products=products))

    total = sum(Decimal(item["unitValue"]) * item["units"] for item in products)
    assert refusal(
        response,
        422,
        ["body", "value"],
        f"The order's value, the sum of units × unitValue ({total}), is more than 9999999999.99",
    )
    assert unchanged()


def test_units_at_and_over_the_limit(key_client, unchanged):  # noqa: F811
    over = key_client.post(
        "/orders", order_body(products=[product(units=limits.MAX_UNITS + 1, unitValue="0")])
    )
    assert refusal(
        over,
        422,
        ["body", "products", 0, "units"],
        "Input should be less than or equal to 1000000000",
        "less_than_equal",
    )
    assert unchanged()

    at = key_client.post(
        "/orders", order_body(products=[product(units=limits.MAX_UNITS, unitValue="0")])
    )
    assert at.status_code == 201
    assert at.json()["products"][0]["units"] == 1_000_000_000


# -- names and tags --------------------------------------------------------------------------


def test_names_at_and_over_the_limit(key_client, unchanged):  # noqa: F811
    over = key_client.post("/orders", order_body("n" * 201))
    assert refusal(
        over,
        422,
        ["body", "name"],
        "String should have at most 200 characters",
        "string_too_long",
    )
    part_over = key_client.post(
        "/orders", order_body(products=[product(parts=[{"name": "p" * 201}])])
    )
    assert refusal(
        part_over,
        422,
        ["body", "products", 0, "parts", 0, "name"],
        "String should have at most 200 characters",
        "string_too_long",
    )
    assert unchanged()

    at = key_client.post("/orders", order_body("n" * 200, products=[product(name="r" * 200)]))
    assert at.status_code == 201


def test_tags_at_and_over_the_limits(key_client, unchanged):  # noqa: F811
    too_many = key_client.post("/orders", order_body(tags=[f"t{i}" for i in range(51)]))
    assert refusal(
        too_many,
        422,
        ["body", "tags"],
        "List should have at most 50 items after validation, not 51",
        "too_long",
    )
    too_long = key_client.post("/orders", order_body(tags=["t" * 51]))
    assert refusal(
        too_long,
        422,
        ["body", "tags", 0],
        "String should have at most 50 characters",
        "string_too_long",
    )
    assert unchanged()

    tags = [f"{i:02d}" + "t" * 48 for i in range(50)]
    at = key_client.post("/orders", order_body(tags=tags))
    assert at.status_code == 201
    assert at.json()["tags"] == tags


# -- JSON documents --------------------------------------------------------------------------


def test_the_review_body_nested_three_hundred_levels_is_refused(key_client, unchanged):  # noqa: F811
    response = key_client.post("/orders", order_body(data=nested(300)))

    # The body itself may nest 40 levels: its `data` 39, so the 40th `a` is the fault.
    assert refusal(
        response,
        422,
        ["body", "data", *["a"] * 39],
        "JSON must not nest deeper than 40 levels",
    )
    assert unchanged()


@pytest.mark.parametrize(
    "field, body",
    [
        ("data", lambda document: order_body(data=document)),
        ("configuration", lambda document: order_body(products=[product(configuration=document)])),
        (
            "partData",
            lambda document: order_body(
                products=[product(parts=[{"name": "P", "data": document}])]
            ),
        ),
    ],
)
def test_documents_nest_at_most_32_levels(key_client, unchanged, field, body):  # noqa: F811
    loc = {
        "data": ["body", "data"],
        "configuration": ["body", "products", 0, "configuration"],
        "partData": ["body", "products", 0, "parts", 0, "data"],
    }[field]

    over = key_client.post("/orders", body(nested(33)))

    assert refusal(over, 422, loc, "JSON must not nest deeper than 32 levels")
    assert unchanged()
    assert key_client.post("/orders", body(nested(32))).status_code == 201


def sized(size: int) -> dict:
    """A document of exactly `size` bytes as compact JSON: {"x":"xxx…"}."""
    return {"x": "x" * (size - len('{"x":""}'))}


def test_documents_take_at_most_64_kib(key_client, unchanged):  # noqa: F811
    over = key_client.post("/orders", order_body(data=sized(65537)))

    assert refusal(
        over,
        422,
        ["body", "data"],
        "This JSON document takes 65537 bytes, more than the limit of 65536",
    )
    addresses = key_client.post("/orders", order_body(addresses=[sized(40000), sized(40000)]))
    assert refusal(
        addresses,
        422,
        ["body", "addresses"],
        "This JSON document takes 80003 bytes, more than the limit of 65536",
    )
    assert unchanged()
    at = key_client.post("/orders", order_body(data=sized(65536)))
    assert at.status_code == 201
    assert len(json.dumps(at.json()["data"], separators=(",", ":"))) == 65536


def test_an_orders_product_and_part_documents_take_at_most_1_mib_together(key_client, unchanged):  # noqa: F811
    products = [product(name=f"Ring {i}", configuration=sized(65536)) for i in range(16)]
    products.append(product(name="Ring 16", data={"x": 1}))

    response = key_client.post("/orders", order_body(products=products))

    assert refusal(
        response,
        422,
        ["body", "products"],
        "The configuration and data of the order's products and parts take "
        f"{16 * 65536 + 7 + 16 * 2 + 2} bytes together, more than the limit of 1048576",
    )
    assert unchanged()


def test_a_patch_keeps_the_same_bounds_and_changes_nothing_when_refused(key_client):  # noqa: F811
    order = key_client.post("/orders", order_body()).json()
    events = OrderEvent.objects.count()

    deep = key_client.patch(f"/orders/{order['id']}", {"data": nested(33)})
    large = key_client.patch(f"/orders/{order['id']}", {"data": sized(65537)})
    tags = key_client.patch(f"/orders/{order['id']}", {"tags": ["t" * 51]})

    assert refusal(deep, 422, ["body", "data"], "JSON must not nest deeper than 32 levels")
    assert refusal(
        large,
        422,
        ["body", "data"],
        "This JSON document takes 65537 bytes, more than the limit of 65536",
    )
    assert refusal(
        tags,
        422,
        ["body", "tags", 0],
        "String should have at most 50 characters",
        "string_too_long",
    )
    stored = Order.objects.get()
    assert (stored.data, stored.tags) == ({"shopOrder": 1001}, ["gold"])
    assert OrderEvent.objects.count() == events


def test_feedback_data_keeps_the_document_bounds(client, db):
    response = client.post(
        "/api/v1/feedback/abc",
        {"status": "success", "data": sized(65537)},
        content_type="application/json",
    )

    assert refusal(
        response,
        422,
        ["body", "data"],
        "This JSON document takes 65537 bytes, more than the limit of 65536",
    )


# -- text ------------------------------------------------------------------------------------

SURROGATE = "Text must be valid Unicode: it holds a lone UTF-16 surrogate"
NUL = "Text must not contain NUL characters"


@pytest.mark.parametrize(
    "fields, escape, loc, msg",
    [
        # The review's finding: the order was stored, then its answer failed.
        ({"data": {"note": "@"}}, "\\ud800", ["body", "data", "note"], SURROGATE),
        ({"data": {"@": 1}}, "\\udfff", ["body", "data"], SURROGATE),
        ({"tags": ["ok", "@"]}, "\\ud83d", ["body", "tags", 1], SURROGATE),
        ({"name": "@"}, "\\ud800", ["body", "name"], SURROGATE),
        ({"data": {"note": "@"}}, "a\\u0000b", ["body", "data", "note"], NUL),
        ({"addresses": [{"city": "@"}]}, "\\u0000", ["body", "addresses", 0, "city"], NUL),
    ],
)
def test_text_must_be_valid_unicode_without_nul(key_client, unchanged, fields, escape, loc, msg):  # noqa: F811
    # The escape is written into the JSON text where "@" stands: json.dumps cannot write it.
    body = json.dumps(order_body(**fields)).replace('"@"', f'"{escape}"')

    response = key_client.post("/orders", body, content_type="application/json")

    assert refusal(response, 422, loc, msg)
    assert unchanged()


def test_a_surrogate_pair_is_text(key_client):  # noqa: F811
    body = json.dumps(order_body(data={"note": "😀"}))

    response = key_client.post("/orders", body, content_type="application/json")

    assert response.status_code == 201
    assert response.json()["data"] == {"note": "😀"}


def test_query_strings_refuse_nul(key_client, unchanged):  # noqa: F811
    response = key_client.get("/orders?search=a%00b")

    assert refusal(response, 422, ["query", "search"], NUL)


# -- counts ----------------------------------------------------------------------------------


def test_the_review_order_of_100_products_of_1000_parts_is_refused(key_client, unchanged):  # noqa: F811
    products = [
        product(name=f"Ring {i}", parts=[{"name": f"Part {i}.{j}"} for j in range(1000)])
        for i in range(100)
    ]
    body = json.dumps(order_body(products=products))
    assert len(body) > 1_700_000

    response = key_client.post("/orders", body, content_type="application/json")

    assert refusal(
        response,
        422,
        ["body", "products", 1, "parts"],
        "An order holds at most 1000 parts in all its products",
    )
    assert unchanged()


def test_products_and_parts_at_and_over_their_limits(key_client, unchanged):  # noqa: F811
    many_products = key_client.post(
        "/orders", order_body(products=[product(name=f"R{i}") for i in range(101)])
    )
    assert refusal(
        many_products,
        422,
        ["body", "products"],
        "List should have at most 100 items after validation, not 101",
        "too_long",
    )
    many_parts = key_client.post(
        "/orders", order_body(products=[product(parts=[{"name": "P"}] * 1001)])
    )
    assert refusal(
        many_parts,
        422,
        ["body", "products", 0, "parts"],
        "List should have at most 1000 items after validation, not 1001",
        "too_long",
    )
    many_addresses = key_client.post("/orders", order_body(addresses=[{}] * 21))
    assert refusal(
        many_addresses,
        422,
        ["body", "addresses"],
        "Value should have at most 20 items after validation, not 21",
        "too_long",
    )
    assert unchanged()

    products = [product(name=f"R{i}", parts=[{"name": "P"}] * 10) for i in range(100)]
    at = key_client.post("/orders", order_body(products=products, addresses=[{}] * 20))
    assert at.status_code == 201
    assert (Product.objects.count(), Part.objects.count()) == (100, 1000)


# -- uploads ---------------------------------------------------------------------------------


def upload(client, order_id: str, *, kind: str = "production", **extra):
    file = io.BytesIO(b"solid ring\nendsolid ring\n")
    file.name = "ring.stl"
    return client.post(
        f"/orders/{order_id}/assets",
        {"file": file, "kind": kind},
        content_type=MULTIPART_CONTENT,
        **extra,
    )


@pytest.fixture
def order(key_client):  # noqa: F811
    return key_client.post("/orders", order_body()).json()


def test_an_upload_of_an_unknown_kind_is_refused(key_client, order, unchanged):  # noqa: F811
    response = upload(key_client, order["id"], kind="drawing")

    assert refusal(
        response, 422, ["body", "kind"], "kind must be one of production, preview, other"
    )
    assert unchanged()


@pytest.mark.parametrize(
    "content_type", ["application/octet-stream", "application/json", "multipart/form-data"]
)
def test_an_upload_that_is_not_multipart_is_a_400(key_client, order, unchanged, content_type):  # noqa: F811
    response = key_client.post(
        f"/orders/{order['id']}/assets", b"solid ring", content_type=content_type
    )

    assert refusal(
        response,
        400,
        ["header", "Content-Type"],
        "Send the file as multipart/form-data (with a boundary) holding the fields 'file' "
        "and 'kind'",
        "bad_request",
    )
    assert unchanged()


def test_a_multipart_upload_without_a_length_is_a_400(key_client, order, unchanged):  # noqa: F811
    response = upload(key_client, order["id"], CONTENT_LENGTH="")

    assert refusal(
        response,
        400,
        ["header", "Content-Length"],
        "Send the multipart body with a Content-Length: a chunked body cannot be read",
        "bad_request",
    )
    assert unchanged()


def test_uploads_per_order_at_and_over_the_limit(key_client, order, monkeypatch, media_root):  # noqa: F811
    monkeypatch.setattr(file_services, "MAX_UPLOADS_PER_ORDER", 2)
    product_id = order["products"][0]["id"]
    assert upload(key_client, order["id"]).status_code == 201
    second = key_client.post(
        f"/products/{product_id}/assets",
        {"file": io.BytesIO(b"x"), "kind": "other"},
        content_type=MULTIPART_CONTENT,
    )
    assert second.status_code == 201
    before = snapshot(media_root)

    third = upload(key_client, order["id"])

    assert refusal(
        third,
        409,
        ["body", "file"],
        "The order holds 2 uploaded files, the most it may",
        "conflict",
    )
    assert snapshot(media_root) == before


# -- answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/orders", "/products", "/parts"])
def test_a_page_ends_where_its_documents_reach_the_byte_budget(key_client, monkeypatch, path):  # noqa: F811
    for index in range(5):
        key_client.post("/orders", order_body(f"Order {index}", data={"pad": "x" * 500}))
    whole = key_client.get(f"{path}?limit=500").json()
    assert whole["nextCursor"] is None
    sizes = [len(json.dumps(item, separators=(",", ":"))) for item in whole["items"]]
    # Room for two documents and a half: every page but the last holds two.
    monkeypatch.setattr(pagination, "MAX_PAGE_BYTES", sizes[0] + sizes[1] + sizes[2] // 2)

    pages, cursor = [], ""
    while cursor is not None:
        answer = key_client.get(f"{path}?limit=500" + (f"&cursor={cursor}" if cursor else ""))
        assert answer.status_code == 200
        pages.append([item["id"] for item in answer.json()["items"]])
        cursor = answer.json()["nextCursor"]

    ids = [item["id"] for item in whole["items"]]
    assert [len(page) for page in pages] == [2] * (len(ids) // 2) + [len(ids) % 2] * (len(ids) % 2)
    assert [item for page in pages for item in page] == ids


def test_a_page_holds_one_document_larger_than_the_budget(key_client, monkeypatch):  # noqa: F811
    key_client.post("/orders", order_body("First"))
    key_client.post("/orders", order_body("Second"))
    monkeypatch.setattr(pagination, "MAX_PAGE_BYTES", 10)

    first = key_client.get("/orders").json()
    second = key_client.get(f"/orders?cursor={first['nextCursor']}").json()

    assert [item["name"] for item in first["items"]] == ["Second"]
    assert [item["name"] for item in second["items"]] == ["First"]
    assert second["nextCursor"] is None


def widest(text: str) -> str:
    """`text` padded to a full name with the characters JSON writes widest (\\u0001: 6 bytes)."""
    return text + "\x01" * (limits.MAX_NAME_LENGTH - len(text))


def test_an_order_at_every_bound_answers_at_most_3_mb(key_client):  # noqa: F811
    parts_per_product = limits.MAX_PARTS_PER_ORDER // limits.MAX_PRODUCTS_PER_ORDER
    empty_documents = 2 * (limits.MAX_PRODUCTS_PER_ORDER + limits.MAX_PARTS_PER_ORDER)
    configuration = sized(
        (limits.MAX_ORDER_DOCUMENTS_BYTES - empty_documents) // limits.MAX_PRODUCTS_PER_ORDER
    )
    body = order_body(
        widest("Widest"),
        tags=[widest(f"{index:02d}")[: limits.MAX_TAG_LENGTH] for index in range(limits.MAX_TAGS)],
        data=sized(limits.MAX_JSON_DOCUMENT_BYTES),
        addresses=[sized(limits.MAX_JSON_DOCUMENT_BYTES // limits.MAX_ADDRESSES - 1)]
        * limits.MAX_ADDRESSES,
        products=[
            product(
                name=widest(f"P{index}"),
                configuration=configuration,
                parts=[{"name": widest(f"{index}.{part}")} for part in range(parts_per_product)],
            )
            for index in range(limits.MAX_PRODUCTS_PER_ORDER)
        ],
    )
    created = key_client.post("/orders", body)
    assert created.status_code == 201, created.content[:500]

    answer = key_client.get(f"/orders/{created.json()['id']}")

    print(f"worst-case order answer: {len(answer.content):,} bytes")
    assert len(answer.content) <= 3_000_000
