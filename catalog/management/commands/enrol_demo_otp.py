"""Local development: a TOTP device for each demo account, and the code it shows right now. Debug only."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.review.services import REVIEWERS_GROUP

from .create_demo_accounts import ACCOUNTS

DEVICE_NAME = "demo authenticator"


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


class Command(BaseCommand):
    help = (
        "Enrol a TOTP device for the local demo reviewers (kept across runs; --editor adds the editor) and print "
        "each one's secret, otpauth:// URL and current code. Debug only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--editor", action="store_true", help="Enrol the demo editor too (optional for editors).")

    def handle(self, *args, editor: bool, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to enrol demo second factors while DEBUG is off: their secrets are printed in the clear. "
                "Set DJANGO_DEBUG=1 for local development."
            )
        User = get_user_model()
        usernames = [username for username, group, _role in ACCOUNTS if editor or group == REVIEWERS_GROUP]
        users = {u.username: u for u in User.objects.filter(username__in=usernames)}
        missing = [name for name in usernames if name not in users]
        if missing:
            raise CommandError(f"No demo account {', '.join(missing)}: run `manage.py create_demo_accounts` first.")
        for username in usernames:
            device, _created = TOTPDevice.objects.get_or_create(
                user=users[username], name=DEVICE_NAME, defaults={"confirmed": True}
            )
            secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
            self.stdout.write(f"{username}: current code {current_code(device)}  (secret {secret})")
            self.stdout.write(f"  {device.config_url}")
        self.stdout.write(
            self.style.SUCCESS(
                "Reviewers enter their current code at http://127.0.0.1:8000/admin/ (the editor leaves it empty "
                "unless enrolled with --editor). Codes change every 30 seconds: add the otpauth:// URL to an "
                "authenticator app, or run `make otp` for fresh codes."
            )
        )
