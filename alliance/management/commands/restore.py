from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alliance.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup (the latest, or the one named) into an empty database and its "
        "files into MEDIA_ROOT, then check every table's rows against the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", default="latest")
        parser.add_argument("--from", dest="source", default=None)

    def handle(self, *args, name="latest", source=None, **options):
        source = source or settings.BACKUP_DESTINATION
        try:
            backup = restore_backup(source=source, name=name)
        except BackupError as error:
            raise CommandError(str(error)) from error
        tables = len(backup.manifest["row_counts"])
        self.stdout.write(
            f"{backup.name} restored from {source}: {tables} tables, every row count matches "
            f"(release {backup.manifest['version']})"
        )
