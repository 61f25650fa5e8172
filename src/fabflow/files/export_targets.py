"""Export targets, and copying an order's production files and a manifest to one of them.

An export lands in `<target>/<order name>/`: the order's own files at the top, each product's in
a folder named after it (parts in a folder inside their product's), and `manifest.json` beside
them listing ids, names, quantities, configurations and every file's size and sha256.

Readers never see half a file: in a folder each file is written under a hidden temporary name
and renamed into place (atomic on one file system); on S3 an object appears whole when its
upload completes. The manifest is written last, so a manifest names only files already there.
Exports are idempotent: a file the previous manifest lists with the same checksum and size is
left alone, files the previous export wrote and this one no longer has are removed, and a
manifest with the same content is not rewritten. Re-running an unchanged export writes nothing.
"""

import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction

from fabflow import config, egress
from fabflow.accounts.actors import Actor
from fabflow.audit import trail as audit
from fabflow.audit.models import Action
from fabflow.errors import Conflict, FabflowError, Forbidden, InvalidInput, NotFound, Unavailable
from fabflow.files import storage
from fabflow.files.error_codes import FileErrorCode
from fabflow.files.models import ExportTarget, ExportTargetKind
from fabflow.orders.models import Asset, AssetKind, Order
from fabflow.orders.services import get_order
from fabflow.web.zipstream import safe_archive_name

MANIFEST_NAME = "manifest.json"
COPY_BLOCK = 1 << 20
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
CREDENTIALS_ENV = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")


class ExportFailed(Unavailable):
    """The target could not be written (unreachable, refused, full); trying again may work."""

    default_code = FileErrorCode.EXPORT_FAILED


@dataclass(frozen=True)
class ExportResult:
    """What one export run did at its target."""

    target: str
    location: str
    written: list[str]
    unchanged: list[str]
    removed: list[str]

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "location": self.location,
            "written": self.written,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }


# --- managing targets ---------------------------------------------------------------------


def create_export_target(
    *,
    actor: Actor,
    name: str,
    kind: str,
    path: str = "",
    bucket: str = "",
    prefix: str = "",
    endpoint_url: str = "",
    region: str = "",
    credentials_env: str = "",
) -> ExportTarget:
    """Create a named export target for the actor's organization (admins only)."""
    _require_admin(actor)
    target = ExportTarget(
        organization_id=actor.organization_id,
        name=name.strip(),
        kind=kind,
        path=path.strip(),
        bucket=bucket.strip(),
        prefix=prefix.strip().strip("/"),
        endpoint_url=endpoint_url.strip(),
        region=region.strip(),
        credentials_env=credentials_env.strip(),
    )
    _validate_target(target)
    try:
        with transaction.atomic():
            target.save()
            audit.record(
                actor=actor,
                action=Action.EXPORT_TARGET_SAVED,
                obj=target,
                after=audit.snapshot(target, EXPORT_TARGET_FIELDS),
            )
    except IntegrityError:
        raise Conflict(
            f"An export target named {target.name!r} exists already", field=("name",)
        ) from None
    return target


def list_export_targets(*, actor: Actor) -> list[ExportTarget]:
    """The export targets of the actor's organization."""
    return list(_targets(actor))


def delete_export_target(*, actor: Actor, name: str) -> None:
    """Remove an export target (admins only); what it exported stays where it is."""
    _require_admin(actor)
    with transaction.atomic():
        target = _targets(actor).select_for_update().filter(name=name).first()
        if target is None:
            raise NotFound(f"No export target is named {name!r}")
        audit.record(
            actor=actor,
            action=Action.EXPORT_TARGET_DELETED,
            obj=target,
            before=audit.snapshot(target, EXPORT_TARGET_FIELDS),
        )
        target.delete()


# What the audit trail records of a target: where it writes (its credentials stay in the
# environment variable it names).
EXPORT_TARGET_FIELDS = (
    "name",
    "kind",
    "path",
    "bucket",
    "prefix",
    "endpoint_url",
    "region",
    "credentials_env",
)


