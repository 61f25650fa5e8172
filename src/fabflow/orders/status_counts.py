"""The orders per status of each product space, kept as counters beside the orders.

Every write of an order's status calls `count_new_order` or `count_status_change` in its own
transaction, so the counters commit or roll back with the change they count. A change adds to
its counters with one upsert (`count = count + delta`): concurrent changes add, never overwrite,
and a change locks its counter rows in status order, so two changes never wait for each other
in a cycle. `recount` rebuilds the counters from the orders (after rows were written around the
services: the demo data, a benchmark dataset, a restore).
"""

from django.db import connection, transaction
from django.db.models import Count, Sum

from fabflow.accounts.actors import Actor
from fabflow.ids import uuid7
from fabflow.orders.models import Order, OrderStatus, OrderStatusCount

_UPSERT = (
    "INSERT INTO {table} (id, organization_id, space_id, status, shard, count) VALUES {rows} "
    "ON CONFLICT (space_id, status, shard) DO UPDATE SET count = {table}.count + excluded.count"
)


def count_new_order(order: Order) -> None:
    """Count a newly written order under its status."""
    _add(order, {order.status: 1})


def count_status_change(order: Order, *, previous: str, status: str) -> None:
    """Move an order's count from its previous status to its new one."""
    if previous != status:
        _add(order, {previous: -1, status: 1})


def status_counts(*, actor: Actor) -> dict[str, int]:
    """The number of orders per status that the actor may see (every status, zeros included)."""
    rows = (
        actor.restrict(OrderStatusCount.objects.all())
        .values("status")
        .annotate(total=Sum("count"))
        .values_list("status", "total")
    )
    counts = dict.fromkeys(OrderStatus.values, 0)
    counts.update({status: int(total) for status, total in rows if status in counts})
    return counts


def recount() -> None:
    """Rebuild every counter from the orders, in one transaction."""
    totals = (
        Order.objects.order_by()
        .values("organization_id", "space_id", "status")
        .annotate(total=Count("id"))
    )
    with transaction.atomic():
        OrderStatusCount.objects.all().delete()
        OrderStatusCount.objects.bulk_create(
            OrderStatusCount(
                organization_id=row["organization_id"],
                space_id=row["space_id"],
                status=row["status"],
                shard=0,
                count=row["total"],
            )
            for row in totals
        )


def _add(order: Order, deltas: dict[str, int]) -> None:
    """Add `deltas` (status -> change) to the counters of the order's shard, in status order."""
    field = OrderStatusCount._meta.get_field
    shard = order.pk.int % OrderStatusCount.SHARDS
    params: list = []
    for status in sorted(deltas):
        params += [
            field("id").get_db_prep_value(uuid7(), connection),
            field("organization").get_db_prep_value(order.organization_id, connection),
            field("space").get_db_prep_value(order.space_id, connection),
            status,
            shard,
            deltas[status],
        ]
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(deltas))
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(table=OrderStatusCount._meta.db_table, rows=rows), params)
