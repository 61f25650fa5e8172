"""`fabflow backup PATH`: the installation's databases, files and settings in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fabflow.operations.archive import Refused
from fabflow.operations.backup import take_backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of this installation (both databases, the stored files, "
        "the settings in force without secrets) to PATH: .tar, .tar.gz or .tar.xz. "
        "Orders and flows may keep running meanwhile."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        if path.exists():
            raise CommandError(f"{path} exists already: a backup never overwrites a file")
        try:
            summary = take_backup(path)
        except Refused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(
            f"Backed up {sum(summary.counts.values())} rows and {summary.files} files "
            f"to {summary.path} ({summary.size} bytes) in {summary.seconds:.1f} s"
        )
