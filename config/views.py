"""Site-wide views: probes, the CSP report endpoint, and the error pages (which must work with the database down)."""

import json
import logging
import sys
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from .security import client_ip
from .stale import stale_copy

logger = logging.getLogger("llmref.faults")
csp_logger = logging.getLogger("llmref.csp")

CSP_REPORT_TYPES = {"application/csp-report", "application/reports+json", "application/json"}
RETRY_AFTER_SECONDS = 30


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe: no database query, tiny body."""
    return HttpResponse("ok\n", content_type="text/plain")


def _database_ready(alias: str) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _cache_ready() -> bool:
    # The cache backend swallows outages (config.cache), so a round trip is the only honest test.
    token = uuid.uuid4().hex
    cache.set("readyz", token, 10)
    return cache.get("readyz") == token


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness probe: 200 when every dependency answers, else 503 naming the ones that are down."""
    checks = {alias: _database_ready(alias) for alias in settings.DATABASES}
    checks["cache"] = _cache_ready()
    down = sorted(name for name, ok in checks.items() if not ok)
    body = {"status": "ok" if not down else "unavailable", "down": down}
    body.update({name: "ok" if ok else "down" for name, ok in checks.items()})
    response = JsonResponse(body, status=503 if down else 200)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on pages that link no icon (the admin, JSON): the site's SVG icon."""
    response = redirect(static("favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("sitemap-index"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain")


def _csp_report_allowed(request: HttpRequest) -> bool:
    """A fixed window per client address and minute, in the cache (a cache outage lets reports through)."""
    key = f"csp-report:{client_ip(request)}:{int(time.time() // 60)}"
    if cache.add(key, 1, 120):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr, or the cache is down
        return True
    return count <= settings.CSP_REPORTS_PER_MINUTE


@csrf_exempt  # browsers send reports without a token; the endpoint only logs.
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log a browser's Content-Security-Policy violation report: bounded in size, rate-limited per client."""
    limit = settings.CSP_REPORT_MAX_BYTES
    content_type = request.content_type or ""
    if content_type not in CSP_REPORT_TYPES:
        return HttpResponse("Expected a CSP report (application/csp-report).\n", status=415, content_type="text/plain")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return HttpResponse("Report too large.\n", status=413, content_type="text/plain")
    body = request.read(limit + 1)
    if len(body) > limit:
        return HttpResponse("Report too large.\n", status=413, content_type="text/plain")
    try:
        report = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return HttpResponse("Malformed report.\n", status=400, content_type="text/plain")
    if not isinstance(report, dict | list):
        return HttpResponse("Malformed report.\n", status=400, content_type="text/plain")
    if not _csp_report_allowed(request):
        return HttpResponse("Too many reports.\n", status=429, content_type="text/plain")
    csp_logger.warning("CSP violation: %s", json.dumps(report, ensure_ascii=True, sort_keys=True)[:limit])
    return HttpResponse(status=204)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 for a database outage: a static page (no query, no session), the admin's own wording under /admin/."""
    in_admin = request.path.startswith("/admin/")
    body = render_to_string("503.html", {"in_admin": in_admin})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage becomes the page's last good copy or the 503 page; anything else the static 500.

    Connection-level errors (refused, dropped, terminated) are OperationalError or InterfaceError; a query the
    database refuses (IntegrityError, ProgrammingError) is a bug and stays a 500.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        logger.error("Database unavailable while serving %s: %s", request.path, error)
        return stale_copy(request) or unavailable_response(request)
    return HttpResponseServerError(render_to_string("500.html"))
