"""The public-page cache and conditional GET, keyed on the catalog revision.

It sits right after WhiteNoise, before sessions, CSRF and auth, so a hit costs no database round trip and
none of the middleware behind it. Every applied change set bumps the catalog revision (`CatalogRevision`);
the revision is part of every key and ETag, so a change is visible as soon as a process sees the new
revision (at once in the process that applied it, within `PAGE_CACHE_REVISION_TTL` seconds in the others)
and nothing is ever purged.

What is cached: anonymous GET/HEAD of public pages, htmx fragments and API answers that answer 200 without
setting a cookie. A request that carries a session or messages cookie (a signed-in editor or reviewer) passes through
untouched, and so does the admin, whose responses are marked `private, no-store`.

Two tiers: a bounded per-process store (an LRU of recent pages, emptied when the revision moves) in front
of the configured cache (Redis when `REDIS_URL` is set; skipped when that cache is itself per-process
memory). A failing cache backend is logged and the page rendered without it.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_etags

logger = logging.getLogger(__name__)

REVISION_HEADER = "X-Catalog-Revision"
KEY_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_TARGET", "HTTP_HX_HISTORY_RESTORE_REQUEST")
# Headers a replayed response must not carry from the request that rendered it.
NOT_REPLAYED = frozenset({"set-cookie", "date", "content-length"})
PUBLIC_CACHE_CONTROL = "public, max-age={max_age}, s-maxage={s_maxage}, stale-while-revalidate={swr}"
PRIVATE_CACHE_CONTROL = "private, no-store"


@dataclass(frozen=True)
class Revision:
    number: int
    updated_at: datetime.datetime | None

    @property
    def timestamp(self) -> float | None:
        return self.updated_at.timestamp() if self.updated_at else None


def read_revision(using: str | None = None) -> Revision:
    from catalog.models import CatalogRevision

    row = CatalogRevision.objects.using(using).filter(pk=1).values_list("number", "updated_at").first()
    return Revision(*row) if row else Revision(0, None)


class RevisionMemo:
    """The catalog revision as this process last read it, re-read at most once per `ttl` seconds."""

    def __init__(self, read: Callable[[], Revision] = read_revision, clock: Callable[[], float] = time.monotonic):
        self.read = read
        self.clock = clock
        self._value: Revision | None = None
        self._expires = 0.0
        self._lock = threading.Lock()

    def get(self, ttl: float) -> Revision:
        now = self.clock()
        if self._value is None or now >= self._expires:
            with self._lock:
                if self._value is None or now >= self._expires:
                    self._value = self.read()
                    self._expires = now + ttl
        return self._value

    def invalidate(self) -> None:
        """Re-read on the next request (this process applied a change set)."""
        self._expires = 0.0


@dataclass(frozen=True)
class Entry:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class LocalStore:
    """A bounded LRU of entries for one process: at most `max_entries` and `max_bytes` of bodies."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._revision: int | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def at_revision(self, revision: int) -> None:
        """Forget everything rendered at another revision: no key of it can be asked for again."""
        if revision != self._revision:
            with self._lock:
                self._entries.clear()
                self._bytes = 0
                self._revision = revision

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        size = len(entry.body)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._revision = None


revision_memo = RevisionMemo()
local_store = LocalStore(max_entries=2000, max_bytes=64 * 1024 * 1024)


def revision_changed(**kwargs) -> None:
    """Receiver of `catalog_revision_changed` (sent on commit): this process's next request reads it."""
    revision_memo.invalidate()


def reset() -> None:
    """Forget the memo and the local store (tests, or after loading a catalog by hand)."""
    revision_memo.invalidate()
    revision_memo._value = None
    local_store.clear()


def public_cache_control() -> str:
    """The Cache-Control of a public answer (pages, fragments, the API)."""
    return PUBLIC_CACHE_CONTROL.format(
        max_age=settings.PAGE_CACHE_MAX_AGE,
        s_maxage=settings.PAGE_CACHE_S_MAXAGE,
        swr=settings.PAGE_CACHE_STALE_WHILE_REVALIDATE,
    )


def _is_private_path(path: str) -> bool:
    return path.startswith("/admin/")


def _is_cacheable_path(path: str) -> bool:
    return not _is_private_path(path) and path not in settings.PAGE_CACHE_EXCLUDED_PATHS


def _has_user_cookie(request: HttpRequest) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES


def _request_key(request: HttpRequest) -> str:
    meta = request.META
    parts = [
        request.scheme,
        meta.get("HTTP_HOST", ""),
        request.path,
        meta.get("QUERY_STRING", ""),
        *(meta.get(name, "") for name in KEY_HEADERS),
        # The sitemaps answer gzip to a client that accepts it (Vary: Accept-Encoding); nothing else varies.
        "gzip" if "gzip" in meta.get("HTTP_ACCEPT_ENCODING", "") else "",
    ]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()


