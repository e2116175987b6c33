"""Every public page costs the same number of queries on a small and on a larger generated catalog."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import ChangeSet, LanguageModel, Provider
from catalog.synthetic import generate_catalog

pytestmark = pytest.mark.django_db

# page -> exact query count, whatever the catalog size; each includes the one read of the catalog revision
# that the page names in X-Catalog-Revision (comparisons/snapshot.py).
EXPECTED = {
    "home": 6,
    "explorer": 6,
    "explorer-htmx": 3,
    "model": 10,
    "pair": 7,
    "pair-pricing-htmx": 6,
    "multi": 6,
    "compare": 2,
    "compare-typed": 6,
    "picker-htmx": 2,
    "providers": 3,
    "provider": 6,
    "provider-page-2": 6,
    "changes": 6,
    "change": 5,
    "feed": 5,
    "sitemap-index": 3,
    "sitemap-models": 2,
    "sitemap-comparisons": 2,
}


def page_urls() -> dict[str, tuple[str, dict]]:
    slugs = list(LanguageModel.objects.active().order_by("slug").values_list("slug", flat=True))
    provider = Provider.objects.order_by("slug").first().slug
    changeset = ChangeSet.objects.applied().first().pk
    htmx = {"HTTP_HX_REQUEST": "true"}
    return {
        "home": ("/", {}),
        "explorer": ("/models/", {}),
        "explorer-htmx": ("/models/?reasoning=on&sort=context", htmx),
        "model": (f"/models/{slugs[1]}/", {}),
        "pair": (f"/compare/{slugs[0]}-vs-{slugs[2]}/", {}),
        "pair-pricing-htmx": (
            f"/compare/{slugs[0]}-vs-{slugs[2]}/?both=1",
            htmx | {"HTTP_HX_TARGET": "pricing-tables"},
        ),
        "multi": (f"/compare/{slugs[0]}-vs-{slugs[1]}-vs-{slugs[2]}/", {}),
        "compare": ("/compare/", {}),
        "compare-typed": ("/compare/?a=lab&b=mini", {}),
        "picker-htmx": ("/compare/picker/?q=nova&for=a", htmx),
        "providers": ("/providers/", {}),
        "provider": (f"/providers/{provider}/", {}),
        "provider-page-2": (f"/providers/{provider}/?page=2", {}),
        "changes": ("/changes/", {}),
        "change": (f"/changes/{changeset}/", {}),
        "feed": ("/changes/feed/", {}),
        "sitemap-index": ("/sitemap.xml", {}),
        "sitemap-models": ("/sitemap-models.xml", {}),
        "sitemap-comparisons": ("/sitemap-comparisons.xml", {}),
    }


@pytest.mark.parametrize(("models", "providers", "per_model"), [(12, 4, 4), (150, 12, 6)])
def test_query_counts_are_identical_at_two_catalog_sizes(client, models, providers, per_model):
    generate_catalog(models=models, providers=providers, seed=7, offerings_per_model=per_model)
    counts = {}
    for name, (url, headers) in page_urls().items():
        client.get(url, **headers)  # warm per-process caches (content types)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, **headers)
        assert response.status_code in (200, 400), (name, response.status_code)
        counts[name] = len(captured)
    assert counts == EXPECTED
