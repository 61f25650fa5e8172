"""The URL map: Django's admin site, the REST API and the web UI."""

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("django-admin/", admin.site.urls),
]
