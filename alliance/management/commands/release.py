from django.core.management.base import BaseCommand

from alliance import __version__


class Command(BaseCommand):
    # Django keeps `manage.py version` for its own version.
    help = "Print the release of Alliance Hub this installation runs (also in /healthz)."

    def handle(self, *args, **options):
        self.stdout.write(__version__)
