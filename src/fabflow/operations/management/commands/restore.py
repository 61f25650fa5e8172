"""`fabflow restore PATH`: put this installation back as the backup at PATH holds it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fabflow.operations.archive import Refused
from fabflow.operations.restore import restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `fabflow backup` into this installation, checking every "
        "member's checksum first. A SQLite backup restored into a PostgreSQL installation moves "
        "it to PostgreSQL. Stop the web and worker processes first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the data of an installation that is not empty",
        )

    def handle(self, *args, path: Path, force: bool, **options):
        try:
            summary = restore_backup(path, force=force)
        except Refused as refusal:
            raise CommandError(str(refusal)) from None
        if summary.mismatches:
            listed = ", ".join(
                f"{table} {expected} → {found}"
                for table, (expected, found) in summary.mismatches.items()
            )
            raise CommandError(f"Restored, but some row counts differ from the backup: {listed}")
        moved = " and moved to PostgreSQL" if summary.moved else ""
        self.stdout.write(
            f"Restored {sum(summary.counts.values())} rows{moved} from {path}; "
            f"{summary.requeued} flow tasks enqueued again"
        )
