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
from fabflow.files.generators import (
    InvalidConfiguration,
    get_generator,
    validate_configuration,
)
from fabflow.files.generators.export import MeshFormat, UnsupportedFormat, export_mesh
from fabflow.files.thumbnails import render_trimesh_thumbnail
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
            loc=("payload", "generator"),
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
                loc=("products", index, *error.loc),
            ) from None
    pending: list[_PendingAsset] = []
    try:
        for product, product_parameters in zip(products, parameters, strict=True):
            pending.extend(
                _build_product_files(product, generator, product_parameters, file_format)
            )
        replaced = _attach(actor=actor, order=order, pending=pending, source=source, key=key)
    except BaseException:
        for item in pending:
            _delete_quietly(item.stored.name)
        raise
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


def _build_product_files(product, generator, parameters, file_format: str) -> list[_PendingAsset]:
    """Build, export and store one product's meshes and preview (nothing in the database yet)."""
    meshes = generator.generate(parameters)
    parts_by_name = {part.name.casefold(): part for part in product.parts.all()}
    built = []
    for generated in meshes:
        exported = export_mesh(generated.mesh, file_format, name=generated.name)
        part = parts_by_name.get(generated.name.casefold())
        stem = product.name if len(meshes) == 1 else f"{product.name} {generated.name}"
        built.append(
            _store(
                owner_type="part" if part is not None else "product",
                owner=part if part is not None else product,
                filename=f"{stem}.{exported.extension}",
                content=exported.content,
                content_type=exported.content_type,
                kind=AssetKind.PRODUCTION,
            )
        )
    combined = trimesh.util.concatenate([generated.mesh for generated in meshes])
    built.append(
        _store(
            owner_type="product",
            owner=product,
            filename=f"{product.name} preview.png",
            content=render_trimesh_thumbnail(combined, size=PREVIEW_SIZE),
            content_type="image/png",
            kind=AssetKind.PREVIEW,
        )
    )
    return built


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
