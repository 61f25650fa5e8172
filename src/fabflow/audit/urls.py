"""The Activity page's URLs."""

from django.urls import path

from fabflow.audit import views

urlpatterns = [
    path("", views.activity, name="activity"),
    path("export/", views.activity_export, name="activity_export"),
]
