from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alliance.backups import BackupError, make_backup, store_for


class Command(BaseCommand):
    help = (
        "Back up the database and uploaded files to a directory or s3://bucket/prefix "
        "(default BACKUP_DESTINATION), keeping one a day for 14 days and one a week for 8 weeks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", dest="destination", default=None)
        parser.add_argument("--list", action="store_true", help="list the backups kept there")

    def handle(self, *args, destination=None, list=False, **options):
        destination = destination or settings.BACKUP_DESTINATION
        if list:
            for name in store_for(destination).names():
                self.stdout.write(name)
            return
        try:
            backup = make_backup(destination=destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(backup.manifest["row_counts"].values())
        self.stdout.write(f"{backup.name} written to {destination} ({rows} rows)")
