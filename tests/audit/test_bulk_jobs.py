"""A bulk job's changes are in the audit trail: one record per order it changes, under the user
who started it, written with the job's own record of that order."""

from fabflow.audit.models import Action, ActorKind, AuditRecord
from fabflow.bulk import services as bulk_services
from fabflow.bulk.models import BulkJobItem
from fabflow.orders.services import create_order
from tests.conftest import ring_products


def test_each_order_a_bulk_job_changes_is_recorded_once(admin_actor, space):
    orders = [
        create_order(actor=admin_actor, space=space, name=f"B-{n}", products=ring_products(1, 1))
        for n in range(3)
    ]
    job = bulk_services.create_job(
        actor=admin_actor,
        action="add_tag",
        arguments={"tag": "rush"},
        order_ids=[str(created.order.pk) for created in orders],
    )
    AuditRecord.objects.all().delete()  # the orders' creation
    actor = bulk_services.job_actor(job)
    items = list(BulkJobItem.objects.filter(job=job).order_by("position"))
    for item in items:
        assert bulk_services.act_on_item(job=job, actor=actor, item_id=item.pk)
    assert not bulk_services.act_on_item(job=job, actor=actor, item_id=items[0].pk)

    records = AuditRecord.objects.order_by("at", "id")
    assert [(r.actor_kind, r.actor_id, r.action, r.object_label, r.changes) for r in records] == [
        (
            ActorKind.USER,
            admin_actor.user.pk,
            Action.ORDER_CHANGED,
            f"B-{n}",
            {"tags": {"before": [], "after": ["rush"]}},
        )
        for n in range(3)
    ]
