"""Every public answer names the catalog revision it was read at, and is read from that one revision
(comparisons/snapshot.py)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from catalog.models import CatalogRevision, Price
from comparisons import snapshot
from tests.factories import create_model, create_offering

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/",
    "/models/",
    "/models/alpha/",
    "/compare/",
    "/compare/alpha-vs-beta/",
    "/providers/",
    "/changes/",
    "/sitemap.xml",
    "/robots.txt",
    "/api/v1/models",
    "/api/v1/models/alpha",
    "/api/v1/openapi.json",
]


@pytest.fixture
def catalog():
    model = create_model(name="Alpha", slug="alpha")
    create_model(name="Beta", slug="beta")
    offering = create_offering(model=model, input_price=Decimal("1.00"), output_price=Decimal("2.00"))
    with transaction.atomic():
        CatalogRevision.bump()
        CatalogRevision.bump()
    return offering


def bump_revision() -> int:
    with transaction.atomic():
        return CatalogRevision.bump()


class TestRevisionHeader:
    @pytest.mark.parametrize("url", PUBLIC)
    def test_every_public_page_and_api_answer_names_the_revision_with_the_cache_off(self, client, catalog, url):
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Catalog-Revision"] == "2"

    @pytest.mark.parametrize("url", [url for url in PUBLIC if not url.startswith("/api/")])
    def test_a_cached_page_replays_the_revision_it_was_read_at(self, client, page_cache, catalog, url):
        miss, hit = client.get(url), client.get(url)
        assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
        assert miss["X-Catalog-Revision"] == hit["X-Catalog-Revision"] == "2"

    def test_the_api_s_validators_use_the_same_reading_of_the_revision(self, client, catalog):
        response = client.get("/api/v1/models/alpha")
        assert response["X-Catalog-Revision"] == "2"
        assert response["ETag"] == '"v1-r2"'

    def test_errors_and_htmx_fragments_name_it_too(self, client, catalog):
        assert client.get("/models/nobody/")["X-Catalog-Revision"] == "2"
        fragment = client.get("/compare/alpha-vs-beta/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="pricing-tables")
        assert fragment["X-Catalog-Revision"] == "2"

    def test_probes_and_the_admin_do_not(self, client, catalog):
        assert "X-Catalog-Revision" not in client.get("/healthz")
        assert "X-Catalog-Revision" not in client.get("/admin/login/")

    def test_a_page_read_after_another_process_applied_is_not_cached_under_the_older_revision(
        self, client, page_cache, catalog
    ):
        assert client.get("/models/alpha/")["X-Catalog-Revision"] == "2"  # the memo now says 2
        bump_revision()  # as if another process had applied: no on-commit signal here
        response = client.get("/models/?q=alpha")  # a miss, read at revision 3 while the memo says 2
        assert response["X-Catalog-Revision"] == "3"
        assert "X-Page-Cache" not in response and "ETag" not in response
        assert response["Cache-Control"] == "private, no-cache"
        page_cache.revision_memo.invalidate()
        stored = client.get("/models/?q=alpha")
        assert (stored["X-Page-Cache"], stored["X-Catalog-Revision"]) == ("miss", "3")
        assert client.get("/models/?q=alpha")["X-Page-Cache"] == "hit"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a concurrent writer needs PostgreSQL")
def test_a_page_is_read_from_one_snapshot_when_an_apply_commits_during_the_request(client, monkeypatch):
    offering = create_offering(model=create_model(slug="alpha"), input_price=Decimal("1.00"))
    before = bump_revision()
    read = snapshot.read_revision

    def read_then_let_another_connection_commit(using=None):
        revision = read(using=using)

        def apply_elsewhere():  # a price change and its revision bump, committed on another connection
            with transaction.atomic():
                Price.objects.filter(offering=offering, dimension="input").update(usd_per_million=Decimal("9"))
                CatalogRevision.bump()
            connections.close_all()

        writer = threading.Thread(target=apply_elsewhere)
        writer.start()
        writer.join()
        return revision

    monkeypatch.setattr(snapshot, "read_revision", read_then_let_another_connection_commit)
    page = client.get("/models/alpha/")
    api = client.get("/api/v1/models/alpha")

    # Under READ COMMITTED the page's later queries would see $9.00 under the older revision number.
    assert page["X-Catalog-Revision"] == str(before)
    assert "$1.00 / 1M" in page.content.decode() and "$9.00" not in page.content.decode()
    assert api["X-Catalog-Revision"] == str(before + 1)  # its snapshot began after the first change
    monkeypatch.setattr(snapshot, "read_revision", read)
    after = client.get("/models/alpha/")
    assert after["X-Catalog-Revision"] == str(before + 2)
    assert "$9.00 / 1M" in after.content.decode()
