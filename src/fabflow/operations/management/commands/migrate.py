"""`fabflow migrate`: Django's migrate, refusing a database migrated by a newer release."""

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate

from fabflow.operations.releases import unknown_applied_migrations


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Refuses a database that a newer release of Fabflow migrated."

    def handle(self, *args, **options):
        unknown = unknown_applied_migrations(options["database"])
        if unknown:
            raise CommandError(
                "This database was migrated by a newer release of Fabflow: it has migrations "
                f"this release does not know ({', '.join(unknown)}). Run that release, or "
                "restore a backup made by this one."
            )
        return super().handle(*args, **options)