def _shared_cache():
    """The configured cache, unless it is per-process memory (the local store already is that)."""
    cache = caches[settings.PAGE_CACHE_ALIAS]
    return None if isinstance(cache, LocMemCache) else cache


def _without_body_for_head(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A HEAD answer carries the GET's headers and length, not its body (views render it all the same)."""
    if request.method == "HEAD" and not response.streaming:
        length = len(response.content)
        response.content = b""
        response["Content-Length"] = str(length)
    return response


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_private_path(request.path):
            response = self.get_response(request)
            response["Cache-Control"] = PRIVATE_CACHE_CONTROL
            return _without_body_for_head(request, response)
        if (
            not settings.PAGE_CACHE_ENABLED
            or request.method not in ("GET", "HEAD")
            or not _is_cacheable_path(request.path)
            or _has_user_cookie(request)
        ):
            return self._uncached(request)

        revision = revision_memo.get(settings.PAGE_CACHE_REVISION_TTL)
        local_store.at_revision(revision.number)
        key = _request_key(request)
        etag = f'"r{revision.number}-{settings.BUILD_ID}-{key}"'
        if self._not_modified(request, etag):
            response = HttpResponseNotModified()
            self._validators(response, etag, revision)
            return response

        full_key = f"page:{revision.number}:{settings.BUILD_ID}:{key}"
        entry = local_store.get(full_key)
        if entry is None:
            entry = self._shared_get(full_key)
            if entry is not None:
                local_store.put(full_key, entry)
        if entry is not None:
            response = self._replay(entry)
            response["X-Page-Cache"] = "hit"
        else:
            response = self.get_response(request)
            # The body was read at the revision its header names (comparisons.snapshot); a page read at
            # another revision than this process's memo (an apply committed meanwhile) is not stored under
            # the memo's key, nor given its validators.
            if not self._storable(response) or response.get(REVISION_HEADER) != str(revision.number):
                response.headers.setdefault("Cache-Control", "private, no-cache")
                return _without_body_for_head(request, response)
            self._validators(response, etag, revision)
            entry = Entry(
                status=response.status_code,
                headers=tuple((k, v) for k, v in response.items() if k.lower() not in NOT_REPLAYED),
                body=response.content,
            )
            local_store.put(full_key, entry)
            self._shared_set(full_key, entry)
            response["X-Page-Cache"] = "miss"
        return _without_body_for_head(request, response)

    def _uncached(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_cacheable_path(request.path):
            response.headers.setdefault("Cache-Control", "private, no-cache")
        return _without_body_for_head(request, response)

    @staticmethod
    def _not_modified(request: HttpRequest, etag: str) -> bool:
        # Only the ETag decides: Last-Modified is the revision's time, which a new build does not move.
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if not if_none_match:
            return False
        # Not "*": the middleware cannot know before rendering whether the URL names an existing page.
        return etag in parse_etags(if_none_match)

    @staticmethod
    def _storable(response: HttpResponse) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            # A view that sets its own Cache-Control opts out, unless its answer is, like a page's, a function
            # of its URL and the catalog revision (the API's, comparisons/api/http.py).
            and ("Cache-Control" not in response or getattr(response, "revision_validated", False))
            and "cookie" not in response.get("Vary", "").lower()
        )

    @staticmethod
    def _validators(response: HttpResponse, etag: str, revision: Revision) -> None:
        response["ETag"] = etag
        if revision.timestamp is not None:
            response["Last-Modified"] = http_date(revision.timestamp)
        response["Cache-Control"] = public_cache_control()
        response[REVISION_HEADER] = str(revision.number)

    @staticmethod
    def _replay(entry: Entry) -> HttpResponse:
        response = HttpResponse(entry.body, status=entry.status)
        for name, value in entry.headers:
            response[name] = value
        response["Content-Length"] = str(len(entry.body))
        return response

    @staticmethod
    def _shared_get(key: str) -> Entry | None:
        try:
            cache = _shared_cache()
            return cache.get(key) if cache is not None else None
        except Exception:
            logger.warning("page cache: lookup failed, rendering without it", exc_info=True)
            return None

    @staticmethod
    def _shared_set(key: str, entry: Entry) -> None:
        try:
            cache = _shared_cache()
            if cache is not None:
                cache.set(key, entry, settings.PAGE_CACHE_SHARED_TIMEOUT)
        except Exception:
            logger.warning("page cache: store failed, page served without storing it", exc_info=True)
