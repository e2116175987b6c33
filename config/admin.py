"""The admin site: a second factor (django-otp TOTP) for reviewers and superusers, optional for editors."""

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.review.services import REVIEWERS_GROUP

NOT_ENROLLED = (
    "This account needs a second factor to sign in: reviewers and superusers use an authenticator app (TOTP). "
    "Ask an administrator to enrol a device for you."
)


def has_otp_device(user) -> bool:
    return any(devices_for_user(user, confirmed=True))


def second_factor_required(user) -> bool:
    """Reviewers and superusers always; an editor once they have enrolled a device (optional for editors)."""
    cached = getattr(user, "_second_factor_required", None)
    if cached is None:
        cached = user.is_superuser or user.groups.filter(name=REVIEWERS_GROUP).exists() or has_otp_device(user)
        user._second_factor_required = cached
    return cached


class StaffAuthenticationForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """Username, password and, for the accounts that need one, the current code from the authenticator app."""

    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_token = forms.CharField(
        required=False,
        label="Authentication code",
        help_text="Reviewers and superusers: the 6-digit code from your authenticator app.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 8}),
    )
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required="Enter the authentication code from your authenticator app.",
        invalid_token="That authentication code is not valid. Codes change every 30 seconds: try the current one.",
    )

    def _chosen_device(self, user):
        # The form asks for a code, not a device: a staff account has one authenticator (TOTP) device.
        device = super()._chosen_device(user)
        if device is None:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update().order_by("pk").first()
        return device

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and second_factor_required(user):
            if not has_otp_device(user):
                raise forms.ValidationError(NOT_ENROLLED, code="otp_not_enrolled")
            self.clean_otp(user)
        return cleaned


class LLMRefAdminSite(AdminSite):
    site_header = "LLM Reference admin"
    site_title = "LLM Reference admin"
    login_form = StaffAuthenticationForm
    login_template = "admin/staff_login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        """Staff, and verified by their device when their account needs a second factor."""
        if not super().has_permission(request):
            return False
        user = request.user
        return user.is_verified() or not second_factor_required(user)
