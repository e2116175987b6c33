"""Every API endpoint (and a model's feed) costs the same number of queries on a small and a larger generated
catalog: lists, details, compare, quote, resolve, changes, history, the compatibility exports."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import LanguageModel, Offering, Provider
from catalog.synthetic import generate_catalog

pytestmark = pytest.mark.django_db

# endpoint -> exact query count, whatever the catalog size (the API's first query reads the catalog revision).
EXPECTED = {
    "models": 3,
    "models-filtered": 3,
    "model": 7,
    "model-as-of": 10,
    "history": 4,
    "providers": 2,
    "provider": 6,
    "provider-as-of": 9,
    "compare": 9,
    "compare-as-of": 10,
    "quote": 7,
    "changes": 3,
    "resolve": 7,
    "resolve-unmatched": 7,
    "export-litellm": 8,
    "export-models-dev": 9,
    "model-feed": 7,
}


def urls() -> dict[str, str]:
    slugs = list(LanguageModel.objects.active().order_by("slug").values_list("slug", flat=True))
    provider = Provider.objects.order_by("slug").first().slug
    offering = Offering.objects.filter(model__slug=slugs[1]).select_related("provider").first()
    today = datetime.date.today().isoformat()
    return {
        "models": "/api/v1/models",
        "models-filtered": "/api/v1/models?capability=reasoning&sort=largest_context&per_page=100",
        "model": f"/api/v1/models/{slugs[1]}",
        "model-as-of": f"/api/v1/models/{slugs[1]}?as_of={today}",
        "history": f"/api/v1/models/{slugs[1]}/offerings/{offering.provider.slug}/history",
        "providers": "/api/v1/providers",
        "provider": f"/api/v1/providers/{provider}",
        "provider-as-of": f"/api/v1/providers/{provider}?as_of={today}",
        "compare": f"/api/v1/compare/{slugs[0]}/{slugs[2]}",
        "compare-as-of": f"/api/v1/compare/{slugs[0]}/{slugs[2]}?as_of={today}",
        "quote": f"/api/v1/quote?model={slugs[1]}&cached_percent=20&tier=batch",
        "changes": "/api/v1/changes?since=0",
        "resolve": f"/api/v1/resolve?source=litellm&id={offering.provider.slug}/{offering.provider_model_id}",
        "resolve-unmatched": "/api/v1/resolve?source=openrouter&id=nobody/nothing-like-it",
        "export-litellm": "/api/v1/export/litellm.json",
        "export-models-dev": "/api/v1/export/models.dev.json",
        "model-feed": f"/models/{slugs[1]}/changes/feed/",
    }


@pytest.mark.parametrize(("models", "providers", "per_model"), [(12, 4, 4), (150, 12, 6)])
def test_api_query_counts_are_identical_at_two_catalog_sizes(client, models, providers, per_model):
    generate_catalog(models=models, providers=providers, seed=7, offerings_per_model=per_model)
    counts = {}
    for name, url in urls().items():
        client.get(url)  # warm per-process caches (content types)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code in (200, 404), (name, response.status_code)
        counts[name] = len(captured)
    assert counts == EXPECTED
