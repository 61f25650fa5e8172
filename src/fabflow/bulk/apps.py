from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "fabflow.bulk"
    label = "bulk"

    def ready(self) -> None:
        from fabflow import durable
        from fabflow.bulk import runner

        # Bulk actions run in the workers, on a queue of their own: one job per organization
        # at a time.
        durable.host(
            durable.HostedWork(
                name="bulk jobs",
                register_workflows=runner.register_workflows,
                enqueue_lost=runner.enqueue_lost_jobs,
                register_queues=runner.register_queue,
            )
        )
