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


def test_sitemap_index_lists_each_section(client, django_assert_num_queries):
    create_model()
    client.get("/sitemap.xml")
    # The revision, one aggregate over the models, one count of providers: whatever the catalog's size.
    with django_assert_num_queries(3):
        urls = locs(client.get("/sitemap.xml"))
    assert [u.rsplit("/", 1)[1] for u in urls] == [
        "sitemap-pages.xml",
        "sitemap-models.xml",
        "sitemap-providers.xml",
        "sitemap-comparisons.xml",
    ]
    for url in urls:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_sitemaps_are_gzipped_for_a_client_that_accepts_it(client, settings):
    import gzip

    settings.PAGE_CACHE_ENABLED = True
    for slug in ["a", "b", "c"]:
        create_model(slug=slug)
    for path in ["/sitemap.xml", "/sitemap-models.xml", "/sitemap-comparisons.xml"]:
        plain = client.get(path)
        zipped = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        again = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
        assert "Content-Encoding" not in plain
        assert zipped["Content-Encoding"] == again["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in zipped["Vary"]
        assert gzip.decompress(zipped.content) == gzip.decompress(again.content) == plain.content
        assert again["X-Page-Cache"] == "hit"  # the gzip answer is its own cache entry
        assert client.get(path)["X-Page-Cache"] == "hit" and "Content-Encoding" not in client.get(path)


def test_comparison_sitemap_has_every_pair_once_in_canonical_order(client, django_assert_max_num_queries):
    for slug in ["c-model", "a-model", "b-model", "d-model"]:
        create_model(slug=slug)
    client.get("/sitemap-comparisons.xml")
    # The revision and the active slugs with their facts_changed_at: whatever the size.
    with django_assert_max_num_queries(2):
        urls = locs(client.get("/sitemap-comparisons.xml"))
    paths = sorted(u.removeprefix("http://testserver") for u in urls)
    assert len(paths) == 6
    assert "/compare/a-model-vs-b-model/" in paths
    assert "/compare/b-model-vs-a-model/" not in paths
    for path in paths:
        assert client.get(path).status_code == 200


def test_model_and_provider_sitemaps_link_to_live_pages(client):
    assert client.get("/sitemap-models.xml?p=2").status_code == 404
    assert client.get("/sitemap-models.xml?p=x").status_code == 404
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


def test_the_pairs_sitemap_covers_every_pair_of_a_small_catalog_exactly_once(client, settings, monkeypatch):
    from catalog.models import LanguageModel

    settings.PAGE_CACHE_ENABLED = True
    slugs = [f"m{i:02d}" for i in range(9)]
    for slug in slugs:
        create_model(slug=slug)
    create_model(slug="zz-retired", status=LanguageModel.Status.RETIRED)
    n = len(slugs)

    monkeypatch.setattr("comparisons.sitemaps.PAIRS_PER_PAGE", 10)  # several pages, the last one short
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
    assert client.get("/sitemap-comparisons.xml?p=0").status_code == 404
    assert client.get("/sitemap-comparisons.xml?p=x").status_code == 404

    assert len(paths) == n * (n - 1) // 2
    assert len(set(paths)) == len(paths)
    assert not [p for p in paths if "zz-retired" in p]
    for path in paths:
        a, b = path.removeprefix("/compare/").removesuffix("/").split("-vs-")
        assert a < b
        assert client.get(path).status_code == 200


def test_lastmod_is_when_an_applied_change_set_last_wrote_a_fact_of_the_model(client):
    """An offering's price applied for b moves b's lastmod and every pair with b; a's and c's stay."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from catalog.models import LanguageModel, Offering, Price
    from catalog.review.services import NewRef, ProposedChange, changeset_create_applied, system_user
    from tests.factories import create_source

    a, b, c = create_model(slug="a"), create_model(slug="b"), create_model(slug="c")
    earlier = datetime.datetime(2026, 3, 4, tzinfo=datetime.UTC)
    LanguageModel.objects.filter(pk__in=[a.pk, c.pk]).update(facts_changed_at=earlier)
    provider, source = create_provider(), create_source()
    changeset_create_applied(
        author=system_user("importer"),
        reviewer=system_user("import-reviewer", reviewer=True),
        changes=[
            ProposedChange("create", Offering, values={"model": b, "provider": provider}, source=source, key="o"),
            ProposedChange(
                "create",
                Price,
                values={"offering": NewRef("o"), "dimension": "input", "usd_per_million": Decimal("3")},
                source=source,
            ),
        ],
        summary="Offer b",
    )
    today = timezone.now().date().isoformat()
    body = client.get("/sitemap-comparisons.xml").content.decode()
    assert f"<loc>http://testserver/compare/a-vs-b/</loc><lastmod>{today}</lastmod>" in body
    assert "<loc>http://testserver/compare/a-vs-c/</loc><lastmod>2026-03-04</lastmod>" in body
    assert f"<loc>http://testserver/compare/b-vs-c/</loc><lastmod>{today}</lastmod>" in body
    models = client.get("/sitemap-models.xml").content.decode()
    assert f"<loc>http://testserver/models/b/</loc><lastmod>{today}</lastmod>" in models
    assert "<loc>http://testserver/models/a/</loc><lastmod>2026-03-04</lastmod>" in models
    assert f"<lastmod>{today}</lastmod>" in client.get("/sitemap.xml").content.decode()


def test_recompute_facts_changed_at_reads_the_newest_provenance_of_every_kind():
    """A catalog written without change sets (generate_catalog) gets its dates from its provenance."""
    import datetime

    from django.contrib.contenttypes.models import ContentType

    from catalog.models import BenchmarkResult, LanguageModel, Price, Provenance, recompute_facts_changed_at
    from tests.factories import create_benchmark_result, create_offering, create_source

    a, b, c = create_model(slug="a"), create_model(slug="b"), create_model(slug="c")
    source = create_source()
    day = datetime.datetime(2026, 3, 4, tzinfo=datetime.UTC)

    def cite(obj, when):
        Provenance.objects.create(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, field="x", source=source,
            reviewed_at=when,
        )  # fmt: skip

    cite(a, day)
    price = Price.objects.get(offering=create_offering(model=b, input_price="1"), dimension="input")
    cite(b, day)
    cite(price, day + datetime.timedelta(days=9))
    cite(create_benchmark_result(model=c), day + datetime.timedelta(days=2))
    assert BenchmarkResult.objects.count() == 1
    recompute_facts_changed_at()
    dates = dict(LanguageModel.objects.values_list("slug", "facts_changed_at"))
    assert dates == {"a": day, "b": day + datetime.timedelta(days=9), "c": day + datetime.timedelta(days=2)}