def get_export_target(*, actor: Actor, name: str) -> ExportTarget:
    """The actor's organization's export target called `name`."""
    target = _targets(actor).filter(name=name).first()
    if target is None:
        raise NotFound(f"No export target is named {name!r}", field=("payload", "target"))
    return target


def _targets(actor: Actor):
    if actor.key is not None:
        # Targets belong to the organization, not to a key's space: keys never see them.
        raise Forbidden("Secret keys cannot use export targets")
    return actor.restrict(ExportTarget.objects.all())


def _require_admin(actor: Actor) -> None:
    if actor.key is not None or (actor.user is not None and not actor.user.is_admin):
        raise Forbidden("Only admins manage export targets")
    if actor.organization_id is None:
        raise InvalidInput("An export target belongs to an organization")


def _validate_target(target: ExportTarget) -> None:
    if not re.fullmatch(r"[-a-zA-Z0-9_]{1,100}", target.name):
        raise InvalidInput("name: use letters, digits, '-' and '_' (at most 100)", field=("name",))
    if target.kind == ExportTargetKind.FOLDER:
        _allowed_folder(target.path)
    elif target.kind == ExportTargetKind.S3:
        if not BUCKET_NAME.match(target.bucket):
            raise InvalidInput("bucket: not a valid S3 bucket name", field=("bucket",))
        if target.credentials_env and not CREDENTIALS_ENV.match(target.credentials_env):
            raise InvalidInput(
                "credentials_env: an environment variable prefix such as ACME_S3",
                field=("credentials_env",),
            )
        if target.endpoint_url and not target.endpoint_url.startswith(("http://", "https://")):
            raise InvalidInput("endpoint_url: must be an http(s) address", field=("endpoint_url",))
        _check_endpoint_address(target, unresolved_refused=True)
    else:
        raise InvalidInput("kind: must be 'folder' or 's3'", field=("kind",))


def _check_endpoint_address(target: ExportTarget, *, unresolved_refused: bool) -> None:
    """Refuse an S3 server address whose host resolves to a loopback or private address, by
    the connectors' rule (egress.py): allowed only where the installation or the target's
    organization allows private addresses. Checked when saving and again before each export,
    since a host name may resolve elsewhere later; the message names the host, never the IP.
    A host that does not resolve is refused when saving, and retried when exporting."""
    if target.kind != ExportTargetKind.S3 or not target.endpoint_url:
        return
    where = ("endpoint_url",)
    try:
        url = urlsplit(target.endpoint_url)
        host, port = url.hostname, url.port or (443 if url.scheme == "https" else 80)
    except ValueError:
        raise InvalidInput("endpoint_url: not a valid address", field=where) from None
    if not host:
        raise InvalidInput("endpoint_url: must name a host", field=where)
    allowed = egress.private_addresses_allowed(target.organization_id)
    try:
        egress.checked_addresses(host, port, allow_private=allowed)
    except egress.AddressNotAllowed as refused:
        raise InvalidInput(
            f"endpoint_url: {refused}", code=FileErrorCode.ADDRESS_REFUSED, field=where
        ) from None
    except egress.HostNotResolved as unresolved:
        if unresolved_refused:
            raise InvalidInput(f"endpoint_url: {unresolved}", field=where) from None
        raise ExportFailed(
            f"Cannot reach the export target {target.name!r}: {unresolved}"
        ) from None


def _allowed_folder(path: str) -> Path:
    """`path` resolved, if it lies inside one of FABFLOW_EXPORT_FOLDERS; else InvalidInput."""
    if not path or not os.path.isabs(path):
        raise InvalidInput("path: must be an absolute folder", field=("path",))
    resolved = Path(path).resolve()
    for allowed in settings.FABFLOW_EXPORT_FOLDERS:
        if resolved.is_relative_to(Path(allowed).resolve()):
            return resolved
    raise InvalidInput(
        "path: must lie inside one of the folders the operator allows for exports "
        "(FABFLOW_EXPORT_FOLDERS)",
        field=("path",),
    )


# --- exporting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _ExportFile:
    path: str  # inside the order's folder
    asset: Asset


