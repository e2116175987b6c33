"""Sitemaps: every model page, every provider page and every comparison pair (canonical order).

The pairs sitemap never lists the pairs: with n active models there are n(n-1)/2 of them (2 million at 2,000
models), so a page computes its pairs from their positions in the canonical order and writes its XML directly
(two queries, no `reverse()` per URL). Its pages are cached per catalog revision by the page cache.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator, Sequence
from xml.sax.saxutils import escape

from django.contrib.contenttypes.models import ContentType
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from catalog.models import LanguageModel, Offering, Provenance, Provider

PAIRS_PER_PAGE = 50_000  # the sitemaps protocol's limit of URLs per file


class StaticSitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["comparisons:home", "comparisons:model-list", "comparisons:compare-index", "comparisons:provider-list"]

    def location(self, item: str) -> str:
        return reverse(item)


class ModelSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return LanguageModel.objects.only("slug").order_by("slug")


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


class PairPositions(Sequence):
    """The pairs sitemap's items as far as Django's paginator needs them: a length, from one COUNT."""

    def __init__(self) -> None:
        self._n: int | None = None

    def __len__(self) -> int:
        if self._n is None:
            self._n = LanguageModel.objects.active().count()
        return pair_count(self._n)

    def __getitem__(self, index):
        raise TypeError("pairs are written by comparison_sitemap, not listed")


def model_lastmods(model_ids: list[int] | None = None) -> dict[int, datetime.datetime]:
    """The newest time a fact of each model or of its offerings was applied, reviewed or imported (two grouped
    queries): a sitemap's lastmod says when the page changed, not that a person reviewed it."""
    types = ContentType.objects.get_for_models(LanguageModel, Offering)
    lastmods: dict[int, datetime.datetime] = dict(
        Provenance.objects.filter(content_type=types[LanguageModel])
        .values("object_id")
        .annotate(last=Max("reviewed_at"))
        .values_list("object_id", "last")
    )
    offering_model = dict(Offering.objects.values_list("pk", "model_id"))
    rows = (
        Provenance.objects.filter(content_type=types[Offering])
        .values("object_id")
        .annotate(last=Max("reviewed_at"))
        .values_list("object_id", "last")
    )
    for offering_id, last in rows:
        model_id = offering_model.get(offering_id)
        if model_id is not None and (model_id not in lastmods or lastmods[model_id] < last):
            lastmods[model_id] = last
    return lastmods


class ComparisonSitemap(Sitemap):
    """Every pair of active models; the index needs only its page count and newest lastmod."""

    changefreq = "weekly"
    limit = PAIRS_PER_PAGE

    def items(self) -> PairPositions:
        return PairPositions()

    def get_latest_lastmod(self) -> datetime.datetime | None:
        # Any applied fact (reviewed or imported) can change some pair page; the newest one is an index read.
        return Provenance.objects.aggregate(last=Max("reviewed_at"))["last"]


SITEMAPS = {
    "pages": StaticSitemap,
    "models": ModelSitemap,
    "providers": ProviderSitemap,
    "comparisons": ComparisonSitemap,
}

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
_TAIL = "</urlset>\n"


@require_safe
def comparison_sitemap(request: HttpRequest) -> HttpResponse:
    """One page (`?p=N`, 50,000 URLs) of the pairs sitemap."""
    try:
        page = int(request.GET.get("p", "1"))
    except ValueError:
        raise Http404("No such sitemap page.") from None
    rows = list(LanguageModel.objects.active().order_by("slug").values_list("pk", "slug"))
    n = len(rows)
    per_page = ComparisonSitemap.limit
    start = (page - 1) * per_page
    if page < 1 or (start >= pair_count(n) and page != 1):
        raise Http404("No such sitemap page.")
    lastmods = model_lastmods()
    # One reverse() for the shape of every pair URL; slugs are URL-safe ([-a-zA-Z0-9_]).
    marker = reverse("comparisons:detail", kwargs={"a": "A", "b": "B"})
    prefix, middle, suffix = marker.partition("A-vs-B")[0], "-vs-", marker.partition("A-vs-B")[2]
    base = escape(f"{request.scheme}://{request.get_host()}{prefix}")
    slugs = [slug for _, slug in rows]
    days = [lastmods[pk].date().isoformat() if pk in lastmods else "" for pk, _ in rows]
    parts = [_HEAD]
    for i, j in pairs_from(start, per_page, n):
        day = max(days[i], days[j])
        lastmod = f"<lastmod>{day}</lastmod>" if day else ""
        parts.append(
            f"<url><loc>{base}{slugs[i]}{middle}{slugs[j]}{suffix}</loc>{lastmod}<changefreq>weekly</changefreq></url>\n"
        )
    parts.append(_TAIL)
    latest = max(lastmods.values(), default=None)
    response = HttpResponse("".join(parts), content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response
