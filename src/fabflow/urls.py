"""The URL map: Django's admin site (operators only), the REST API and the web UI."""

from django.contrib import admin
from django.urls import include, path

from fabflow.api.main import api
from fabflow.operations import health, metrics

urlpatterns = [
    # Probes and metrics for load balancers and Prometheus (fabflow.operations).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("django-admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("fabflow.web.urls")),
]
