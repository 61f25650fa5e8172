"""The shared UI's own URLs: the favicon, the outbox and the list pages' saved views.

fabflow/urls.py mounts every app's pages."""

from django.urls import path

from fabflow.web import views as web_views

urlpatterns = [
    path("favicon.ico", web_views.favicon, name="favicon"),
    path("outbox/", web_views.outbox_list, name="outbox_list"),
    path("outbox/<str:file>/<int:index>/", web_views.outbox_message, name="outbox_message"),
    path("tables/<slug:table>/views/", web_views.saved_view_list, name="saved_view_list"),
    path("tables/<slug:table>/views/save/", web_views.saved_view_save, name="saved_view_save"),
    path("tables/<slug:table>/views/<uuid:pk>/", web_views.saved_view_open, name="saved_view_open"),
    path(
        "tables/<slug:table>/views/<uuid:pk>/change/",
        web_views.saved_view_change,
        name="saved_view_change",
    ),
    path(
        "tables/<slug:table>/views/<uuid:pk>/delete/",
        web_views.saved_view_delete,
        name="saved_view_delete",
    ),
]
