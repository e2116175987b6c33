"""Stale-if-error for public pages: the last good copy of a page, served when the database is down.

A copy is refreshed at most once per STALE_COPY_REFRESH_SECONDS per URL (one cache.add per request otherwise) and
kept for STALE_COPY_MAX_AGE_SECONDS. Only anonymous-looking, non-htmx GETs of HTML pages outside the admin are kept:
public pages are the same for every reader.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("llmref.faults")


def _key(request: HttpRequest, kind: str) -> str:
    digest = hashlib.sha256(request.get_full_path().encode("utf-8", "surrogateescape")).hexdigest()
    return f"stale-{kind}:{digest}"


def _eligible(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.path.startswith("/admin/")
        and request.headers.get("HX-Request") != "true"
        and len(request.get_full_path()) <= 2000
    )


def stale_copy(request: HttpRequest) -> HttpResponse | None:
    """The last good copy of this page, marked as stale, or None."""
    if not _eligible(request):
        return None
    stored = cache.get(_key(request, "copy"))
    if not stored:
        return None
    content_type, body = stored
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "no-store"
    response["X-Served-Stale"] = "database-unavailable"
    response.served_stale = True
    logger.warning("Served the stale copy of %s (database unavailable).", request.path)
    return response


class StaleCopyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not getattr(response, "served_stale", False)
            and not response.streaming
            and not response.cookies
            and response.get("Content-Type", "").startswith("text/html")
            and _eligible(request)
        ):
            try:
                if cache.add(_key(request, "fresh"), 1, settings.STALE_COPY_REFRESH_SECONDS):
                    cache.set(
                        _key(request, "copy"),
                        (response["Content-Type"], response.content),
                        settings.STALE_COPY_MAX_AGE_SECONDS,
                    )
            except Exception:  # any cache backend's outage: the page is served, only its copy is not kept
                logger.warning("Could not keep the stale copy of %s (cache unavailable).", request.path)
        return response
