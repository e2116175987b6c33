"""Every public page answers with a constant number of queries, whatever the catalog size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import BenchmarkResult, LanguageModel, Offering, Price, Provider
from tests.comparisons.builders import create_catalog
from tests.factories import create_benchmark_result

pytestmark = pytest.mark.django_db

# pair: 2 models, their offerings, their price rows, benchmark results, provenance + one query for all the
# "continue comparing" lookups (per model: same organization, nearest price above and below, same
# capabilities; then the newest; a UNION ALL of limited subqueries);
# model: the same for one model + price history (its removed offerings' ids, the applied price changes of
# their rows; the live offerings come from the facts) + the open disagreements between sources on its rows;
# provider: provider, its offerings, their price rows, provenance;
# providers: a count and one page of providers (each with its stored count of models served);
# home: popular pairs, model count, newest models, makers, recent changes.
# Each page also reads the catalog revision once, inside its snapshot (comparisons/snapshot.py).
MAX_QUERIES = {
    "pair": 7,
    "model": 10,
    "provider": 6,
    "providers": 3,
    "home": 6,
    "compare": 3,
}


def urls() -> dict[str, str]:
    slugs = sorted(LanguageModel.objects.values_list("slug", flat=True))
    provider = Provider.objects.order_by("slug").first()
    return {
        "pair": reverse("comparisons:detail", kwargs={"a": slugs[0], "b": slugs[1]}),
        "model": reverse("comparisons:model-detail", args=[slugs[0]]),
        "provider": reverse("comparisons:provider-detail", args=[provider.slug]),
        "providers": reverse("comparisons:provider-list"),
        "home": reverse("comparisons:home"),
        "compare": reverse("comparisons:compare-index"),
    }


@pytest.mark.parametrize("offerings_per_model", [2, 50])
@pytest.mark.parametrize("page", list(MAX_QUERIES))
def test_page_queries_do_not_grow_with_the_catalog(client, django_assert_max_num_queries, page, offerings_per_model):
    models = create_catalog(12, offerings_per_model)
    for model in models[:2]:
        for _ in range(5):
            create_benchmark_result(model=model)
    url = urls()[page]
    client.get(url)  # warm per-process caches (content types)
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = client.get(url)
    assert response.status_code == 200


def test_pair_page_query_count_is_the_same_for_small_and_large_catalogs(client):
    counts = []
    for offerings in (2, 50):
        # Children first: catalog foreign keys PROTECT (the review workflow deletes dependants explicitly).
        Price.objects.all().delete()
        Offering.objects.all().delete()
        BenchmarkResult.objects.all().delete()
        LanguageModel.objects.all().delete()
        create_catalog(12, offerings)
        url = urls()["pair"]
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.append(len(captured))
    assert counts[0] == counts[1]
