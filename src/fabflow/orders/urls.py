"""The Orders (home), Products and Parts pages' URLs, their exports and an order's actions."""

from django.urls import path

from fabflow.orders import dashboard, details
from fabflow.orders import views as order_views

urlpatterns = [
    path("", order_views.order_list, name="orders_list"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("orders/export/", order_views.order_export, name="orders_export"),
    path("orders/<uuid:pk>/", details.order_detail, name="order_detail"),
    path("orders/<uuid:pk>/flow/", details.start_flow, name="order_start_flow"),
    path(
        "orders/<uuid:pk>/tasks/<uuid:task_id>/<slug:action>/",
        details.task_action,
        name="order_task_action",
    ),
    path("products/", order_views.product_list, name="products_list"),
    path("products/export/", order_views.product_export, name="products_export"),
    path("products/<uuid:pk>/", details.product_detail, name="product_detail"),
    path("parts/", order_views.part_list, name="parts_list"),
    path("parts/export/", order_views.part_export, name="parts_export"),
    path("parts/<uuid:pk>/", details.part_detail, name="part_detail"),
]
