from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "fabflow.files"
    label = "files"

    def ready(self) -> None:
        from fabflow import durable

        # Previews of uploaded files are rendered by the workers, never in a web request.
        durable.host(durable.HostedWork(name="previews", module="fabflow.files.thumbnailing"))
