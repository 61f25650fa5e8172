from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "fabflow.web"
    label = "web"