def export_order_files(*, actor: Actor, order_id, target_name: str) -> ExportResult:
    """Copy the order's production files and its manifest to the target named `target_name`."""
    target = get_export_target(actor=actor, name=target_name)
    order = get_order(actor=actor, order_id=order_id)
    _check_endpoint_address(target, unresolved_refused=False)  # not retried when refused
    files, manifest = _plan(order)
    folder = _folder_name(order.name)
    writer = _writer(target, folder)
    try:
        return _export(target, writer, files, manifest)
    except FabflowError:
        raise
    except Exception as error:
        raise ExportFailed(
            f"Cannot write to the export target {target.name!r} ({writer.location}): {error}"
        ) from error


def _export(target, writer, files, manifest) -> ExportResult:
    previous = writer.read_manifest()
    previous_order = (previous or {}).get("order", {}).get("id")
    if previous_order is not None and previous_order != manifest["order"]["id"]:
        raise Conflict(
            f"{writer.location} holds the export of another order with the same name",
            field=("payload", "target"),
        )
    previous_files = {
        entry["path"]: entry for entry in _manifest_files(previous or {}) if "path" in entry
    }
    written, unchanged = [], []
    for item in files:
        known = previous_files.get(item.path)
        is_same = (
            known is not None
            and known.get("sha256") == item.asset.sha256
            and writer.size(item.path) == item.asset.size
        )
        if is_same:
            unchanged.append(item.path)
            continue
        with storage.open_file(item.asset.storage_name) as source:
            writer.write(item.path, source, content_type=item.asset.content_type)
        written.append(item.path)
    content = json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n"
    if previous is None or writer.read_bytes(MANIFEST_NAME) != content:
        writer.write(MANIFEST_NAME, _BytesSource(content), content_type="application/json")
        written.append(MANIFEST_NAME)
    else:
        unchanged.append(MANIFEST_NAME)
    current = {item.path for item in files}
    removed = sorted(path for path in previous_files if path not in current)
    for path in removed:
        writer.delete(path)
    return ExportResult(
        target=target.name,
        location=writer.location,
        written=written,
        unchanged=unchanged,
        removed=removed,
    )


def _plan(order: Order) -> tuple[list[_ExportFile], dict]:
    """The files to copy, at their paths inside the order's folder, and the manifest."""
    production = Asset.objects.filter(kind=AssetKind.PRODUCTION).order_by("created_at", "id")
    taken: set[str] = {MANIFEST_NAME}
    files: list[_ExportFile] = []

    def add(folder: str, asset: Asset) -> dict:
        path = safe_archive_name(f"{folder}/{asset.filename}" if folder else asset.filename, taken)
        taken.add(path.casefold())
        files.append(_ExportFile(path=path, asset=asset))
        return {
            "path": path,
            "assetId": str(asset.pk),
            "filename": asset.filename,
            "contentType": asset.content_type,
            "size": asset.size,
            "sha256": asset.sha256,
        }

    folders: set[str] = {MANIFEST_NAME}
    manifest = {
        "order": {"id": str(order.pk), "name": order.name, "space": order.space.key},
        "files": [add("", asset) for asset in production.filter(order=order)],
        "products": [],
    }
    for product in order.products.order_by("position").prefetch_related("parts"):
        product_folder = _folder_name(product.name, folders)
        folders.add(product_folder.casefold())
        entry = {
            "id": str(product.pk),
            "name": product.name,
            "units": product.units,
            "configuration": product.configuration,
            "folder": product_folder,
            "files": [add(product_folder, asset) for asset in production.filter(product=product)],
            "parts": [],
        }
        part_folders: set[str] = set()
        for part in product.parts.all():
            part_folder = _folder_name(part.name, part_folders)
            part_folders.add(part_folder.casefold())
            folder = f"{product_folder}/{part_folder}"
            entry["parts"].append(
                {
                    "id": str(part.pk),
                    "name": part.name,
                    "folder": folder,
                    "files": [add(folder, asset) for asset in production.filter(part=part)],
                }
            )
        manifest["products"].append(entry)
    return files, manifest


