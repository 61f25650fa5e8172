"""The Order flows pages, mounted under flows/ by the web UI's URL map."""

from django.urls import path

from fabflow.flows import views

urlpatterns = [
    path("", views.flow_list, name="flow_list"),
    path("new/", views.flow_create, name="flow_create"),
    path("<slug:space_key>/<slug:flow_key>/", views.flow_edit, name="flow_edit"),
]
