"""The bulk action pages: started from the Orders table over the selection or the filter, asking
first over the bound, the job page with its counts and outcomes; post/redirect/get throughout."""

import pytest

from fabflow.bulk import runner
from fabflow.bulk.models import BulkJob, BulkJobItem, BulkJobStatus
from fabflow.orders.models import Order
from tests.bulk.test_services import enqueued, make_orders  # noqa: F401

PASSWORD = "correct horse battery"


@pytest.fixture
def signed_in(client, admin):
    client.force_login(admin)
    return client


def test_the_orders_table_offers_the_actions_menu(signed_in, admin_actor, space):
    page = signed_in.get("/").content.decode()
    assert 'id="bulk-menu"' in page
    assert 'action="/bulk-actions/new/"' in page
    assert '<option value="start_flow">Start a flow</option>' in page


@pytest.mark.django_db(transaction=True)
def test_a_tag_over_the_selection_runs_and_the_job_page_shows_each_outcome(
    signed_in,
    admin_actor,
    space,
    enqueued,  # noqa: F811
):
    first, second, _third = make_orders(admin_actor, space, 3)
    answer = signed_in.post(
        "/bulk-actions/new/",
        {"action": "add_tag", "tag": "rush", "scope": "selected", "ids": f"{first.pk},{second.pk}"},
    )
    job = BulkJob.objects.get()
    assert answer.status_code == 303
    assert answer["Location"] == f"/bulk-actions/{job.pk}/"
    assert (job.status, job.order_count, job.selection) == ("queued", 2, "2 selected orders")
    assert enqueued["jobs"] == [job.pk]
    queued = signed_in.get(answer["Location"])
    assert queued.status_code == 200
    assert 'hx-trigger="every 2s"' in queued.content.decode()
    runner.run_job(job.pk)
    page = signed_in.get(answer["Location"]).content.decode()
    assert "2 of 2 orders acted on." in page
    assert 'data-outcome="done"' in page
    assert "hx-trigger" not in page
    assert page.count("Tag &#x27;rush&#x27; added") == 2
    assert [o.tags for o in Order.objects.order_by("name")] == [["rush"], ["rush"], []]
    done = signed_in.get(answer["Location"] + "?outcome=refused").content.decode()
    assert "No order has this outcome." in done


@pytest.mark.django_db(transaction=True)
def test_one_selected_order_is_named_in_the_singular(signed_in, admin_actor, space, enqueued):  # noqa: F811
    (order,) = make_orders(admin_actor, space, 1)
    answer = signed_in.post(
        "/bulk-actions/new/",
        {"action": "add_tag", "tag": "rush", "scope": "selected", "ids": str(order.pk)},
    )
    job = BulkJob.objects.get()
    assert job.selection == "1 selected order"
    page = signed_in.get(answer["Location"]).content.decode()
    assert "<h1>Add a tag on 1 order</h1>" in page
    assert "0 of 1 order acted on." in page


@pytest.mark.django_db(transaction=True)
def test_over_the_filter_past_the_bound_asks_first_naming_the_count(
    signed_in,
    admin_actor,
    space,
    settings,
    enqueued,  # noqa: F811
):
    settings.FABFLOW_BULK_CONFIRM_OVER = 2
    make_orders(admin_actor, space, 3)
    answer = signed_in.post(
        "/bulk-actions/new/?search=B-&ordering=name",
        {"action": "add_tag", "tag": "x", "scope": "filter"},
    )
    job = BulkJob.objects.get()
    assert answer.status_code == 303
    assert job.status == BulkJobStatus.AWAITING_CONFIRMATION
    assert job.selection == "All orders matching: search=B-&ordering=name"
    page = signed_in.get(answer["Location"]).content.decode()
    assert '<strong id="bulk-confirm-count">3</strong>' in page
    assert enqueued["jobs"] == []
    assert Order.objects.filter(tags=["x"]).count() == 0
    confirmed = signed_in.post(f"/bulk-actions/{job.pk}/confirm/")
    assert (confirmed.status_code, confirmed["Location"]) == (303, answer["Location"])
    assert enqueued["jobs"] == [job.pk]
    # Confirming again (a reload of the POST) starts nothing more.
    signed_in.post(f"/bulk-actions/{job.pk}/confirm/")
    assert enqueued["jobs"] == [job.pk]


@pytest.mark.django_db(transaction=True)
def test_cancelling_the_confirmation_does_nothing_to_the_orders(
    signed_in,
    admin_actor,
    space,
    settings,
    enqueued,  # noqa: F811
):
    settings.FABFLOW_BULK_CONFIRM_OVER = 0
    [order] = make_orders(admin_actor, space, 1)
    signed_in.post(
        "/bulk-actions/new/", {"action": "retry", "scope": "selected", "ids": str(order.pk)}
    )
    job = BulkJob.objects.get()
    answer = signed_in.post(f"/bulk-actions/{job.pk}/cancel/")
    assert (answer.status_code, answer["Location"]) == (303, "/")
    assert BulkJob.objects.get().status == BulkJobStatus.CANCELLED
    assert enqueued["jobs"] == []
    assert "Cancelled: nothing was done to the orders." in signed_in.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_refused_action_goes_back_to_the_table_and_writes_nothing(
    signed_in,
    admin_actor,
    space,
    stranger,
    stranger_space,
    enqueued,  # noqa: F811
):
    from fabflow.accounts.actors import Actor

    [order] = make_orders(admin_actor, space, 1)
    [theirs] = make_orders(Actor.for_user(stranger), stranger_space, 1, prefix="S")
    for form, message in [
        ({"action": "explode", "ids": str(order.pk)}, "action is one of"),
        ({"action": "reject", "text": " ", "ids": str(order.pk)}, "Give a reason"),
        (
            {"action": "add_tag", "tag": "x", "ids": f"{order.pk},{theirs.pk}"},
            "1 of the ids are no orders you can see (the first is number 2",
        ),
        ({"action": "add_tag", "tag": "x", "ids": ""}, "Choose at least one order"),
    ]:
        answer = signed_in.post("/bulk-actions/new/?status=created", form)
        assert (answer.status_code, answer["Location"]) == (303, "/?status=created")
        assert message in signed_in.get(answer["Location"]).content.decode()
    assert BulkJob.objects.count() == BulkJobItem.objects.count() == 0
    assert enqueued["jobs"] == []


@pytest.mark.django_db(transaction=True)
def test_another_organizations_job_is_not_found(
    client,
    stranger,
    admin_actor,
    space,
    enqueued,  # noqa: F811
):
    from fabflow.bulk import services

    [order] = make_orders(admin_actor, space, 1)
    job = services.create_job(
        actor=admin_actor, action="add_tag", arguments={"tag": "x"}, order_ids=[order.pk]
    )
    client.force_login(stranger)
    assert client.get(f"/bulk-actions/{job.pk}/").status_code == 404
    assert client.post(f"/bulk-actions/{job.pk}/confirm/").status_code == 404
    assert client.post(f"/bulk-actions/{job.pk}/cancel/").status_code == 404
