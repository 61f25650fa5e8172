from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "fabflow.webhooks"
    label = "webhooks"
