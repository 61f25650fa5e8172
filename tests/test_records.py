"""Reads and updates through prepared statements give what the ORM gives."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from fabflow import records
from fabflow.orders.models import Order, Part, Product
from fabflow.orders.services import create_order
from tests.conftest import ring_products


def fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_fetch_returns_the_instances_the_orm_returns(admin_actor, space):
    order = create_order(
        actor=admin_actor,
        space=space,
        name="REC-1",
        products=ring_products(3, 2),
        deadline=timezone.now() + timedelta(days=3),
        tags=["rush"],
        data={"shop": {"id": 7}},
    ).order

    [fetched] = records.fetch(Order, id=order.pk)

    assert fields(fetched) == fields(Order.objects.get(pk=order.pk))
    assert fetched.value == Decimal("63.00")
    assert fetched._state.adding is False
    products = records.fetch(Product, order_id=order.pk, order_by=("-position",))
    assert [fields(p) for p in products] == [
        fields(p) for p in Product.objects.filter(order=order).order_by("-position")
    ]
    parts = records.fetch(Part, order_id=order.pk, name=["Band 1.2", "Band 3.1", "Band 9.9"])
    assert sorted(p.name for p in parts) == ["Band 1.2", "Band 3.1"]
    assert records.fetch(Part, order_id=order.pk, name=[]) == []
    assert len(records.fetch(Part, order_id=order.pk, limit=4)) == 4


def test_fetch_one_exists_and_update_fields(admin_actor, space):
    order = create_order(
        actor=admin_actor, space=space, name="REC-2", products=ring_products()
    ).order

    assert records.fetch_one(Order, id=order.pk, for_update=True).name == "REC-2"
    assert records.fetch_one(Order, name="REC-missing") is None
    assert records.exists(Product, order_id=order.pk, units=2) is True
    assert records.exists(Product, order_id=order.pk, units=[7, 8]) is False
    assert records.exists(Product, order_id=order.pk, units=[]) is False

    order.tags = ["late", "gold"]
    order.data = {"note": "ß"}
    order.name = "changed in memory only"
    records.update_fields(order, "tags", "data")

    stored = Order.objects.get(pk=order.pk)
    assert (stored.tags, stored.data, stored.name) == (["late", "gold"], {"note": "ß"}, "REC-2")
