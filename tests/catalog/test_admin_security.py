"""Admin sign-in: TOTP for reviewers (optional for editors), lockout after repeated failures, expiring sessions."""

import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.management.commands.enrol_demo_otp import current_code
from tests.auth_support import sign_in

from .workflow_support import create_editor, create_reviewer

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def with_password(user: User) -> User:
    user.set_password(PASSWORD)
    user.save()
    return user


def enrol(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def log_in(client, username, password=PASSWORD, code="", address="198.51.100.7"):
    data = {"username": username, "password": password, "otp_token": code, "next": "/admin/"}
    return client.post(LOGIN, data, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


class TestSecondFactor:
    def test_reviewer_signs_in_with_password_and_current_code(self, client):
        device = enrol(with_password(create_reviewer()))
        response = log_in(client, "reviewer", code=current_code(device))
        assert response.status_code == 302 and response["Location"] == "/admin/"
        assert signed_in(client)

    def test_reviewer_without_a_code_is_refused_with_a_message(self, client):
        enrol(with_password(create_reviewer()))
        response = log_in(client, "reviewer")
        assert response.status_code == 200
        assert "Enter the authentication code from your authenticator app." in response.content.decode()
        assert not signed_in(client)

    def test_reviewer_with_a_wrong_code_is_refused(self, client):
        device = enrol(with_password(create_reviewer()))
        wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
        response = log_in(client, "reviewer", code=wrong)
        assert "That authentication code is not valid" in response.content.decode()
        assert not signed_in(client)

    def test_reviewer_without_a_device_cannot_sign_in(self, client):
        with_password(create_reviewer())
        response = log_in(client, "reviewer", code="123456")
        assert "needs a second factor" in response.content.decode()
        assert not signed_in(client)

    def test_editor_without_a_device_signs_in_with_the_password_alone(self, client):
        with_password(create_editor())
        assert log_in(client, "editor").status_code == 302
        assert signed_in(client)

    def test_an_enrolled_editor_needs_the_code(self, client):
        device = enrol(with_password(create_editor()))
        assert log_in(client, "editor").status_code == 200
        assert not signed_in(client)
        assert log_in(client, "editor", code=current_code(device)).status_code == 302
        assert signed_in(client)

    def test_a_reviewer_session_without_a_verified_device_is_not_let_in(self, client):
        reviewer = create_reviewer()
        enrol(reviewer)
        client.force_login(reviewer)  # password only, as if the second step were skipped
        response = client.get("/admin/catalog/awaitingreview/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)

    def test_superusers_need_a_second_factor_too(self, client):
        admin = User.objects.create_superuser("root", "root@example.com", PASSWORD)
        client.force_login(admin)
        assert not signed_in(client)
        sign_in(client, admin)
        assert signed_in(client)


class TestLockout:
    def test_five_failures_lock_out_that_user_from_that_address_and_are_logged(self, client, caplog):
        with_password(create_editor())
        with caplog.at_level(logging.WARNING, logger="axes"):
            statuses = [log_in(client, "editor", password="wrong").status_code for _ in range(5)]
            locked = log_in(client, "editor")  # even the right password
        assert statuses[:4] == [200] * 4
        assert locked.status_code == 429
        assert "Sign-in locked" in locked.content.decode()
        assert not signed_in(client)
        assert "AXES: Locking out" in caplog.text
        attempt = AccessAttempt.objects.get(username="editor", ip_address="198.51.100.7")
        assert attempt.failures_since_start >= 5
        assert AccessFailureLog.objects.filter(username="editor").count() >= 5

    def test_the_same_user_from_another_address_is_not_locked_out(self, client):
        with_password(create_editor())
        for _ in range(5):
            log_in(client, "editor", password="wrong")
        assert log_in(client, "editor", address="203.0.113.50").status_code == 302

    def test_lockouts_are_listed_in_the_admin(self, client, admin_client):
        with_password(create_editor())
        for _ in range(5):
            log_in(client, "editor", password="wrong")
        response = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
        assert response.status_code == 200
        assert "198.51.100.7" in response.content.decode()


class TestSessionsAndPasswords:
    def test_staff_sessions_expire_after_eight_hours_and_at_browser_close(self, client, settings):
        with_password(create_editor())
        log_in(client, "editor")
        assert settings.SESSION_COOKIE_AGE == 8 * 3600
        assert client.session.get_expire_at_browser_close()

    def test_a_weak_new_password_is_refused_with_the_validators_messages(self, client):
        editor = with_password(create_editor())
        sign_in(client, editor)
        response = client.post(
            reverse("admin:password_change"),
            {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "This password is too short" in html and "This password is too common" in html
        editor.refresh_from_db()
        assert editor.check_password(PASSWORD)


class TestEnrolDemoOtp:
    def test_refused_with_debug_off(self, settings):
        settings.DEBUG = False
        with pytest.raises(CommandError, match="DEBUG is off"):
            call_command("enrol_demo_otp")
        assert not TOTPDevice.objects.exists()

    def test_enrols_the_demo_reviewers_and_prints_a_code_that_signs_in(self, settings, client, capsys):
        settings.DEBUG = True
        call_command("create_demo_accounts", "--password", PASSWORD)
        call_command("enrol_demo_otp")
        call_command("enrol_demo_otp")  # idempotent: the same device, a fresh code
        out = capsys.readouterr().out
        assert TOTPDevice.objects.filter(user__username__in=["reviewer", "reviewer2"]).count() == 2
        assert not TOTPDevice.objects.filter(user__username="editor").exists()
        assert "otpauth://totp/LLM%20Reference%3Areviewer?secret=" in out
        code = out.rsplit("reviewer: current code ", 1)[1][:6]
        assert log_in(client, "reviewer", code=code).status_code == 302
