"""The Export targets admin page, through Django's test client."""

import pytest

from fabflow.accounts.actors import Actor
from fabflow.files import export_targets
from fabflow.files.models import ExportTarget

FOLDER = {"name": "workshop", "kind": "folder", "path": "{root}/jobs"}
S3 = {
    "name": "cloud",
    "kind": "s3",
    "bucket": "acme-jobs",
    "prefix": "/jobs/",
    "endpoint_url": "http://127.0.0.1:9000",
    "region": "eu-west-1",
    "credentials_env": "ACME_S3",
}


@pytest.fixture(autouse=True)
def private_addresses_allowed(organization):
    """S3 names a server on 127.0.0.1, which targets may name only when allowed."""
    organization.allow_private_addresses = True
    organization.save(update_fields=["allow_private_addresses"])
    return organization


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


def form(fields, root) -> dict:
    return {name: value.replace("{root}", str(root)) for name, value in fields.items()}


def field_errors(response) -> dict:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def test_members_get_the_403_page_and_no_link(client, member, export_root):
    client.force_login(member)

    assert client.get("/export-targets/").status_code == 403
    assert client.post("/export-targets/add/", form(FOLDER, export_root)).status_code == 403
    assert ExportTarget.objects.count() == 0
    assert 'href="/export-targets/"' not in client.get("/").content.decode()


def test_admins_add_a_folder_and_an_s3_target_and_see_them_listed(as_admin, admin, export_root):
    assert 'href="/export-targets/"' in as_admin.get("/").content.decode()

    for fields in (FOLDER, S3):
        response = as_admin.post("/export-targets/add/", form(fields, export_root))
        assert (response.status_code, response["Location"]) == (303, "/export-targets/")

    folder, s3 = ExportTarget.objects.get(name="workshop"), ExportTarget.objects.get(name="cloud")
    assert (folder.organization_id, folder.kind, folder.path) == (
        admin.organization_id,
        "folder",
        str(export_root / "jobs"),
    )
    assert (s3.bucket, s3.prefix, s3.endpoint_url, s3.region, s3.credentials_env) == (
        "acme-jobs",
        "jobs",
        "http://127.0.0.1:9000",
        "eu-west-1",
        "ACME_S3",
    )
    page = as_admin.get("/export-targets/").content.decode()
    assert f"{export_root / 'jobs'}" in page
    assert "s3://acme-jobs/jobs" in page
    assert "The export target cloud is added." in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({**FOLDER, "path": "/etc"}, "path", "path: must lie inside one of the folders"),
        ({**FOLDER, "path": ""}, "path", "path: must be an absolute folder"),
        ({**FOLDER, "name": "work shop"}, "name", "name: use letters, digits"),
        ({**FOLDER, "kind": "ftp"}, "kind", "Select a valid choice."),
        ({**S3, "bucket": "No_Such"}, "bucket", "bucket: not a valid S3 bucket name"),
        ({**S3, "credentials_env": "a b"}, "credentials_env", "credentials_env: an environment"),
        ({**S3, "endpoint_url": "s3.test"}, "endpoint_url", "endpoint_url: must be an http(s)"),
    ],
)
def test_a_bad_target_is_refused_beside_its_field_keeping_the_input(
    as_admin, export_root, fields, field, message
):
    response = as_admin.post("/export-targets/add/", form(fields, export_root))

    assert response.status_code == 422
    errors = field_errors(response)
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert response.context["form"].data["name"] == fields["name"]
    assert "data-open-on-load" in response.content.decode()
    assert ExportTarget.objects.count() == 0


def test_a_private_server_address_is_refused_beside_its_field_unless_allowed(
    as_admin, export_root, private_addresses_allowed
):
    private_addresses_allowed.allow_private_addresses = False
    private_addresses_allowed.save(update_fields=["allow_private_addresses"])

    response = as_admin.post("/export-targets/add/", form(S3, export_root))

    assert response.status_code == 422
    assert field_errors(response) == {
        "endpoint_url": [
            "endpoint_url: The address of host '127.0.0.1' is not allowed: it is not public"
        ]
    }
    assert response.context["form"].data["endpoint_url"] == S3["endpoint_url"]
    assert ExportTarget.objects.count() == 0


def test_a_second_target_of_the_same_name_is_refused(as_admin, export_root):
    as_admin.post("/export-targets/add/", form(FOLDER, export_root))

    response = as_admin.post("/export-targets/add/", form({**S3, "name": "workshop"}, export_root))

    assert response.status_code == 422
    assert field_errors(response) == {"name": ["An export target named 'workshop' exists already"]}
    assert list(ExportTarget.objects.values_list("kind", flat=True)) == ["folder"]


def test_removing_a_target(as_admin, export_root):
    as_admin.post("/export-targets/add/", form(FOLDER, export_root))

    response = as_admin.post("/export-targets/workshop/remove/")

    assert (response.status_code, response["Location"]) == (303, "/export-targets/")
    assert ExportTarget.objects.count() == 0
    assert "No export target yet" in as_admin.get("/export-targets/").content.decode()
    assert as_admin.post("/export-targets/workshop/remove/").status_code == 404


def test_another_organizations_targets_are_neither_listed_nor_removed(
    as_admin, stranger, export_root
):
    export_targets.create_export_target(
        actor=Actor.for_user(stranger), name="theirs", kind="folder", path=str(export_root)
    )

    assert "theirs" not in as_admin.get("/export-targets/").content.decode()
    assert as_admin.post("/export-targets/theirs/remove/").status_code == 404
    assert list(ExportTarget.objects.values_list("name", flat=True)) == ["theirs"]
