"""The Orders, Products and Parts list pages of the web UI and their exports."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from fabflow.orders import services
from fabflow.orders.filters import OrderFilterSet, PartFilterSet, ProductFilterSet
from fabflow.orders.models import Asset, OrderStatus
from fabflow.orders.tables import OrderTable, PartTable, ProductTable
from fabflow.web.exports import AssetFolder
from fabflow.web.listing import TablePage, export_rows, register_page, render_list


def _asset_folders(owner_field: str):
    """For a zip export: one folder per exported row, named after it, holding its files."""

    def folders(records) -> list[AssetFolder]:
        by_owner: dict = {record.pk: [] for record in records}
        assets = Asset.objects.filter(**{f"{owner_field}__in": list(by_owner)}).order_by(
            "created_at", "filename"
        )
        for asset in assets:
            by_owner[getattr(asset, f"{owner_field}_id")].append(asset)
        # The id's tail keeps folders apart when two rows share a name.
        return [
            AssetFolder(folder=f"{record.name} ({record.pk.hex[-8:]})", assets=by_owner[record.pk])
            for record in records
        ]

    return folders


ORDERS = register_page(
    TablePage(
        key="orders",
        title="Orders",
        table_class=OrderTable,
        filterset_class=OrderFilterSet,
        filter_rows=services.filter_orders,
        display=lambda rows: rows.only(
            "id", "name", "status", "value", "created_at", "deadline", "tags"
        ),
        status_choices=tuple(OrderStatus.choices),
        has_tag_filter=True,
        table_kwargs=lambda request: {"user_tags": request.user.tags},
        actions_template="bulk/_actions_menu.html",
    )
)
PRODUCTS = register_page(
    TablePage(
        key="products",
        title="Products",
        table_class=ProductTable,
        filterset_class=ProductFilterSet,
        filter_rows=services.filter_products,
        display=lambda rows: rows.select_related("order").only(
            "id", "name", "units", "unit_value", "created_at", "order_id", "order__name"
        ),
        asset_folders=_asset_folders("product"),
    )
)
PARTS = register_page(
    TablePage(
        key="parts",
        title="Parts",
        table_class=PartTable,
        filterset_class=PartFilterSet,
        filter_rows=services.filter_parts,
        display=lambda rows: rows.select_related("order", "product").only(
            "id", "name", "created_at", "order_id", "product_id", "order__name", "product__name"
        ),
        asset_folders=_asset_folders("part"),
    )
)


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, ORDERS)


@login_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, PRODUCTS)


@login_required
@require_GET
def part_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, PARTS)


@login_required
@require_POST
def order_export(request: HttpRequest) -> HttpResponse:
    return export_rows(request, ORDERS)


@login_required
@require_POST
def product_export(request: HttpRequest) -> HttpResponse:
    return export_rows(request, PRODUCTS)


@login_required
@require_POST
def part_export(request: HttpRequest) -> HttpResponse:
    return export_rows(request, PARTS)
