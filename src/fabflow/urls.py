"""The URL map: Django's admin site, the REST API and the web UI."""

from django.contrib import admin
from django.urls import include, path

from fabflow.api.main import api

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("fabflow.web.urls")),
]
