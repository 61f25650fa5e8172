"""The order FilterSet with keyset pages: orderings over every value a column holds, the text
search walked through its index in both directions, and the tag filters."""

from decimal import Decimal

import pytest

from fabflow.api.pagination import paginate
from fabflow.orders.filters import OrderFilterSet
from fabflow.orders.models import Order
from fabflow.orders.services import ProductInput, create_order


def make_orders(actor, space, *specs) -> None:
    """Orders in creation order, each spec a (name, value, tags) tuple."""
    for name, value, tags in specs:
        created = create_order(
            actor=actor,
            space=space,
            name=name,
            tags=tags,
            products=[ProductInput(name=f"{name} item", units=1, unit_value=Decimal("1.00"))],
        )
        # Up to the largest amount the column holds: the ordering still lists it.
        Order.objects.filter(pk=created.order.pk).update(value=value)


def paged_names(actor, params: dict, *, limit: int = 2) -> list[str]:
    """The names of every page of the order list, following each cursor to the end."""
    filterset = OrderFilterSet(params, queryset=actor.restrict(Order.objects.all()))
    assert filterset.is_valid(), filterset.errors
    names, cursor = [], None
    while True:
        texts, cursor = paginate(
            filterset.qs,
            keys=filterset.sort_keys,
            limit=limit,
            cursor=cursor,
            documents=lambda ids: [
                Order.objects.values_list("name", flat=True).get(pk=pk) for pk in ids
            ],
        )
        names += texts
        if cursor is None:
            return names


@pytest.fixture
def catalogue(key_actor, space):
    make_orders(
        key_actor,
        space,
        ("Gold ring", Decimal("3.00"), ["gold"]),
        ("0 ring", Decimal("0.00"), []),
        ("Silver ring", Decimal("999999999999.99"), ["silver"]),
        ("!ring box", Decimal("0.01"), ["gold", "silver"]),
        ("Gold chain", Decimal("12.50"), ["gold"]),
    )


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("value", ["0 ring", "!ring box", "Gold ring", "Gold chain", "Silver ring"]),
        ("-value", ["Silver ring", "Gold chain", "Gold ring", "!ring box", "0 ring"]),
        ("name", ["!ring box", "0 ring", "Gold chain", "Gold ring", "Silver ring"]),
        ("-name", ["Silver ring", "Gold ring", "Gold chain", "0 ring", "!ring box"]),
    ],
)
def test_numeric_and_text_orderings_page_through_every_value(
    key_actor, catalogue, ordering, expected
):
    assert paged_names(key_actor, {"ordering": ordering}) == expected


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("-createdAt", ["!ring box", "Silver ring", "0 ring", "Gold ring"]),
        ("createdAt", ["Gold ring", "0 ring", "Silver ring", "!ring box"]),
    ],
)
@pytest.mark.parametrize("limit", [1, 3])
def test_search_pages_walk_the_index_in_both_directions(
    key_actor, catalogue, ordering, expected, limit
):
    params = {"search": "ring", "ordering": ordering}
    assert paged_names(key_actor, params, limit=limit) == expected


def test_search_with_another_ordering_and_a_tag(key_actor, catalogue):
    params = {"search": "gold", "tag": "gold", "ordering": "-value"}
    assert paged_names(key_actor, params, limit=1) == ["Gold chain", "Gold ring"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "silver"}, ["!ring box", "Silver ring"]),
        ({"tag": " gold "}, ["Gold chain", "!ring box", "Gold ring"]),
        ({"anyTag": "silver,bronze"}, ["!ring box", "Silver ring"]),
        ({"anyTag": "gold,silver"}, ["Gold chain", "!ring box", "Silver ring", "Gold ring"]),
        ({"anyTag": "bronze"}, []),
        ({"tag": "gol"}, []),
    ],
)
def test_tag_filters_match_whole_tags(key_actor, catalogue, params, expected):
    assert paged_names(key_actor, params) == expected
