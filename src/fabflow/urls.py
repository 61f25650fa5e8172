"""The URL map: probes, Django's admin site (operators only), the REST API and the web UI.

It mounts every app's API router and pages here, so that the shared machinery (fabflow.api,
fabflow.web) imports no domain app.
"""

from django.contrib import admin
from django.urls import include, path

from fabflow.api.main import api
from fabflow.bulk import api as bulk_api
from fabflow.flows import api as flows_api
from fabflow.operations import health, metrics
from fabflow.orders import api as orders_api
from fabflow.webhooks import api as webhooks_api

# The order of the routers is the order of the calls in the OpenAPI description.
for router in (orders_api.router, flows_api.router, webhooks_api.router, bulk_api.router):
    api.add_router("", router)

urlpatterns = [
    # Probes and metrics for load balancers and Prometheus (fabflow.operations).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("django-admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("fabflow.web.urls")),
    path("", include("fabflow.accounts.urls")),
    path("", include("fabflow.orders.urls")),
    path("", include("fabflow.files.urls")),
    path("flows/", include("fabflow.flows.urls")),
    path("webhooks/", include("fabflow.webhooks.urls")),
    path("bulk-actions/", include("fabflow.bulk.urls")),
    path("activity/", include("fabflow.audit.urls")),
]
