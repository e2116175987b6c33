"""Production settings: `check --deploy` is clean and the HTTPS settings follow the documented variables."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "deploy-test-" + "k7Qx2Lr9Vb4Np8Zt6Hs3Jd5Fw1Mc0Ye" * 2
PRODUCTION = {"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "example.com"}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def production_setting_values(*names: str, **env: str) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    result = run(["-c", code], DJANGO_SETTINGS_MODULE="config.settings", **{**PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_deploy_check_passes_at_warning_level_with_the_documented_variables():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_passes_with_hsts_preload_opted_in():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], DJANGO_HSTS_PRELOAD="1", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(0 silenced)" in result.stdout


def test_deploy_check_fails_when_https_is_switched_off():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_HSTS_SECONDS="0",
        **PRODUCTION,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_production_defaults_are_https_only_with_hsts_and_strict_cookies():
    values = production_setting_values(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_SAMESITE",
        "X_FRAME_OPTIONS",
        "SECURE_REFERRER_POLICY",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
    }


def test_proxy_header_and_hsts_are_configured_from_the_environment():
    values = production_setting_values(
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_PRELOAD",
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        DJANGO_HSTS_SECONDS="600",
        DJANGO_HSTS_PRELOAD="1",
    )
    assert values == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 600,
        "SECURE_HSTS_PRELOAD": True,
    }


def test_production_redirects_http_to_https_and_trusts_the_proxy_header():
    # A request through the test client in a production process: plain http is redirected, a request the proxy
    # marked as https is served with HSTS.
    code = (
        "import django, json; django.setup(); from django.test import Client; c = Client(); "
        "plain = c.get('/healthz', HTTP_HOST='example.com'); "
        "proxied = c.get('/healthz', HTTP_HOST='example.com', HTTP_X_FORWARDED_PROTO='https'); "
        "print(json.dumps([plain.status_code, plain.get('Location'), proxied.status_code, "
        "proxied.get('Strict-Transport-Security')]))"
    )
    result = run(
        ["-c", code], DJANGO_SETTINGS_MODULE="config.settings", DJANGO_SECURE_PROXY_SSL_HEADER="1", **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [301, "https://example.com/healthz", 200, "max-age=31536000; includeSubDomains"]


def test_server_side_cursors_can_be_turned_off_for_a_transaction_pooler():
    values = production_setting_values(
        "DATABASES",
        DATABASE_URL="postgres://app@pgbouncer:6432/llmref",
        DATABASE_REPLICA_URL="postgres://app@replica:6432/llmref",
        DATABASE_DISABLE_SERVER_SIDE_CURSORS="1",
    )
    assert [db["DISABLE_SERVER_SIDE_CURSORS"] for db in values["DATABASES"].values()] == [True, True]