def _folder_name(name: str, taken: set[str] = frozenset()) -> str:
    """One safe folder name for a name people gave: its slashes are characters, not folders."""
    return safe_archive_name(name.replace("/", "_").replace("\\", "_"), taken)


def _manifest_files(manifest: dict) -> list[dict]:
    found = list(manifest.get("files", []))
    for product in manifest.get("products", []):
        found.extend(product.get("files", []))
        for part in product.get("parts", []):
            found.extend(part.get("files", []))
    return found


class _BytesSource:
    """A readable over bytes, so the manifest goes through the same write path as the files."""

    def __init__(self, content: bytes):
        self.content = content
        self.offset = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.content) if size is None or size < 0 else self.offset + size
        chunk = self.content[self.offset : end]
        self.offset += len(chunk)
        return chunk


# --- writers ------------------------------------------------------------------------------


def _writer(target: ExportTarget, folder: str):
    if target.kind == ExportTargetKind.FOLDER:
        return _FolderWriter(_allowed_folder(target.path) / folder)
    return _S3Writer(target, folder)


class _FolderWriter:
    """Writes under a local folder: temporary name, fsync, rename into place."""

    def __init__(self, root: Path):
        self.root = root
        self.location = str(root)

    def _path(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):  # pragma: no cover - names are safe
            raise InvalidInput(f"{relative!r} climbs out of the export folder")
        return path

    def read_manifest(self) -> dict | None:
        content = self.read_bytes(MANIFEST_NAME)
        return _parse_manifest(content)

    def read_bytes(self, relative: str) -> bytes | None:
        try:
            return self._path(relative).read_bytes()
        except FileNotFoundError:
            return None

    def size(self, relative: str) -> int | None:
        try:
            return self._path(relative).stat().st_size
        except FileNotFoundError:
            return None

    def write(self, relative: str, source, *, content_type: str) -> None:
        path = self._path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
        try:
            with open(temporary, "wb") as handle:
                while chunk := source.read(COPY_BLOCK):
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _fsync_folder(path.parent)

    def delete(self, relative: str) -> None:
        self._path(relative).unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk too.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class _S3Writer:
    """Writes objects under `<prefix>/<order folder>/` of a bucket; each object appears whole."""

    def __init__(self, target: ExportTarget, folder: str):
        self.client = s3_client(target)
        self.bucket = target.bucket
        self.prefix = "/".join(part for part in (target.prefix.strip("/"), folder) if part)
        self.location = f"s3://{self.bucket}/{self.prefix}"

    def _key(self, relative: str) -> str:
        return f"{self.prefix}/{relative}"

    def read_manifest(self) -> dict | None:
        return _parse_manifest(self.read_bytes(MANIFEST_NAME))

    def read_bytes(self, relative: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(relative))[
                "Body"
            ].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def size(self, relative: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(relative))[
                "ContentLength"
            ]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise

    def write(self, relative: str, source, *, content_type: str) -> None:
        # upload_fileobj streams in parts of 8 MiB: memory stays flat whatever the file's size.
        self.client.upload_fileobj(
            source, self.bucket, self._key(relative), ExtraArgs={"ContentType": content_type}
        )

    def delete(self, relative: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(relative))


def _parse_manifest(content: bytes | None) -> dict | None:
    if content is None:
        return None
    try:
        parsed = json.loads(content)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def s3_client(target: ExportTarget):
    """A boto3 client for an S3 target, with the credentials its environment variables hold."""
    import boto3
    from botocore.config import Config

    if target.credentials_env:
        access_key = config.env_str(f"{target.credentials_env}_ACCESS_KEY_ID")
        secret_key = config.env_str(f"{target.credentials_env}_SECRET_ACCESS_KEY")
    else:
        access_key = config.env_str("AWS_ACCESS_KEY_ID")
        secret_key = config.env_str("AWS_SECRET_ACCESS_KEY")
    endpoint_url = target.endpoint_url or config.env_str("S3_ENDPOINT_URL") or None
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=target.region or config.env_str("S3_REGION") or None,
        aws_access_key_id=access_key or None,
        aws_secret_access_key=secret_key or None,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=10,
            read_timeout=60,
        ),
    )
