"""Sitemaps: every model page, every provider page and every comparison pair (canonical order)."""

from itertools import combinations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalog.models import LanguageModel, Provider


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


class ComparisonSitemap(Sitemap):
    """All n*(n-1)/2 pairs from one query of slugs; Django splits them into pages of 50,000."""

    changefreq = "weekly"

    def items(self) -> list[tuple[str, str]]:
        slugs = sorted(LanguageModel.objects.values_list("slug", flat=True))
        return list(combinations(slugs, 2))

    def location(self, item: tuple[str, str]) -> str:
        return reverse("comparisons:detail", args=item)


SITEMAPS = {
    "pages": StaticSitemap,
    "models": ModelSitemap,
    "providers": ProviderSitemap,
    "comparisons": ComparisonSitemap,
}
