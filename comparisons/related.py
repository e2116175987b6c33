"""'Continue comparing': links to other comparisons of a page's models.

Candidates come from a fixed set of small lookups per page model (same organization, nearest stored blended
price above and below, same capability profile) and the newest models, all sent as one query: each lookup
is an indexed, limited subquery (`pk IN (SELECT ... ORDER BY ... LIMIT 3)`), tagged with its reason, and the
parts joined by UNION ALL. So the cost does not grow with the catalog and a page pays one round trip. Every
link joins two distinct existing models in canonical order, so none can answer 404 or 301.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Value
from django.urls import reverse

from catalog.models import CAPABILITY_FIELDS, LanguageModel

from .facts import ModelFacts

PER_REASON = 3
NEWEST = "newest"
# What a candidate row carries: enough to order it within its reason without another query.
CANDIDATE_FIELDS = ("pk", "slug", "name", "release_date", "min_blended_price")


@dataclass(frozen=True)
class RelatedComparison:
    url: str
    a_name: str
    b_name: str
    reason: str

    @property
    def label(self) -> str:
        return f"{self.a_name} vs {self.b_name}"


@dataclass(frozen=True)
class Candidate:
    slug: str
    name: str
    release_date: datetime.date | None
    min_blended_price: Decimal | None


def comparison_url(slug_a: str, slug_b: str) -> str:
    """The canonical URL of a pair, whichever order the slugs come in."""
    first, second = sorted((slug_a, slug_b))
    return reverse("comparisons:detail", kwargs={"a": first, "b": second})


NEWEST_ORDER = (F("release_date").desc(nulls_last=True), "name", "slug")


def _newest_key(c: Candidate) -> tuple:
    """Python's twin of NEWEST_ORDER, to order the few rows a lookup returned."""
    return (c.release_date is None, -(c.release_date.toordinal() if c.release_date else 0), c.name, c.slug)


def _lookups(m: ModelFacts, index: int, others: QuerySet[LanguageModel]) -> dict[str, QuerySet[LanguageModel]]:
    """Tag -> limited queryset of the candidates for one page model (no query runs here)."""
    tag = f"{index}:"
    lookups: dict[str, QuerySet[LanguageModel]] = {}
    if m.organization_id is not None:
        lookups[tag + "org"] = others.filter(organization_id=m.organization_id).order_by(*NEWEST_ORDER)
    cheapest = m.cheapest
    if cheapest is not None and cheapest.blended_price is not None:
        target = cheapest.blended_price
        lookups[tag + "above"] = others.filter(min_blended_price__gte=target).order_by(
            "min_blended_price", "name", "slug"
        )
        lookups[tag + "below"] = others.filter(min_blended_price__lt=target).order_by(
            "-min_blended_price", "name", "slug"
        )
    # An all-unknown profile says nothing about similarity.
    if any(m.capability(name) is not None for name in CAPABILITY_FIELDS):
        condition = Q()
        for name in CAPABILITY_FIELDS:
            value = m.capability(name)
            condition &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
        lookups[tag + "caps"] = others.filter(condition).order_by(*NEWEST_ORDER)
    return {key: qs[:PER_REASON] for key, qs in lookups.items()}


def _candidates(models: list[ModelFacts], newest: int) -> dict[str, list[Candidate]]:
    """Every lookup of every page model in one query: tag -> the rows it found (unordered)."""
    others = LanguageModel.objects.exclude(slug__in=[m.slug for m in models])
    lookups: dict[str, QuerySet[LanguageModel]] = {}
    for index, m in enumerate(models):
        lookups |= _lookups(m, index, others)
    lookups[NEWEST] = others.order_by(*NEWEST_ORDER)[:newest]
    # A limited subquery inside IN keeps each part unordered at the top level, which SQLite's compound
    # SELECT requires (PostgreSQL would accept parenthesised parts as well).
    parts = [
        LanguageModel.objects.filter(pk__in=qs.values("pk"))
        .annotate(tag=Value(tag))
        .values(*CANDIDATE_FIELDS, "tag")
        .order_by()
        for tag, qs in lookups.items()
    ]
    found: dict[str, list[Candidate]] = defaultdict(list)
    for row in parts[0].union(*parts[1:], all=True):
        found[row["tag"]].append(Candidate(row["slug"], row["name"], row["release_date"], row["min_blended_price"]))
    return found


def _nearest(above: list[Candidate], below: list[Candidate], target: Decimal) -> list[Candidate]:
    """The PER_REASON stored blends nearest the target among the closest above and below it."""
    both = above + below
    return sorted(both, key=lambda c: (abs(c.min_blended_price - target), c.name, c.slug))[:PER_REASON]


def related_comparisons(models: list[ModelFacts], *, limit: int = 12) -> list[RelatedComparison]:
    """Up to `limit` comparisons pairing a page model with another model, taking turns between the reasons."""
    found = _candidates(models, limit)
    queues: list[list[tuple[ModelFacts, Candidate, str]]] = []
    for index, m in enumerate(models):
        tag = f"{index}:"
        same_org = sorted(found[tag + "org"], key=_newest_key)
        queues.append([(m, other, f"Also by {m.organization_label}") for other in same_org])
        nearest = []
        if m.cheapest is not None and m.cheapest.blended_price is not None:
            nearest = _nearest(found[tag + "above"], found[tag + "below"], m.cheapest.blended_price)
        queues.append([(m, other, "Nearest in price") for other in nearest])
        same_caps = sorted(found[tag + "caps"], key=_newest_key)
        queues.append([(m, other, "Same capabilities") for other in same_caps])
    # Newest models come last and fill the list when the catalog is small or the reasons above find little.
    newest = [
        (models[i % len(models)], other, "Recently released")
        for i, other in enumerate(sorted(found[NEWEST], key=_newest_key))
    ]
    candidates = [c for round_ in itertools.zip_longest(*queues) for c in round_ if c is not None] + newest

    links: list[RelatedComparison] = []
    seen: set[tuple[str, ...]] = set()
    for m, other, reason in candidates:
        key = tuple(sorted((m.slug, other.slug)))
        if key in seen:
            continue
        seen.add(key)
        first, second = (m, other) if m.slug < other.slug else (other, m)
        links.append(
            RelatedComparison(
                url=comparison_url(m.slug, other.slug), a_name=first.name, b_name=second.name, reason=reason
            )
        )
        if len(links) == limit:
            break
    return links


def popular_comparisons(*, models: int = 5) -> list[RelatedComparison]:
    """Every pair among the most widely offered models (most providers first), in one query.

    The site keeps no traffic statistics, so "popular" means the models most providers serve.
    """
    top = list(
        LanguageModel.objects.order_by("-provider_count", F("release_date").desc(nulls_last=True), "name").only(
            "slug", "name"
        )[:models]
    )
    links = []
    for i, first in enumerate(top):
        for second in top[i + 1 :]:
            a, b = (first, second) if first.slug < second.slug else (second, first)
            links.append(RelatedComparison(url=comparison_url(a.slug, b.slug), a_name=a.name, b_name=b.name, reason=""))
    return links
