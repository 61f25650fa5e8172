"""The operations app."""

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Health, metrics, request ids; warns at start about settings it does not know."""

    name = "fabflow.operations"
    label = "operations"

    def ready(self):
        from fabflow import config

        # Logging is configured by now, so the warnings reach the log in its chosen format.
        config.warn_about_unknown_settings()
