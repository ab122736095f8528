"""`manage.py demo_totp EMAIL`: the code a demo convenor's or coordinator's authenticator
app would show now, so that the quick start needs no phone.

Only for the demo logins, whose secrets are fixed and published in alliance/demo/data.py:
the command reads the secret from there, never from the database, so it cannot print a
code for anyone else.
"""

from allauth.mfa.adapter import get_adapter
from django.core.management.base import BaseCommand, CommandError

from alliance.core.accounts.models import User
from alliance.demo import data
from alliance.demo.totp import current_code, seconds_left


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo convenor or coordinator."

    def add_arguments(self, parser):
        parser.add_argument("email", help="a demo login, e.g. " + data.CONVENOR.email)

    def handle(self, *args, email, **options):
        demo_users = {user.email: user for user in data.DEMO_USERS if user.totp_secret}
        demo_user = demo_users.get(email.strip().lower())
        if demo_user is None:
            raise CommandError(
                f"{email} is not a demo login with a second factor; those are: "
                + ", ".join(demo_users)
            )
        self.stdout.write(f"{current_code(demo_user.totp_secret)}")
        if options["verbosity"] > 1:
            user = User.objects.filter(email=demo_user.email).first()
            self.stdout.write(f"(valid for {seconds_left()} more seconds)")
            if user is not None:
                self.stdout.write(get_adapter().build_totp_url(user, demo_user.totp_secret))
