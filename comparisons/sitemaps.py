"""Sitemaps: the index, every model page, every provider page and every comparison pair (canonical order).

The pairs sitemap never lists the pairs: with n active models there are n(n-1)/2 of them (2 million at 2,000
models), so a page computes its pairs from their positions in the canonical order and writes its XML directly
(one query for the slugs and their `facts_changed_at`, no `reverse()` per URL). The index counts, it does not
list. Every page is cached per catalog revision by the page cache; Django's sitemap view writes only the two
small sections (the site's own pages and the providers).
"""

from __future__ import annotations

import datetime
import gzip
import math
from collections.abc import Iterator
from xml.sax.saxutils import escape

from django.contrib.sitemaps import Sitemap
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from catalog.models import LanguageModel, Provider

# URLs per file: the protocol allows 50,000; 10,000 keeps a pairs page at 1.6 MB (50 KB gzipped) and its
# rendering near 0.1 s, so a crawler's uncached pages stay cheap. At 2,000 models: 200 pages.
PAIRS_PER_PAGE = 10_000
MODELS_PER_PAGE = 50_000


class StaticSitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["comparisons:home", "comparisons:model-list", "comparisons:compare-index", "comparisons:provider-list"]

    def location(self, item: str) -> str:
        return reverse(item)


class ProviderSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Provider.objects.only("slug").order_by("slug")


def pair_count(n: int) -> int:
    return n * (n - 1) // 2


def _row_start(i: int, n: int) -> int:
    """Position of the first pair (i, i+1) among all pairs (i < j) of n items in lexicographic order."""
    return i * (2 * n - i - 1) // 2


def pair_at(position: int, n: int) -> tuple[int, int]:
    """The (i, j), i < j, at `position` in the order of `itertools.combinations(range(n), 2)`."""
    if not 0 <= position < pair_count(n):
        raise IndexError(position)
    # Row i holds n-1-i pairs; solve _row_start(i) <= position for the largest i, then fix float rounding.
    i = int((2 * n - 1 - math.sqrt((2 * n - 1) ** 2 - 8 * position)) / 2)
    while i > 0 and _row_start(i, n) > position:
        i -= 1
    while _row_start(i + 1, n) <= position:
        i += 1
    return i, i + 1 + position - _row_start(i, n)


def pairs_from(position: int, count: int, n: int) -> Iterator[tuple[int, int]]:
    """`count` pairs (or fewer at the end) starting at `position`, walking the order without recomputing it."""
    if count <= 0 or position >= pair_count(n):
        return
    i, j = pair_at(position, n)
    for _ in range(min(count, pair_count(n) - position)):
        yield i, j
        j += 1
        if j == n:
            i += 1
            j = i + 1


# The sections Django's sitemap view writes (`sitemap-<section>.xml`); the others are written below.
SITEMAPS = {"pages": StaticSitemap, "providers": ProviderSitemap}

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
_TAIL = "</urlset>\n"
_INDEX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
)
_INDEX_TAIL = "</sitemapindex>\n"


def _base(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _page_number(request: HttpRequest) -> int:
    """`?p=N`, N from 1; anything else is no such page."""
    try:
        page = int(request.GET.get("p", "1"))
    except ValueError:
        page = 0
    if page < 1:
        raise Http404("No such sitemap page.")
    return page


def _xml(request: HttpRequest, body: str, latest: datetime.datetime | None) -> HttpResponse:
    """The XML answer, gzip-compressed when the client accepts it (crawlers do; a pairs page is 1.6 MB of
    repetitive XML and about 30 times smaller compressed). The page cache keys on that acceptance."""
    data = body.encode()
    response = HttpResponse(content_type="application/xml")
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        data = gzip.compress(data, compresslevel=5, mtime=0)
        response["Content-Encoding"] = "gzip"
    response.content = data
    patch_vary_headers(response, ["Accept-Encoding"])
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response


@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The index: every section's pages, from two counting queries whatever the size of the catalog."""
    counts = LanguageModel.objects.aggregate(
        models=Count("pk"),
        active=Count("pk", filter=~Q(status=LanguageModel.Status.RETIRED)),
        latest=Max("facts_changed_at"),
    )
    latest = counts["latest"]
    pages = {
        "pages": 1,
        "models": max(1, math.ceil(counts["models"] / MODELS_PER_PAGE)),
        "providers": max(1, math.ceil(Provider.objects.count() / ProviderSitemap.limit)),
        "comparisons": max(1, math.ceil(pair_count(counts["active"]) / PAIRS_PER_PAGE)),
    }
    lastmod = f"<lastmod>{latest.date().isoformat()}</lastmod>" if latest else ""
    base = escape(_base(request))
    parts = [_INDEX_HEAD]
    for section, count in pages.items():
        dated = lastmod if section in ("models", "comparisons") else ""
        for page in range(1, count + 1):
            query = f"?p={page}" if page > 1 else ""
            parts.append(f"<sitemap><loc>{base}/sitemap-{section}.xml{query}</loc>{dated}</sitemap>\n")
    parts.append(_INDEX_TAIL)
    return _xml(request, "".join(parts), latest)


@require_safe
def model_sitemap(request: HttpRequest) -> HttpResponse:
    """One page (`?p=N`, 50,000) of every model page, with when its facts last changed: one query."""
    page = _page_number(request)
    models = LanguageModel.objects.order_by("slug").values_list("slug", "facts_changed_at")
    rows = list(models[(page - 1) * MODELS_PER_PAGE : page * MODELS_PER_PAGE])
    if not rows and page != 1:
        raise Http404("No such sitemap page.")
    marker = reverse("comparisons:model-detail", kwargs={"slug": "SLUG"})
    prefix, _, suffix = marker.partition("SLUG")
    base = escape(f"{_base(request)}{prefix}")
    parts = [_HEAD]
    for slug, changed in rows:
        lastmod = f"<lastmod>{changed.date().isoformat()}</lastmod>" if changed else ""
        parts.append(f"<url><loc>{base}{slug}{suffix}</loc>{lastmod}<changefreq>weekly</changefreq></url>\n")
    parts.append(_TAIL)
    return _xml(request, "".join(parts), max((c for _, c in rows if c), default=None))


@require_safe
def comparison_sitemap(request: HttpRequest) -> HttpResponse:
    """One page (`?p=N`, 10,000 URLs) of the pairs sitemap: one query, the pairs computed from positions."""
    page = _page_number(request)
    rows = list(LanguageModel.objects.active().order_by("slug").values_list("slug", "facts_changed_at"))
    n = len(rows)
    per_page = PAIRS_PER_PAGE
    start = (page - 1) * per_page
    if start >= pair_count(n) and page != 1:
        raise Http404("No such sitemap page.")
    # One reverse() for the shape of every pair URL; slugs are URL-safe ([-a-zA-Z0-9_]).
    marker = reverse("comparisons:detail", kwargs={"a": "A", "b": "B"})
    prefix, _, suffix = marker.partition("A-vs-B")
    base = escape(f"{_base(request)}{prefix}")
    slugs = [slug for slug, _ in rows]
    days = [changed.date().isoformat() if changed else "" for _, changed in rows]
    parts = [_HEAD]
    for i, j in pairs_from(start, per_page, n):
        day = max(days[i], days[j])
        lastmod = f"<lastmod>{day}</lastmod>" if day else ""
        parts.append(
            f"<url><loc>{base}{slugs[i]}-vs-{slugs[j]}{suffix}</loc>{lastmod}<changefreq>weekly</changefreq></url>\n"
        )
    parts.append(_TAIL)
    return _xml(request, "".join(parts), max((c for _, c in rows if c), default=None))
