from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "fabflow.flows"
    label = "flows"
    verbose_name = "Order flows"
