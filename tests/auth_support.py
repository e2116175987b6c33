"""Signing staff in from tests: force_login, plus a verified second factor for the accounts that need one."""

from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.admin import second_factor_required


def sign_in(client: Client, user: AbstractBaseUser) -> Client:
    """Log `user` in as the admin login would: with their TOTP device verified when their account requires one."""
    client.force_login(user)
    if second_factor_required(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test device", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
