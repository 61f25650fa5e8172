"""`fabflow check`: Django's system checks, then the settings in force and a try of each service.

Run bare, it prints every setting with the value in force (secrets masked) and tries the
database, DBOS's system database, file storage and the mail server, exiting non-zero with the
failing parts named. Asked for Django's own selections (`--deploy`, `--tag`, `--list-tags`, app
labels), it is Django's check exactly.
"""

from django.core.management.base import CommandError
from django.core.management.commands.check import Command as DjangoCheck

from fabflow import config
from fabflow.operations import probes


class Command(DjangoCheck):
    help = DjangoCheck.help + " Bare, also shows the settings in force and tries every service."

    def handle(self, *app_labels, **options):
        super().handle(*app_labels, **options)
        if app_labels or options["deploy"] or options["tags"] or options["list_tags"]:
            return
        self.stdout.write("\nSettings in force (secrets masked):")
        for name, value in config.effective_settings():
            self.stdout.write(f"  {name:<32} {value}")
        self.stdout.write("\nIn force:")
        for name, value in in_force():
            self.stdout.write(f"  {name:<32} {value}")
        self.stdout.write("\nServices:")
        results, _seconds = probes.run(probes.CHECKS)
        for result in results:
            state = "ok     " if result.ok else "FAILING"
            self.stdout.write(f"  {state} {result.name:<16} {result.detail}")
        failing = [result.name for result in results if not result.ok]
        if failing:
            raise CommandError(f"These parts fail: {', '.join(failing)}")


def in_force() -> list[tuple[str, str]]:
    """What the settings come to: where the data is, and the addresses in use (masked)."""
    from django.conf import settings
    from django.core.files.storage import default_storage

    database = settings.DATABASES["default"]
    url_setting = config.KNOWN_SETTINGS["DATABASE_URL"]
    return [
        ("database", f"{database['ENGINE']} {database['NAME']} on {database.get('HOST') or '-'}"),
        ("system database", config.masked(url_setting, settings.DBOS_SYSTEM_DATABASE_URL)),
        ("storage", getattr(default_storage, "bucket_name", None) or default_storage.location),
        ("mail", settings.EMAIL_BACKEND.rsplit(".", 2)[-2]),
        ("public address", settings.FABFLOW_PUBLIC_URL),
        ("log format", settings.LOG_FORMAT),
    ]
