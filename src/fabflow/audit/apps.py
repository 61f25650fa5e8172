from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fabflow.audit"
    label = "audit"
