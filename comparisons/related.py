"""'Continue comparing': links to other comparisons of a page's models.

Candidates come from a fixed number of small queries per page model (same organization, nearest blended
price, same capability profile, newest), so the cost does not grow with the catalog. Every link joins two
distinct existing models in canonical order, so none can answer 404 or 301.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.urls import reverse

from catalog.models import CAPABILITY_FIELDS, LanguageModel

from .facts import ModelFacts

PER_REASON = 3


@dataclass(frozen=True)
class RelatedComparison:
    url: str
    a_name: str
    b_name: str
    reason: str

    @property
    def label(self) -> str:
        return f"{self.a_name} vs {self.b_name}"


def comparison_url(slug_a: str, slug_b: str) -> str:
    """The canonical URL of a pair, whichever order the slugs come in."""
    first, second = sorted((slug_a, slug_b))
    return reverse("comparisons:detail", kwargs={"a": first, "b": second})


def _others(exclude: list[str]) -> QuerySet[LanguageModel]:
    return LanguageModel.objects.exclude(slug__in=exclude).only("slug", "name")


def _same_organization(m: ModelFacts, exclude: list[str]) -> list[LanguageModel]:
    return list(
        _others(exclude)
        .filter(organization__slug=m.organization_slug)
        .order_by(F("release_date").desc(nulls_last=True), "name")[:PER_REASON]
    )


def _nearest_price(m: ModelFacts, exclude: list[str]) -> list[LanguageModel]:
    """Models whose stored headline blend is nearest: two indexed range scans (above and below), merged."""
    cheapest = m.cheapest
    if cheapest is None or cheapest.blended_price is None:
        return []
    target = cheapest.blended_price
    others = _others(exclude).only("slug", "name", "min_blended_price")
    above = list(others.filter(min_blended_price__gte=target).order_by("min_blended_price", "name")[:PER_REASON])
    below = list(others.filter(min_blended_price__lt=target).order_by("-min_blended_price", "name")[:PER_REASON])
    nearest = sorted(above + below, key=lambda other: (abs(other.min_blended_price - target), other.name))
    return nearest[:PER_REASON]


def _same_capabilities(m: ModelFacts, exclude: list[str]) -> list[LanguageModel]:
    if all(m.capability(name) is None for name in CAPABILITY_FIELDS):
        return []  # an all-unknown profile says nothing about similarity
    condition = Q()
    for name in CAPABILITY_FIELDS:
        value = m.capability(name)
        condition &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
    return list(
        _others(exclude).filter(condition).order_by(F("release_date").desc(nulls_last=True), "name")[:PER_REASON]
    )


def _newest(exclude: list[str], count: int) -> list[LanguageModel]:
    return list(_others(exclude).order_by(F("release_date").desc(nulls_last=True), "name")[:count])


def related_comparisons(models: list[ModelFacts], *, limit: int = 12) -> list[RelatedComparison]:
    """Up to `limit` comparisons pairing a page model with another model, taking turns between the reasons."""
    exclude = [m.slug for m in models]
    queues: list[list[tuple[ModelFacts, LanguageModel, str]]] = []
    for m in models:
        queues.append([(m, other, f"Also by {m.organization_label}") for other in _same_organization(m, exclude)])
        queues.append([(m, other, "Nearest in price") for other in _nearest_price(m, exclude)])
        queues.append([(m, other, "Same capabilities") for other in _same_capabilities(m, exclude)])
    # Newest models come last and fill the list when the catalog is small or the reasons above find little.
    newest = [(models[i % len(models)], other, "Recently released") for i, other in enumerate(_newest(exclude, limit))]
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
