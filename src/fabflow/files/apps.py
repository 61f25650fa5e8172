from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "fabflow.files"
    label = "files"

    def ready(self) -> None:
        from fabflow import durable
        from fabflow.files import thumbnailing

        # Previews of uploaded files are rendered by the workers, never in a web request.
        durable.host(
            durable.HostedWork(
                name="previews",
                register_workflows=thumbnailing.register_workflows,
                enqueue_lost=thumbnailing.enqueue_lost_jobs,
            )
        )
