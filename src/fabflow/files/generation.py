"""Generating an order's production files with its product space's parametric generator.

For every product the generator builds one mesh per part of the product; each mesh becomes a
`production` asset in the requested format, attached to the product's part of the same name
when there is one (a box's "lid"), else to the product. A shaded render of all the product's
meshes becomes a `preview` asset of the product, and so its thumbnail.

Outputs carry `Asset.source` (e.g. "task:files"): running the same source again replaces its own
earlier files in one transaction and leaves uploads and other tasks' files alone. The geometry
work and the storage writes happen before that transaction, so it stays short; files of a run
that fails are removed again, and files a run replaced are removed once it has committed.
"""

import functools
import logging
from dataclasses import dataclass

import trimesh
from django.core.files.base import ContentFile
from django.db import transaction

from fabflow.accounts.actors import Actor
from fabflow.errors import InvalidInput
from fabflow.files import storage
from fabflow.files.rendering import render_trimesh_thumbnail
from fabflow.generators import (
    InvalidConfiguration,
    get_generator,
    validate_configuration,
)
from fabflow.generators.export import MeshFormat, UnsupportedFormat, export_mesh
from fabflow.ids import uuid7
from fabflow.orders.models import Asset, AssetKind, Order, OrderEventType
from fabflow.orders.services import get_order, record_event

logger = logging.getLogger(__name__)

PREVIEW_SIZE = (512, 512)


