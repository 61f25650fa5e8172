"""The bulk action pages' URLs, under /bulk-actions/."""

from django.urls import path

from fabflow.bulk import views

urlpatterns = [
    path("new/", views.job_create, name="bulk_job_create"),
    path("<uuid:pk>/", views.job_detail, name="bulk_job_detail"),
    path("<uuid:pk>/confirm/", views.job_confirm, name="bulk_job_confirm"),
    path("<uuid:pk>/cancel/", views.job_cancel, name="bulk_job_cancel"),
]
