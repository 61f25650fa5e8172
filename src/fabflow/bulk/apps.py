from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "fabflow.bulk"
    label = "bulk"

    def ready(self) -> None:
        from fabflow import durable

        # Bulk actions run in the workers, on a queue of their own: one job per organization
        # at a time.
        durable.host(durable.HostedWork(name="bulk jobs", module="fabflow.bulk.runner"))
