"""The Webhooks pages' URLs, under /webhooks/."""

from django.urls import path

from fabflow.webhooks import views

urlpatterns = [
    path("", views.subscription_list, name="webhook_list"),
    path("add/", views.subscription_add, name="webhook_add"),
    path("<uuid:pk>/", views.subscription_detail, name="webhook_detail"),
    path("<uuid:pk>/edit/", views.subscription_edit, name="webhook_edit"),
    path("<uuid:pk>/enable/", views.subscription_enable, name="webhook_enable"),
    path("<uuid:pk>/disable/", views.subscription_disable, name="webhook_disable"),
    path("<uuid:pk>/delete/", views.subscription_delete, name="webhook_delete"),
    path(
        "<uuid:pk>/rotate-secret/", views.subscription_rotate_secret, name="webhook_rotate_secret"
    ),
    path(
        "<uuid:pk>/deliveries/<uuid:delivery_id>/resend/",
        views.delivery_resend,
        name="webhook_resend",
    ),
]
