"""Product spaces: the admin page, its services, `fabflow createspace --generator`, and the
first start's space, whose generator makes a `generate-production-files` flow work at once."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from fabflow.accounts import services
from fabflow.accounts.actors import Actor
from fabflow.accounts.bootstrap import FIRST_SPACE_GENERATOR, bootstrap_if_empty
from fabflow.accounts.models import ProductSpace, User
from fabflow.errors import Forbidden, InvalidInput
from fabflow.flows import engine, worker
from fabflow.flows import services as flow_services
from fabflow.flows.models import TaskRun, TaskStatus
from fabflow.orders.models import Asset, AssetKind
from fabflow.orders.services import ProductInput, create_order

BOX = {"width": 60, "depth": 40, "height": 30}


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")


def spaces_state():
    return sorted(ProductSpace.objects.values_list("organization_id", "key", "name", "generator"))


def test_the_page_lists_the_organizations_spaces_with_their_counts(
    as_admin, admin, space, other_space, stranger_space
):
    services.create_secret_key(actor=Actor.for_user(admin), space=space, name="Shop")
    revoked = services.create_secret_key(actor=Actor.for_user(admin), space=space, name="Old")
    services.revoke_secret_key(actor=Actor.for_user(admin), key_id=revoked.key.pk)
    create_order(actor=Actor.for_user(admin), space=space, name="R-1", products=[box()])
    create_order(actor=Actor.for_user(admin), space=space, name="R-2", products=[box()])

    response = as_admin.get("/spaces/")

    assert response.status_code == 200
    rows = [
        (space.key, space.name, space.generator, space.active_keys, space.orders)
        for space in response.context["spaces"]
    ]
    assert rows == [("lamps", "Lamps", "", 0, 0), ("rings", "Rings", "", 1, 2)]
    page = response.content.decode()
    assert 'href="/spaces/"' in page  # the navigation's link
    for text in ["Box with lid", "Ring", "lidHeight", "flat | dome | comfort | court"]:
        assert text in page
    assert "Outer size along X" in page


def test_members_get_the_403_page_and_change_nothing(client, member, space):
    client.force_login(member)
    before = spaces_state()
    assert client.get("/spaces/").status_code == 403
    assert client.get(f"/spaces/{space.pk}/").status_code == 403
    assert client.post("/spaces/add/", {"key": "x", "name": "X"}).status_code == 403
    assert client.post(f"/spaces/{space.pk}/edit/", {"name": "X"}).status_code == 403
    assert spaces_state() == before
    assert 'href="/spaces/"' not in client.get("/").content.decode()


def test_another_organizations_space_is_not_reachable(as_admin, stranger_space):
    before = spaces_state()
    assert as_admin.get(f"/spaces/{stranger_space.pk}/").status_code == 404
    edit = {"name": "Mine now", "generator": "ring"}
    assert as_admin.post(f"/spaces/{stranger_space.pk}/edit/", edit).status_code == 404
    assert as_admin.post(f"/spaces/{stranger_space.pk}/signing-secret/rotate/").status_code == 404
    assert spaces_state() == before
    assert (
        stranger_space.signing_secret
        == ProductSpace.objects.get(pk=stranger_space.pk).signing_secret
    )


def test_an_admin_creates_a_space_with_a_generator(as_admin, organization):
    posted = as_admin.post("/spaces/add/", {"key": "boxes", "name": "Boxes", "generator": "box"})

    space = ProductSpace.objects.get(key="boxes")
    assert (posted.status_code, posted["Location"]) == (303, f"/spaces/{space.pk}/")
    assert (space.organization, space.name, space.generator) == (organization, "Boxes", "box")
    shown = as_admin.get(posted["Location"])
    assert shown.status_code == 200
    assert "The product space Boxes (boxes) is created." in shown.content.decode()
    assert as_admin.get(posted["Location"]).status_code == 200  # a reload writes nothing
    assert ProductSpace.objects.count() == 1


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"key": "rings", "name": "More rings"}, "key", "A product space with key 'rings' already"),
        ({"key": "Not a slug!", "name": "X"}, "key", "Enter a valid “slug”"),
        ({"key": "x" * 65, "name": "X"}, "key", "at most 64 characters"),
        ({"key": "vases", "name": "   "}, "name", "This field is required."),
        ({"key": "vases", "name": "V" * 201}, "name", "at most 200 characters"),
        ({"key": "vases", "name": "Vases", "generator": "vase"}, "generator", "Select a valid"),
    ],
)
def test_a_refused_space_writes_nothing_and_keeps_the_input(as_admin, space, form, field, message):
    before = spaces_state()

    response = as_admin.post("/spaces/add/", form)

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert response.context["form"]["key"].value() == form["key"]
    assert spaces_state() == before


def test_an_admin_renames_a_space_and_chooses_its_generator(as_admin, space):
    posted = as_admin.post(f"/spaces/{space.pk}/edit/", {"name": "Fine rings", "generator": "ring"})

    assert (posted.status_code, posted["Location"]) == (303, f"/spaces/{space.pk}/")
    space.refresh_from_db()
    assert (space.key, space.name, space.generator) == ("rings", "Fine rings", "ring")
    page = as_admin.get(posted["Location"]).content.decode()
    assert "The product space Fine rings is saved." in page
    assert 'id="id_generator"' in page and '<option value="ring" selected>' in page


def test_a_refused_edit_writes_nothing(as_admin, space):
    response = as_admin.post(f"/spaces/{space.pk}/edit/", {"name": "", "generator": "vase"})

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "generator"}
    space.refresh_from_db()
    assert (space.name, space.generator) == ("Rings", "")


def test_the_signing_secret_is_revealed_and_rotated_from_the_space_page(as_admin, space):
    page = as_admin.get(f"/spaces/{space.pk}/").content.decode()
    assert f'hx-get="/spaces/{space.pk}/signing-secret/"' in page
    assert space.signing_secret not in page
    old = space.signing_secret

    posted = as_admin.post(f"/spaces/{space.pk}/signing-secret/rotate/")

    assert (posted.status_code, posted["Location"]) == (303, f"/spaces/{space.pk}/")
    space.refresh_from_db()
    assert space.signing_secret != old
    assert "has a new signing secret" in as_admin.get(posted["Location"]).content.decode()


def test_the_services_refuse_members_and_unknown_generators(admin, member, space):
    with pytest.raises(Forbidden):
        services.add_space(actor=Actor.for_user(member), key="x", name="X", generator="")
    with pytest.raises(InvalidInput) as refused:
        services.update_space(
            actor=Actor.for_user(admin), space_id=space.pk, name="Rings", generator="vase"
        )
    assert (refused.value.field, refused.value.message) == (
        ("generator",),
        "generator: no generator is registered as 'vase'",
    )
    assert spaces_state() == [(space.organization_id, "rings", "Rings", "")]


def test_createspace_takes_a_generator(organization, capsys):
    call_command("createspace", "rings", "--generator", "ring")
    assert ProductSpace.objects.get().generator == "ring"
    with pytest.raises(CommandError, match="no generator is registered as 'vase'"):
        call_command("createspace", "vases", "--generator", "vase")
    assert list(ProductSpace.objects.values_list("key", flat=True)) == ["rings"]


def box(configuration=BOX):
    return ProductInput(
        name="Box", units=1, unit_value=Decimal("12.00"), configuration=configuration
    )


FILES_FLOW = [
    {
        "key": "make",
        "tasks": [
            {
                "key": "files",
                "handlerKey": "generate-production-files",
                "payload": {"fileFormat": "stl"},
            }
        ],
    }
]


def test_a_new_installation_generates_production_files_out_of_the_box(db, monkeypatch):
    enqueued = []
    monkeypatch.setattr(worker, "enqueue", lambda items, new_run=False: enqueued.extend(items))
    bootstrap_if_empty()
    space = ProductSpace.objects.get()
    assert (space.key, space.generator) == ("demo", FIRST_SPACE_GENERATOR)
    actor = Actor.for_user(User.objects.get())
    flow_services.create_flow(actor=actor, space=space, name="Files", definition=FILES_FLOW)
    order = create_order(actor=actor, space=space, name="D-1", products=[box()]).order
    flow_services.start_flow(actor=actor, order_id=order.pk, flow_key="files")
    task = TaskRun.objects.get(order=order, task_key="files")

    engine.begin_task(str(task.pk), 1)
    outcome = worker._execute(str(task.pk), 1, 0)
    assert outcome["ok"] is True, outcome
    engine.finish_task(str(task.pk), 1, result=outcome["result"], waits_for_feedback=False)

    task.refresh_from_db()
    assert task.status == TaskStatus.SUCCEEDED
    files = Asset.objects.filter(product__order=order, source="task:files")
    assert sorted(files.values_list("kind", "filename")) == sorted(
        [
            (AssetKind.PRODUCTION, "Box box.stl"),
            (AssetKind.PRODUCTION, "Box lid.stl"),
            (AssetKind.PREVIEW, "Box preview.png"),
        ]
    )
    assert [file["filename"] for file in outcome["result"]["files"]] == [
        "Box box.stl",
        "Box lid.stl",
        "Box preview.png",
    ]
