"""The Activity page and its CSV export, through Django's test client."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from fabflow.accounts import services as account_services
from fabflow.audit import views


def _tag_member(admin_actor, member, tags):
    return account_services.set_user_tags(actor=admin_actor, user_id=member.pk, tags=tags)


def test_members_get_the_403_page_and_no_link(client, member):
    client.force_login(member)
    assert client.get("/activity/").status_code == 403
    assert client.get("/activity/export/").status_code == 403
    assert 'href="/activity/"' not in client.get("/users/").content.decode()


def test_admins_see_each_change_readably_and_the_link(client, admin, admin_actor, member):
    _tag_member(admin_actor, member, ["printing", "casting"])
    client.force_login(admin)
    page = client.get("/activity/").content.decode()
    assert 'href="/activity/"' in page
    assert "Ada Admin" in page and "maker@ringmakers.test" in page
    assert (
        "<strong>tags</strong>: [&quot;printing&quot;] → [&quot;printing&quot;, &quot;casting&quot;]"
        in page
    )


def test_filters_narrow_the_records(client, admin, admin_actor, member, space):
    _tag_member(admin_actor, member, ["casting"])
    account_services.update_space(actor=admin_actor, space_id=space.pk, name="Rings!", generator="")
    client.force_login(admin)

    def labels(**query):
        response = client.get("/activity/", query)
        return [row.record.object_label for row in response.context["table"].page.object_list]

    assert labels() == ["Rings!", "maker@ringmakers.test"]
    assert labels(objectKind="user") == ["maker@ringmakers.test"]
    assert labels(object=str(space.pk)) == ["Rings!"]
    assert labels(object="maker@") == ["maker@ringmakers.test"]
    assert labels(action="space.changed") == ["Rings!"]
    assert labels(actor=str(admin.pk), ordering="at") == ["maker@ringmakers.test", "Rings!"]
    assert labels(actor=str(member.pk)) == []
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert labels(after=later) == []
    assert labels(before=later) == ["Rings!", "maker@ringmakers.test"]
    response = client.get("/activity/", {"after": "yesterday"})
    assert response.status_code == 200
    assert response.context["filter_error"].startswith("after:")


def test_another_organization_sees_none_of_the_records(
    client, admin_actor, member, stranger_organization
):
    _tag_member(admin_actor, member, ["casting"])
    boss = account_services.create_user(
        organization=stranger_organization, email="b@lampworks.test", password="x", is_admin=True
    )
    client.force_login(boss)
    assert len(client.get("/activity/").context["table"].page.object_list) == 0
    assert client.get("/activity/export/").content.decode().splitlines() == [
        "When,Who,Action,Object,Kind,Changes,Object ID"
    ]


def test_the_export_holds_the_filtered_records(client, admin, admin_actor, member, space):
    _tag_member(admin_actor, member, ["=cmd"])
    account_services.update_space(actor=admin_actor, space_id=space.pk, name="Rings!", generator="")
    client.force_login(admin)
    response = client.get("/activity/export/", {"objectKind": "user"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["When", "Who", "Action", "Object", "Kind", "Changes", "Object ID"]
    assert [row[1:] for row in rows[1:]] == [
        [
            "Ada Admin (User)",
            "User changed",
            "maker@ringmakers.test",
            "user",
            'tags: ["printing"] → ["=cmd"]',
            str(member.pk),
        ]
    ]


def test_an_export_past_the_bound_exports_nothing(
    client, admin, admin_actor, member, space, monkeypatch
):
    _tag_member(admin_actor, member, ["casting"])
    account_services.update_space(actor=admin_actor, space_id=space.pk, name="Rings!", generator="")
    monkeypatch.setattr(views, "MAX_AUDIT_EXPORT_ROWS", 1)
    client.force_login(admin)
    response = client.get("/activity/export/", {"ordering": "at"})
    assert (response.status_code, response["Location"]) == (302, "/activity/?ordering=at")
    page = client.get(response["Location"]).content.decode()
    assert "These filters match more than 1 records" in page
    assert client.get("/activity/export/", {"objectKind": "user"}).status_code == 200
