from django.core.management.base import BaseCommand, CommandError

from alliance.api.models import ApiKey
from alliance.api.scopes import Scope
from members.models import Organisation


class Command(BaseCommand):
    help = "Make an API key for a partner and print its secret (shown this once only)."

    def add_arguments(self, parser):
        parser.add_argument("partner_name")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=Scope.values,
            help="Repeat for several scopes (default: read).",
        )
        parser.add_argument("--organisation", help="Slug of the partner's organisation.")

    def handle(self, *args, partner_name, scopes, organisation, **options):
        owner = None
        if organisation:
            owner = Organisation.objects.filter(slug=organisation).first()
            if owner is None:
                raise CommandError(f"No organisation with the slug {organisation!r}.")
        key, secret = ApiKey.issue(
            partner_name=partner_name, scopes=scopes or [Scope.READ], organisation=owner
        )
        self.stderr.write(f"Key {key.prefix} for {partner_name}, scopes {', '.join(key.scopes)}:")
        self.stdout.write(secret)
