from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from alliance.core.api.models import ApiKey
from alliance.core.api.scopes import Scope
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
        parser.add_argument(
            "--acting-for",
            metavar="EMAIL",
            help="The person whose permissions the key's writes carry (write:members).",
        )

    def handle(self, *args, partner_name, scopes, organisation, acting_for, **options):
        person = None
        if acting_for:
            person = get_user_model().objects.filter(email__iexact=acting_for).first()
            if person is None:
                raise CommandError(f"No user with the email address {acting_for!r}.")
        owner = None
        if organisation:
            owner = Organisation.objects.filter(slug=organisation).first()
            if owner is None:
                raise CommandError(f"No organisation with the slug {organisation!r}.")
        try:
            key, secret = ApiKey.issue(
                partner_name=partner_name,
                scopes=scopes or [Scope.READ],
                organisation=owner,
                acting_for=person,
            )
        except ValueError as refusal:
            raise CommandError(str(refusal)) from None
        self.stderr.write(f"Key {key.prefix} for {partner_name}, scopes {', '.join(key.scopes)}:")
        self.stdout.write(secret)
