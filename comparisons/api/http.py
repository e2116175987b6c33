"""HTTP caching and CORS for the API: ETag and Last-Modified from the catalog revision, 304 on a match.

Every answer of the API is a function of its URL and the catalog revision (bumped by every applied change
set), so the revision is the validator. The page cache (comparisons/pagecache.py) stores a 200 marked
`revision_validated` like a page and answers later requests, and their 304s, with its own validators; what it
does not store (errors, a signed-in client, the cache off) gets these.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import condition

from catalog.models import CatalogRevision
from comparisons.pagecache import public_cache_control

API_VERSION = "v1"


def catalog_state(request: HttpRequest) -> tuple[int, datetime.datetime | None]:
    """(revision number, when it last moved): one query per request, remembered on the request."""
    state = getattr(request, "_catalog_state", None)
    if state is None:
        row = CatalogRevision.objects.filter(pk=1).values_list("number", "updated_at").first()
        state = row if row is not None else (0, None)
        request._catalog_state = state
    return state


def _etag(request: HttpRequest, *args, **kwargs) -> str:
    return f'"{API_VERSION}-r{catalog_state(request)[0]}"'


def _last_modified(request: HttpRequest, *args, **kwargs) -> datetime.datetime | None:
    return catalog_state(request)[1]


def public_get(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ETag / Last-Modified / 304, Cache-Control and open CORS on a read-only view."""
    conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(view)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = conditional(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After"
        if response.status_code in (200, 304):
            response["Cache-Control"] = public_cache_control()
            response.revision_validated = True
        else:
            # An error is not a representation to revalidate: no validators on it.
            for header in ("ETag", "Last-Modified"):
                if header in response:
                    del response[header]
        return response

    return wrapper
