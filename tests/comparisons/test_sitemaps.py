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
    with django_assert_max_num_queries(2):
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
