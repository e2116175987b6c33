import xml.etree.ElementTree as ET

import pytest

from tests.factories import create_model, create_provider

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def locs(response) -> list[str]:
    return [el.text for el in ET.fromstring(response.content).findall(".//sm:loc", NS)]


def test_robots_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    body = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_sitemap_index_lists_each_section(client):
    create_model()
    urls = locs(client.get("/sitemap.xml"))
    assert {u.rsplit("/", 1)[1] for u in urls} >= {
        "sitemap-pages.xml",
        "sitemap-models.xml",
        "sitemap-providers.xml",
        "sitemap-comparisons.xml",
    }


def test_comparison_sitemap_has_every_pair_once_in_canonical_order(client, django_assert_max_num_queries):
    for slug in ["c-model", "a-model", "b-model", "d-model"]:
        create_model(slug=slug)
    client.get("/sitemap-comparisons.xml")  # warm per-process caches (content types)
    # The revision, active slugs, model provenance, offering -> model, offering provenance: whatever the size.
    with django_assert_max_num_queries(5):
        urls = locs(client.get("/sitemap-comparisons.xml"))
    paths = sorted(u.removeprefix("http://testserver") for u in urls)
    assert len(paths) == 6
    assert "/compare/a-model-vs-b-model/" in paths
    assert "/compare/b-model-vs-a-model/" not in paths
    for path in paths:
        assert client.get(path).status_code == 200


def test_model_and_provider_sitemaps_link_to_live_pages(client):
    model, provider = create_model(), create_provider()
    for section, obj in [("models", model), ("providers", provider)]:
        urls = locs(client.get(f"/sitemap-{section}.xml"))
        assert urls == [f"http://testserver{obj.get_absolute_url()}"]
        assert client.get(obj.get_absolute_url()).status_code == 200


def test_pair_positions_follow_the_canonical_order_exactly():
    from itertools import combinations

    from comparisons.sitemaps import pair_at, pair_count, pairs_from

    for n in [2, 3, 7, 50, 301]:
        expected = list(combinations(range(n), 2))
        assert pair_count(n) == len(expected)
        assert [pair_at(p, n) for p in range(len(expected))] == expected
        assert list(pairs_from(0, len(expected) + 5, n)) == expected
        assert list(pairs_from(len(expected) // 3, 10, n)) == expected[len(expected) // 3 :][:10]
    assert pair_at(pair_count(2000) - 1, 2000) == (1998, 1999)


def test_the_pairs_sitemap_covers_every_pair_of_a_small_catalog_exactly_once(client, settings):
    from catalog.models import LanguageModel
    from comparisons.sitemaps import ComparisonSitemap

    settings.PAGE_CACHE_ENABLED = True
    slugs = [f"m{i:02d}" for i in range(9)]
    for slug in slugs:
        create_model(slug=slug)
    create_model(slug="zz-retired", status=LanguageModel.Status.RETIRED)
    n = len(slugs)

    original = ComparisonSitemap.limit
    ComparisonSitemap.limit = 10  # several pages, the last one short
    try:
        index = locs(client.get("/sitemap.xml"))
        pages = [u for u in index if "sitemap-comparisons.xml" in u]
        assert len(pages) == 4  # 36 pairs in pages of 10
        paths = []
        for page in pages:
            response = client.get(page.removeprefix("http://testserver"))
            assert response.status_code == 200
            ET.fromstring(response.content)  # well-formed
            paths += [u.removeprefix("http://testserver") for u in locs(response)]
        assert client.get("/sitemap-comparisons.xml?p=5").status_code == 404
        assert client.get("/sitemap-comparisons.xml?p=x").status_code == 404
    finally:
        ComparisonSitemap.limit = original

    assert len(paths) == n * (n - 1) // 2
    assert len(set(paths)) == len(paths)
    assert not [p for p in paths if "zz-retired" in p]
    for path in paths:
        a, b = path.removeprefix("/compare/").removesuffix("/").split("-vs-")
        assert a < b
        assert client.get(path).status_code == 200


def test_pair_lastmod_is_the_newer_review_of_its_two_models(client):
    import datetime

    from django.contrib.contenttypes.models import ContentType

    from catalog.models import LanguageModel, Offering, Provenance
    from tests.factories import create_offering, create_source

    a, b, c = create_model(slug="a"), create_model(slug="b"), create_model(slug="c")
    source = create_source()
    when = datetime.datetime(2026, 3, 4, tzinfo=datetime.UTC)
    model_type = ContentType.objects.get_for_model(LanguageModel)
    Provenance.objects.create(content_type=model_type, object_id=a.pk, field="name", source=source, reviewed_at=when)
    offering = create_offering(model=b)
    Provenance.objects.create(
        content_type=ContentType.objects.get_for_model(Offering),
        object_id=offering.pk,
        field="input_price",
        source=source,
        reviewed_at=when + datetime.timedelta(days=30),
    )
    body = client.get("/sitemap-comparisons.xml").content.decode()
    assert "<loc>http://testserver/compare/a-vs-b/</loc><lastmod>2026-04-03</lastmod>" in body
    assert "<loc>http://testserver/compare/a-vs-c/</loc><lastmod>2026-03-04</lastmod>" in body
    assert "<loc>http://testserver/compare/b-vs-c/</loc><lastmod>2026-04-03</lastmod>" in body
    assert c.pk
