"""Attaching uploaded files to orders, products and parts, and reading them back."""

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from fabflow.accounts.actors import Actor
from fabflow.audit import trail as audit
from fabflow.audit.models import Action
from fabflow.errors import Conflict, InvalidInput, NotFound, TooLarge
from fabflow.files import storage, thumbnailing
from fabflow.files.error_codes import FileErrorCode
from fabflow.ids import uuid7
from fabflow.limits import MAX_UPLOADS_PER_ORDER
from fabflow.orders.models import Asset, AssetKind, Order, OrderEventType, Part, Product
from fabflow.orders.services import record_event

OWNER_MODELS = {"order": Order, "product": Product, "part": Part}


def max_upload_bytes() -> int:
    return settings.FABFLOW_MAX_UPLOAD_BYTES


def add_asset(*, actor: Actor, owner_type: str, owner_id, upload, kind: str) -> Asset:
    """Store `upload` and attach it to an order, product or part.

    The newest `preview` image of an owner is its thumbnail, so adding one replaces the thumbnail.
    """
    if kind not in AssetKind.values:
        raise InvalidInput(
            f"kind must be one of {', '.join(AssetKind.values)}",
            code=FileErrorCode.INVALID_KIND,
            field=("kind",),
        )
    if upload.size > max_upload_bytes():
        raise TooLarge(
            f"The file is larger than the limit of {max_upload_bytes()} bytes", field=("file",)
        )
    model = OWNER_MODELS[owner_type]
    owner = actor.restrict(model.objects.all()).filter(pk=owner_id).first()
    if owner is None:
        raise NotFound(f"No such {owner_type}")
    order = owner if owner_type == "order" else owner.order
    _check_room_for_upload(order)
    filename = storage.sanitize_filename(upload.name)
    asset_id = uuid7()
    stored = storage.store(upload, folder=f"assets/{owner.space_id}/{asset_id}", filename=filename)
    try:
        with transaction.atomic():
            # Checked again under the order's lock: parallel uploads cannot pass the bound.
            _check_room_for_upload(Order.objects.select_for_update().get(pk=order.pk))
            asset = Asset.objects.create(
                id=asset_id,
                organization_id=owner.organization_id,
                space_id=owner.space_id,
                **{owner_type: owner},
                filename=filename,
                content_type=storage.content_type_for(filename, upload.content_type),
                size=stored.size,
                sha256=stored.sha256,
                kind=kind,
                storage_name=stored.name,
            )
            record_event(
                actor=actor,
                order=order,
                type=OrderEventType.ASSET_ADDED,
                details={
                    "asset": str(asset.pk),
                    "filename": filename,
                    "kind": kind,
                    owner_type: str(owner.pk),
                },
            )
            audit.record(
                actor=actor,
                action=Action.FILE_UPLOADED,
                obj=order,
                after={"file": filename, "kind": kind, "size": asset.size, owner_type: str(owner)},
            )
            # A mesh without a preview, or an uploaded image, gets its preview in the worker.
            thumbnailing.schedule_thumbnail(asset=asset)
    except BaseException:
        storage.delete(stored.name)
        raise
    return asset


def _check_room_for_upload(order: Order) -> None:
    uploads = Asset.objects.filter(
        Q(order=order) | Q(product__order=order) | Q(part__order=order), source="upload"
    )
    if uploads.count() >= MAX_UPLOADS_PER_ORDER:
        raise Conflict(
            f"The order holds {MAX_UPLOADS_PER_ORDER} uploaded files, the most it may",
            field=("file",),
        )


def get_asset(*, actor: Actor, asset_id) -> Asset:
    """An asset the actor may see."""
    asset = actor.restrict(Asset.objects.all()).filter(pk=asset_id).first()
    if asset is None:
        raise NotFound("No such asset")
    return asset


def open_asset(*, actor: Actor, asset_id):
    """The asset the actor may see and its content, opened for reading."""
    asset = get_asset(actor=actor, asset_id=asset_id)
    try:
        return asset, storage.open_file(asset.storage_name)
    except FileNotFoundError:
        raise NotFound("The file of this asset is missing from the storage") from None
