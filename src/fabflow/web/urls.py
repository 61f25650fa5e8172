"""The web UI's URLs: sign-in, the Orders (home), Products and Parts pages, and their exports."""

from django.urls import include, path

from fabflow.accounts import admin_views, organization_views
from fabflow.accounts import views as account_views
from fabflow.files import admin_views as file_admin_views
from fabflow.orders import details
from fabflow.orders import views as order_views
from fabflow.web import space_views
from fabflow.web import views as web_views

urlpatterns = [
    path("sign-in/", account_views.sign_in, name="login"),
    path("sign-out/", account_views.sign_out, name="logout"),
    path("tables/<slug:table>/columns/", account_views.table_columns, name="table_columns"),
    path("", order_views.order_list, name="orders_list"),
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
    path("flows/", include("fabflow.flows.urls")),
    path("users/", admin_views.user_list, name="user_list"),
    path("users/add/", admin_views.user_add, name="user_add"),
    path("users/<uuid:pk>/tags/", admin_views.user_tags, name="user_tags"),
    path("users/<uuid:pk>/deactivate/", admin_views.user_deactivate, name="user_deactivate"),
    path(
        "set-password/<str:encoded_id>/<str:token>/",
        admin_views.set_password,
        name="set_password",
    ),
    path("secret-keys/", admin_views.secret_key_list, name="secret_key_list"),
    path("secret-keys/<uuid:space_id>/add/", admin_views.secret_key_add, name="secret_key_add"),
    path("secret-keys/<uuid:pk>/revoke/", admin_views.secret_key_revoke, name="secret_key_revoke"),
    path("export-targets/", file_admin_views.export_target_list, name="export_target_list"),
    path("export-targets/add/", file_admin_views.export_target_add, name="export_target_add"),
    path(
        "export-targets/<slug:name>/remove/",
        file_admin_views.export_target_remove,
        name="export_target_remove",
    ),
    path("organization/", organization_views.organization_settings, name="organization"),
    path(
        "organization/private-addresses/",
        organization_views.private_addresses,
        name="organization_private_addresses",
    ),
    path("outbox/", web_views.outbox_list, name="outbox_list"),
    path("outbox/<str:file>/<int:index>/", web_views.outbox_message, name="outbox_message"),
    path("spaces/", space_views.space_list, name="space_list"),
    path("spaces/add/", space_views.space_add, name="space_add"),
    path("spaces/<uuid:space_id>/", space_views.space_detail, name="space_detail"),
    path("spaces/<uuid:space_id>/edit/", space_views.space_edit, name="space_edit"),
    path(
        "spaces/<uuid:space_id>/signing-secret/",
        admin_views.signing_secret,
        name="signing_secret",
    ),
    path(
        "spaces/<uuid:space_id>/signing-secret/rotate/",
        admin_views.signing_secret_rotate,
        name="signing_secret_rotate",
    ),
]