@dataclass(frozen=True)
class GeneratedFile:
    """One file a generation run attached."""

    asset_id: str
    filename: str
    kind: str
    owner_type: str  # "product" or "part"
    owner_id: str
    size: int
    sha256: str

    def as_dict(self) -> dict:
        return {
            "assetId": self.asset_id,
            "filename": self.filename,
            "kind": self.kind,
            "ownerType": self.owner_type,
            "ownerId": self.owner_id,
            "size": self.size,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class GenerationResult:
    """What a generation run made and how many earlier files of its source it replaced."""

    generator: str
    file_format: str
    files: list[GeneratedFile]
    replaced: int

    def as_dict(self) -> dict:
        return {
            "generator": self.generator,
            "fileFormat": self.file_format,
            "files": [generated.as_dict() for generated in self.files],
            "replaced": self.replaced,
        }


@dataclass
class _PendingAsset:
    owner_type: str
    owner: object
    asset_id: object
    filename: str
    content_type: str
    kind: str
    stored: storage.StoredFile


def generate_production_files(
    *, actor: Actor, order_id, file_format: str, source: str, generator_key: str | None = None
) -> GenerationResult:
    """Run the generator on each product of the order and attach its files and previews.

    `generator_key` defaults to the order's product space's generator. A configuration the
    generator refuses fails the whole run before anything is stored, naming the product and the
    parameter.
    """
    if file_format not in set(MeshFormat):
        raise UnsupportedFormat(file_format)
    order = get_order(actor=actor, order_id=order_id)
    key = generator_key or order.space.generator
    if not key:
        raise InvalidInput(
            f"generator: the product space {order.space.name!r} names no generator; set one on "
            "the space or give `generator` in the task's payload",
            field=("payload", "generator"),
        )
    generator = get_generator(key)
    products = list(order.products.order_by("position").prefetch_related("parts"))
    parameters = []
    for index, product in enumerate(products):
        try:
            parameters.append(validate_configuration(generator, product.configuration))
        except InvalidConfiguration as error:
            raise InvalidInput(
                f"product {product.name!r} (#{index + 1}): {error.message}",
                field=("products", index, *error.field),
            ) from None
    # Built one product at a time as they are stored, so one product's files are in memory.
    built = (
        (product, build_files(product.name, generator.generate(product_parameters), file_format))
        for product, product_parameters in zip(products, parameters, strict=True)
    )
    pending, replaced = attach_files(
        actor=actor, order=order, built=built, source=source, generator_key=key
    )
    return GenerationResult(
        generator=key,
        file_format=file_format,
        files=[
            GeneratedFile(
                asset_id=str(item.asset_id),
                filename=item.filename,
                kind=item.kind,
                owner_type=item.owner_type,
                owner_id=str(item.owner.pk),
                size=item.stored.size,
                sha256=item.stored.sha256,
            )
            for item in pending
        ],
        replaced=replaced,
    )


@dataclass(frozen=True)
class BuiltFile:
    """One file built from a product's meshes, not stored yet."""

    mesh_name: str  # the mesh it shows ("lid"), naming the part it belongs to; "" for the preview
    filename: str
    content: bytes
    content_type: str
    kind: str


def build_files(product_name: str, meshes, file_format: str) -> list[BuiltFile]:
    """Export each generated mesh in `file_format` and render a preview of them all together."""
    built = []
    for generated in meshes:
        exported = export_mesh(generated.mesh, file_format, name=generated.name)
        stem = product_name if len(meshes) == 1 else f"{product_name} {generated.name}"
        built.append(
            BuiltFile(
                mesh_name=generated.name,
                filename=f"{stem}.{exported.extension}",
                content=exported.content,
                content_type=exported.content_type,
                kind=AssetKind.PRODUCTION,
            )
        )
    combined = trimesh.util.concatenate([generated.mesh for generated in meshes])
    built.append(
        BuiltFile(
            mesh_name="",
            filename=f"{product_name} preview.png",
            content=render_trimesh_thumbnail(combined, size=PREVIEW_SIZE),
            content_type="image/png",
            kind=AssetKind.PREVIEW,
        )
    )
    return built


def attach_files(
    *, actor: Actor, order: Order, built, source: str, generator_key: str
) -> tuple[list[_PendingAsset], int]:
    """Store each product's built files and attach them all in one transaction, in place of the
    source's earlier files; returns the stored files and how many earlier ones were replaced.

    `built` yields (product, [BuiltFile]) pairs and may build them as it is read. Files stored
    before a failure are removed again.
    """
    pending: list[_PendingAsset] = []
    try:
        for product, files in built:
            pending.extend(_store_product_files(product, files))
        replaced = _attach(
            actor=actor, order=order, pending=pending, source=source, key=generator_key
        )
    except BaseException:
        for item in pending:
            _delete_quietly(item.stored.name)
        raise
    return pending, replaced


def _store_product_files(product, files: list[BuiltFile]) -> list[_PendingAsset]:
    """Store one product's files, each on the part its mesh names, else on the product."""
    parts_by_name = {part.name.casefold(): part for part in product.parts.all()}
    pending = []
    for built in files:
        part = parts_by_name.get(built.mesh_name.casefold()) if built.mesh_name else None
        pending.append(
            _store(
                owner_type="part" if part is not None else "product",
                owner=part if part is not None else product,
                filename=built.filename,
                content=built.content,
                content_type=built.content_type,
                kind=built.kind,
            )
        )
    return pending


def _store(*, owner_type, owner, filename, content, content_type, kind) -> _PendingAsset:
    asset_id = uuid7()
    filename = storage.sanitize_filename(filename)
    stored = storage.store(
        ContentFile(content), folder=f"assets/{owner.space_id}/{asset_id}", filename=filename
    )
    return _PendingAsset(owner_type, owner, asset_id, filename, content_type, kind, stored)


def _attach(*, actor: Actor, order: Order, pending: list[_PendingAsset], source: str, key: str):
    """Swap the source's earlier assets for the new ones in one transaction; return how many."""
    with transaction.atomic():
        # Two runs of the same task for one order must not interleave their swaps.
        Order.objects.select_for_update().filter(pk=order.pk).first()
        earlier = actor.restrict(Asset.objects.all()).filter(
            product__order=order, source=source
        ) | actor.restrict(Asset.objects.all()).filter(part__order=order, source=source)
        earlier = list(earlier)
        Asset.objects.filter(pk__in=[asset.pk for asset in earlier]).delete()
        Asset.objects.bulk_create(
            [
                Asset(
                    id=item.asset_id,
                    organization_id=item.owner.organization_id,
                    space_id=item.owner.space_id,
                    **{item.owner_type: item.owner},
                    filename=item.filename,
                    content_type=item.content_type,
                    size=item.stored.size,
                    sha256=item.stored.sha256,
                    kind=item.kind,
                    storage_name=item.stored.name,
                    source=source,
                )
                for item in pending
            ]
        )
        if pending or earlier:
            record_event(
                actor=actor,
                order=order,
                type=OrderEventType.ASSET_REPLACED if earlier else OrderEventType.ASSET_ADDED,
                details={
                    "source": source,
                    "generator": key,
                    "files": [item.filename for item in pending],
                    "replaced": len(earlier),
                },
            )
        for asset in earlier:
            transaction.on_commit(
                functools.partial(_delete_quietly, asset.storage_name), robust=True
            )
    return len(earlier)


def _delete_quietly(name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        # A leftover file wastes space but harms nobody; the log names it for a clean-up.
        logger.exception("cannot delete the stored file %s", name)
