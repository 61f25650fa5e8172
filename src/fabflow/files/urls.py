"""The Export targets and Product spaces pages' URLs."""

from django.urls import path

from fabflow.files import admin_views, space_views

urlpatterns = [
    path("export-targets/", admin_views.export_target_list, name="export_target_list"),
    path("export-targets/add/", admin_views.export_target_add, name="export_target_add"),
    path(
        "export-targets/<slug:name>/remove/",
        admin_views.export_target_remove,
        name="export_target_remove",
    ),
    path("spaces/", space_views.space_list, name="space_list"),
    path("spaces/add/", space_views.space_add, name="space_add"),
    path("spaces/<uuid:space_id>/", space_views.space_detail, name="space_detail"),
    path("spaces/<uuid:space_id>/edit/", space_views.space_edit, name="space_edit"),
]
