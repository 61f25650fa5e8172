"""The accounts pages' URLs: sign-in, table columns, Users, Secret keys, the organization."""

from django.urls import path

from fabflow.accounts import admin_views, organization_views
from fabflow.accounts import views as account_views

urlpatterns = [
    path("sign-in/", account_views.sign_in, name="login"),
    path("sign-out/", account_views.sign_out, name="logout"),
    path("tables/<slug:table>/columns/", account_views.table_columns, name="table_columns"),
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
    path("organization/", organization_views.organization_settings, name="organization"),
    path(
        "organization/private-addresses/",
        organization_views.private_addresses,
        name="organization_private_addresses",
    ),
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
