"""The bulk actions API for keys: starting a job over ids or a filter, its counts and its
cursor-paginated outcomes; refusals name the field and write nothing."""

import pytest
from django.test import Client

from fabflow.bulk import runner
from fabflow.bulk.models import BulkJob, BulkJobItem
from fabflow.orders.models import Order
from tests.api.conftest import ApiClient, bearer
from tests.bulk.test_services import enqueued, failed_push_orders, make_orders  # noqa: F401


@pytest.fixture
def key_client(secret_key):
    return ApiClient(Client(), bearer(secret_key.secret))


@pytest.mark.django_db(transaction=True)
def test_a_key_tags_orders_by_id_and_reads_counts_and_outcomes_page_by_page(
    key_client,
    admin_actor,
    space,
    enqueued,  # noqa: F811
):
    orders = make_orders(admin_actor, space, 3)
    orders[2].tags = ["rush"]
    orders[2].save()
    answer = key_client.post(
        "/bulk-jobs",
        {
            "action": "add_tag",
            "arguments": {"tag": "rush"},
            "orderIds": [str(o.pk) for o in orders],
        },
    )
    assert answer.status_code == 201, answer.content
    job = answer.json()
    assert (job["status"], job["orderCount"], job["createdBy"]) == (
        "queued",
        3,
        "Secret key Webshop",
    )
    assert job["counts"] == {"pending": 3, "working": 0, "done": 0, "refused": 0, "failed": 0}
    assert job["doneMeans"] == "the order carries the tag"
    runner.run_job(job["id"])
    read = key_client.get(f"/bulk-jobs/{job['id']}").json()
    assert read["status"] == "finished"
    assert read["counts"] == {"pending": 0, "working": 0, "done": 2, "refused": 1, "failed": 0}
    first = key_client.get(f"/bulk-jobs/{job['id']}/items?limit=2").json()
    assert [(i["orderId"], i["outcome"]) for i in first["items"]] == [
        (str(orders[0].pk), "done"),
        (str(orders[1].pk), "done"),
    ]
    second = key_client.get(f"/bulk-jobs/{job['id']}/items?limit=2&cursor={first['nextCursor']}")
    assert second.json() == {
        "items": [
            {
                "orderId": str(orders[2].pk),
                "outcome": "refused",
                "reason": "The order already carries the tag 'rush'",
                "finishedAt": second.json()["items"][0]["finishedAt"],
            }
        ],
        "nextCursor": None,
    }
    refused = key_client.get(f"/bulk-jobs/{job['id']}/items?outcome=refused").json()
    assert [i["orderId"] for i in refused["items"]] == [str(orders[2].pk)]


@pytest.mark.django_db(transaction=True)
def test_a_retry_over_a_filter_and_the_confirmation_count(
    key_client,
    admin_actor,
    space,
    settings,
    enqueued,  # noqa: F811
):
    settings.FABFLOW_BULK_CONFIRM_OVER = 1
    failed_push_orders(admin_actor, space, 2)
    make_orders(admin_actor, space, 1)
    body = {"action": "retry", "filter": {"status": "failure"}}
    asked = key_client.post("/bulk-jobs", body)
    assert asked.status_code == 409
    assert asked.json()["detail"] == [
        {
            "loc": ["body", "confirmCount"],
            "msg": "This bulk action covers 2 orders; send confirmCount: 2 to start it",
            "type": "conflict",
        }
    ]
    assert BulkJob.objects.count() == 0
    started = key_client.post("/bulk-jobs", {**body, "confirmCount": 2})
    assert started.status_code == 201
    assert started.json()["orderCount"] == 2
    assert BulkJobItem.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_refusals_name_the_field_and_write_nothing(
    key_client,
    admin_actor,
    space,
    stranger,
    stranger_space,
    enqueued,  # noqa: F811
):
    from fabflow.accounts.actors import Actor

    [order] = make_orders(admin_actor, space, 1)
    [theirs] = make_orders(Actor.for_user(stranger), stranger_space, 1, prefix="S")
    for body, status, loc in [
        ({"action": "explode", "orderIds": [str(order.pk)]}, 422, ["body", "action"]),
        (
            {"action": "reject", "arguments": {"reason": ""}, "orderIds": [str(order.pk)]},
            422,
            ["body", "arguments", "reason"],
        ),
        (
            {"action": "add_tag", "arguments": {"tag": "x"}, "orderIds": [str(theirs.pk)]},
            422,
            ["body", "orderIds"],
        ),
        (
            {"action": "retry", "filter": {"status": "nope"}},
            422,
            ["body", "filter", "status"],
        ),
        ({"action": "retry"}, 422, ["body", "orderIds"]),
    ]:
        answer = key_client.post("/bulk-jobs", body)
        assert answer.status_code == status, body
        assert answer.json()["detail"][0]["loc"] == loc, answer.json()
    assert BulkJob.objects.count() == 0
    assert Order.objects.get(pk=order.pk).tags == []
    assert enqueued["jobs"] == []


@pytest.mark.django_db(transaction=True)
def test_a_key_of_another_organization_does_not_find_the_job(
    key_client,
    admin_actor,
    space,
    stranger,
    stranger_space,
    enqueued,  # noqa: F811
):
    from fabflow.accounts import services as account_services
    from fabflow.accounts.actors import Actor

    [order] = make_orders(admin_actor, space, 1)
    job = key_client.post(
        "/bulk-jobs", {"action": "add_tag", "arguments": {"tag": "x"}, "orderIds": [str(order.pk)]}
    ).json()
    other = account_services.create_secret_key(
        actor=Actor.for_user(stranger), space=stranger_space, name="Other"
    )
    client = ApiClient(Client(), bearer(other.secret))
    assert client.get(f"/bulk-jobs/{job['id']}").status_code == 404
    assert client.get(f"/bulk-jobs/{job['id']}/items").status_code == 404
