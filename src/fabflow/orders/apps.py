from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "fabflow.orders"
    label = "orders"
    verbose_name = "Orders"
