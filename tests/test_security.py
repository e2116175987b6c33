"""Security headers on every kind of page, and the CSP violation report endpoint."""

import json
import logging
import re

import pytest
from django.test import Client

from tests.factories import create_model

pytestmark = pytest.mark.django_db

STRICT_CSP = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "report-uri /csp-report/",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>")


def csp_directives(response) -> set[str]:
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


class TestHeaders:
    @pytest.mark.parametrize("url", ["/", "/models/", "/compare/", "/changes/", "/admin/login/", "/no-such-page/"])
    def test_public_admin_and_error_pages_carry_a_strict_policy(self, client, url):
        response = client.get(url)
        assert csp_directives(response) >= STRICT_CSP
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"

    @pytest.mark.parametrize(
        "url",
        ["/admin/", "/admin/catalog/languagemodel/", "/admin/catalog/languagemodel/add/", "/admin/password_change/"],
    )
    def test_admin_pages_have_no_inline_script_or_style(self, staff_client, url):
        response = staff_client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert csp_directives(response) >= STRICT_CSP
        assert not INLINE_SCRIPT.findall(html)
        assert " style=" not in html and "<style" not in html

    def test_model_page_has_no_inline_script(self, client):
        model = create_model(name="Inline Free")
        html = client.get(f"/models/{model.slug}/").content.decode()
        assert not INLINE_SCRIPT.findall(html)

    def test_csrf_cookie_is_same_site_lax(self, client):
        cookie = client.get("/admin/login/").cookies["csrftoken"]
        assert cookie["samesite"] == "Lax"


class TestCspReport:
    REPORT = {"csp-report": {"document-uri": "https://example.com/", "violated-directive": "script-src 'self'"}}

    def post(self, client, body, content_type="application/csp-report", **extra):
        return client.post("/csp-report/", body, content_type=content_type, **extra)

    def test_a_report_is_logged_and_answered_with_no_content(self, client, caplog):
        with caplog.at_level(logging.WARNING, logger="llmref.csp"):
            response = self.post(client, json.dumps(self.REPORT))
        assert response.status_code == 204
        assert "violated-directive" in caplog.text and "script-src" in caplog.text

    def test_reports_need_no_csrf_token(self):
        response = self.post(Client(enforce_csrf_checks=True), json.dumps(self.REPORT))
        assert response.status_code == 204

    def test_a_report_over_the_size_limit_is_refused_unread(self, client, settings, caplog):
        settings.CSP_REPORT_MAX_BYTES = 100
        with caplog.at_level(logging.WARNING, logger="llmref.csp"):
            response = self.post(client, json.dumps({"csp-report": {"x": "y" * 200}}))
        assert response.status_code == 413
        assert "CSP violation" not in caplog.text

    @pytest.mark.parametrize("body", ["not json", "\xff\xfe", "42", "{"])
    def test_a_malformed_report_is_a_400(self, client, body):
        assert self.post(client, body).status_code == 400

    def test_other_content_types_are_refused(self, client):
        assert self.post(client, "a=b", content_type="application/x-www-form-urlencoded").status_code == 415

    def test_get_is_not_allowed(self, client):
        assert client.get("/csp-report/").status_code == 405

    def test_reports_are_rate_limited_per_client(self, client, settings, caplog):
        settings.CSP_REPORTS_PER_MINUTE = 3
        body = json.dumps(self.REPORT)
        with caplog.at_level(logging.WARNING, logger="llmref.csp"):
            statuses = [self.post(client, body, REMOTE_ADDR="203.0.113.9").status_code for _ in range(5)]
            other = self.post(client, body, REMOTE_ADDR="203.0.113.10").status_code
        assert statuses == [204, 204, 204, 429, 429]
        assert other == 204
        assert caplog.text.count("CSP violation") == 4
