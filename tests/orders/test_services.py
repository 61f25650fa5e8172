"""create_order, update_order and their refusals."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError

from fabflow.accounts.actors import Actor
from fabflow.errors import Conflict, InvalidInput, NotFound
from fabflow.orders.models import Order, OrderEvent, OrderEventType, Part, Product
from fabflow.orders.services import (
    PartInput,
    ProductInput,
    create_order,
    get_order,
    resolve_space,
    update_order,
)
from tests.conftest import ring_products


def counts() -> tuple[int, int, int, int]:
    return (
        Order.objects.count(),
        Product.objects.count(),
        Part.objects.count(),
        OrderEvent.objects.count(),
    )


def test_create_order_writes_order_products_parts_and_one_event(key_actor, space):
    result = create_order(actor=key_actor, space=space, name="WEB-1001", products=ring_products())

    assert result.is_new is True
    order = result.order
    assert order.status == "created"
    # 1 × 10.50 + 2 × 10.50 + 3 × 10.50
    assert order.value == Decimal("63.00")
    assert order.organization_id == space.organization_id
    assert [p.name for p in order.products.order_by("position")] == ["Ring 1", "Ring 2", "Ring 3"]
    assert order.parts.count() == 6
    assert list(order.products.get(name="Ring 2").parts.values_list("name", flat=True)) == [
        "Band 2.1",
        "Band 2.2",
    ]
    event = order.events.get()
    assert event.type == OrderEventType.CREATED
    assert event.actor_key_id == key_actor.key.pk
    assert event.actor_label == "Secret key Webshop"
    assert event.details == {"products": 3, "parts": 6, "value": "63.00"}


def test_explicit_value_wins_over_the_sum(key_actor, space):
    order = create_order(
        actor=key_actor, space=space, name="WEB-1", products=ring_products(), value=Decimal("50")
    ).order
    assert order.value == Decimal("50")


def test_identical_recreate_returns_the_existing_order(key_actor, space):
    first = create_order(actor=key_actor, space=space, name="WEB-7", products=ring_products())
    before = counts()
    again = create_order(actor=key_actor, space=space, name="WEB-7", products=ring_products())

    assert again.is_new is False
    assert again.order.pk == first.order.pk
    assert counts() == before


def test_recreate_with_different_content_is_a_conflict_and_changes_nothing(key_actor, space):
    create_order(actor=key_actor, space=space, name="WEB-7", products=ring_products())
    before = counts()
    with pytest.raises(Conflict) as error:
        create_order(actor=key_actor, space=space, name="WEB-7", products=ring_products(count=2))
    assert error.value.field == ("name",)
    assert "already exists" in error.value.message
    assert counts() == before


def test_the_same_name_may_exist_in_another_space(admin_actor, space, other_space):
    create_order(actor=admin_actor, space=space, name="WEB-1", products=ring_products())
    second = create_order(
        actor=admin_actor, space=other_space, name="WEB-1", products=ring_products()
    )
    assert second.is_new is True
    assert Order.objects.filter(name="WEB-1").count() == 2


@pytest.mark.parametrize(
    ("products", "name", "value", "loc"),
    [
        ([], "WEB-1", None, ("products",)),
        (ring_products(), "  ", None, ("name",)),
        (ring_products(), "x" * 201, None, ("name",)),
        (ring_products(), "WEB-1", Decimal("-1"), ("value",)),
        (
            [ProductInput(name="Ring", units=0, unit_value=Decimal("1"))],
            "WEB-1",
            None,
            ("products", 0, "units"),
        ),
        (
            [ProductInput(name="Ring", units=1, unit_value=Decimal("-0.01"))],
            "WEB-1",
            None,
            ("products", 0, "unit_value"),
        ),
        (
            [*ring_products(1), ProductInput(name="", units=1, unit_value=Decimal("1"))],
            "WEB-1",
            None,
            ("products", 1, "name"),
        ),
        (
            [ProductInput(name="Ring", units=1, unit_value=Decimal(1), parts=[PartInput(name="")])],
            "WEB-1",
            None,
            ("products", 0, "parts", 0, "name"),
        ),
    ],
)
def test_invalid_orders_are_refused_with_the_field_and_write_nothing(
    key_actor, space, products, name, value, loc
):
    with pytest.raises(InvalidInput) as error:
        create_order(actor=key_actor, space=space, name=name, products=products, value=value)
    assert error.value.field == loc
    assert counts() == (0, 0, 0, 0)


def test_update_order_changes_fields_and_records_what_changed(key_actor, space):
    order = create_order(actor=key_actor, space=space, name="WEB-1", products=ring_products()).order
    deadline = datetime(2027, 1, 31, 12, 0, tzinfo=UTC)

    updated = update_order(
        actor=key_actor, order_id=order.pk, deadline=deadline, tags=[" rush ", "rush", "gift"]
    )

    assert updated.deadline == deadline
    assert updated.tags == ["rush", "gift"]
    event = order.events.get(type=OrderEventType.UPDATED)
    assert event.details == {
        "changes": {"deadline": [None, "2027-01-31T12:00:00+00:00"], "tags": [[], ["rush", "gift"]]}
    }


def test_update_order_without_changes_writes_no_event(key_actor, space):
    order = create_order(actor=key_actor, space=space, name="WEB-1", products=ring_products()).order
    update_order(actor=key_actor, order_id=order.pk, tags=[])
    assert order.events.count() == 1


def test_a_key_cannot_reach_orders_of_another_space(admin_actor, key_actor, other_space):
    order = create_order(
        actor=admin_actor, space=other_space, name="LAMP-1", products=ring_products()
    ).order
    with pytest.raises(NotFound):
        get_order(actor=key_actor, order_id=order.pk)
    with pytest.raises(NotFound):
        update_order(actor=key_actor, order_id=order.pk, tags=["x"])
    assert Order.objects.get(pk=order.pk).tags == []


def test_another_organization_sees_none_of_our_orders(key_actor, space, stranger):
    order = create_order(actor=key_actor, space=space, name="WEB-1", products=ring_products()).order
    outsider = Actor.for_user(stranger)
    with pytest.raises(NotFound):
        get_order(actor=outsider, order_id=order.pk)
    assert outsider.restrict(Order.objects.all()).count() == 0
    assert outsider.restrict(Product.objects.all()).count() == 0
    assert outsider.restrict(Part.objects.all()).count() == 0


def test_resolve_space_for_keys_and_users(key_actor, admin_actor, space, other_space):
    assert resolve_space(actor=key_actor, space_key=None) == space
    assert resolve_space(actor=admin_actor, space_key="lamps") == other_space
    with pytest.raises(InvalidInput) as error:
        resolve_space(actor=admin_actor, space_key=None)
    assert error.value.field == ("space_key",)
    with pytest.raises(NotFound):
        resolve_space(actor=key_actor, space_key="lamps")


def test_database_refuses_zero_units(key_actor, space):
    order = create_order(actor=key_actor, space=space, name="WEB-1", products=ring_products()).order
    with pytest.raises(IntegrityError):
        Product.objects.create(
            organization_id=order.organization_id,
            space_id=order.space_id,
            order=order,
            name="Bad",
            units=0,
            unit_value=Decimal("1"),
        )


def test_database_refuses_a_duplicate_order_name_in_a_space(key_actor, space):
    order = create_order(actor=key_actor, space=space, name="WEB-1", products=ring_products()).order
    with pytest.raises(IntegrityError):
        Order.objects.create(
            organization_id=order.organization_id,
            space_id=order.space_id,
            name="WEB-1",
            value=Decimal("1"),
            request_digest="x",
        )
