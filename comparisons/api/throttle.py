"""The API's rate limit per client IP (`API_RATE_LIMIT`, e.g. "300/m"), counted ahead of the page cache.

A middleware, not django-ninja's per-operation throttle: the page cache answers repeated API calls before any
view runs, and those answers count against the limit too. The counting itself is django-ninja's
(`AnonRateThrottle`, a sliding window kept in the default cache); the client is the address `client_ip`
trusts, as for admin lockouts.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.throttling import AnonRateThrottle

from config.security import client_ip

API_PREFIX = "/api/"


class ClientRateThrottle(AnonRateThrottle):
    def get_ident(self, request: HttpRequest) -> str:
        return client_ip(request)


rate_limit = ClientRateThrottle(settings.API_RATE_LIMIT)


def too_many_requests(wait: float | None) -> HttpResponse:
    response = JsonResponse(
        {"detail": f"Too many requests: the limit is {settings.API_RATE_LIMIT} per client IP."}, status=429
    )
    response["Retry-After"] = str(max(1, math.ceil(wait or 1)))
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "Retry-After"
    response["Cache-Control"] = "no-store"
    return response


class ApiRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and not rate_limit.allow_request(request):
            return too_many_requests(rate_limit.wait())
        return self.get_response(request)
