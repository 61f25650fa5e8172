from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fabflow.api"
    label = "api"
