"""The public-page cache keyed on the catalog revision, and conditional GET (comparisons/pagecache.py)."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from catalog.models import CatalogRevision, Price
from catalog.review.services import changeset_approve
from comparisons.pagecache import Entry, LocalStore, RevisionMemo
from tests.catalog.workflow_support import create_editor, create_reviewer, submitted_price_change
from tests.factories import create_model, create_offering, create_provider

pytestmark = pytest.mark.django_db


def input_cells(response) -> list[str]:
    body = response.content.decode()
    return [cell.split("<", 1)[0].strip() for cell in body.split('<td data-label="Input">')[1:]]


@pytest.fixture
def offering():
    model = create_model(name="Alpha", slug="alpha")
    create_model(name="Beta", slug="beta")
    return create_offering(model=model, input_price=Decimal("1.00"), output_price=Decimal("2.00"))


PUBLIC_PAGES = ["/", "/models/", "/models/alpha/", "/compare/", "/compare/alpha-vs-beta/", "/providers/"]


class TestCaching:
    def test_a_second_anonymous_request_is_served_from_the_cache(self, client, page_cache, offering):
        first = client.get("/compare/alpha-vs-beta/")
        second = client.get("/compare/alpha-vs-beta/")
        assert first["X-Page-Cache"] == "miss"
        assert second["X-Page-Cache"] == "hit"
        assert second.content == first.content
        # The security headers of the rendering are replayed with the body.
        assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
        assert second["Vary"] == first["Vary"]
        assert second["X-Catalog-Revision"] == "0"

    def test_a_cached_page_costs_no_query_within_the_refresh_interval(
        self, client, page_cache, offering, django_assert_num_queries
    ):
        client.get("/models/alpha/")
        with django_assert_num_queries(0):
            assert client.get("/models/alpha/")["X-Page-Cache"] == "hit"

    def test_the_new_price_shows_immediately_after_approval(
        self, client, page_cache, offering, django_capture_on_commit_callbacks
    ):
        assert input_cells(client.get("/models/alpha/")) == ["$1.00 / 1M"]
        assert client.get("/models/alpha/")["X-Page-Cache"] == "hit"

        changeset = submitted_price_change(editor=create_editor(), offering=offering, price="0.50")
        with django_capture_on_commit_callbacks(execute=True):
            assert changeset_approve(changeset=changeset, user=create_reviewer())

        response = client.get("/models/alpha/")
        assert response["X-Page-Cache"] == "miss"
        assert response["X-Catalog-Revision"] == str(CatalogRevision.current())
        assert input_cells(response) == ["$0.50 / 1M"]

    def test_another_process_sees_the_new_price_after_the_refresh_interval(self, client, page_cache, offering):
        now = [1000.0]
        page_cache.revision_memo.clock = lambda: now[0]
        try:
            assert input_cells(client.get("/models/alpha/")) == ["$1.00 / 1M"]
            # Approved without running on-commit callbacks: as if another process had applied it.
            changeset = submitted_price_change(editor=create_editor(), offering=offering, price="0.50")
            assert changeset_approve(changeset=changeset, user=create_reviewer())

            now[0] += 0.5
            assert input_cells(client.get("/models/alpha/")) == ["$1.00 / 1M"]
            now[0] += 0.6
            assert input_cells(client.get("/models/alpha/")) == ["$0.50 / 1M"]
        finally:
            page_cache.revision_memo.clock = RevisionMemo().clock

    def test_htmx_fragments_and_full_pages_are_separate_entries(self, client, page_cache, offering):
        page = client.get("/compare/alpha-vs-beta/")
        fragment = client.get("/compare/alpha-vs-beta/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="pricing-tables")
        assert fragment["X-Page-Cache"] == "miss"
        assert b"<html" in page.content
        assert b"<html" not in fragment.content
        again = client.get("/compare/alpha-vs-beta/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="pricing-tables")
        assert again["X-Page-Cache"] == "hit"
        assert again.content == fragment.content

    def test_query_strings_are_part_of_the_key(self, client, page_cache, offering):
        client.get("/models/")
        response = client.get("/models/?q=beta")
        assert response["X-Page-Cache"] == "miss"
        assert b"/models/beta/" in response.content

    def test_errors_and_redirects_are_not_stored(self, client, page_cache, offering):
        for _ in range(2):
            missing = client.get("/models/nope/")
            assert missing.status_code == 404
            assert "X-Page-Cache" not in missing
            assert "ETag" not in missing
            redirect = client.get("/compare/beta-vs-alpha/")
            assert redirect.status_code == 301
            assert "ETag" not in redirect


class TestConditionalGet:
    def test_public_pages_send_validators_and_public_cache_control(self, client, page_cache, offering):
        CatalogRevision.bump()
        for url in PUBLIC_PAGES:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["ETag"].startswith('"r1-'), url
            assert response["Last-Modified"].endswith("GMT")
            cache_control = response["Cache-Control"]
            assert "public" in cache_control and "max-age=60" in cache_control
            assert "stale-while-revalidate=600" in cache_control and "s-maxage=" in cache_control

    def test_a_matching_etag_answers_304_without_a_query(self, client, page_cache, offering, django_assert_num_queries):
        etag = client.get("/compare/alpha-vs-beta/")["ETag"]
        with django_assert_num_queries(0):
            response = client.get("/compare/alpha-vs-beta/", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == etag
        other = client.get("/models/alpha/", HTTP_IF_NONE_MATCH=etag)
        assert other.status_code == 200  # the key is in the tag: another page never matches

    def test_a_wildcard_or_a_weak_foreign_tag_gets_the_page(self, client, page_cache, offering):
        client.get("/models/alpha/")
        assert client.get("/models/alpha/", HTTP_IF_NONE_MATCH="*").status_code == 200
        assert client.get("/models/nope/", HTTP_IF_NONE_MATCH="*").status_code == 404
        assert client.get("/models/alpha/", HTTP_IF_NONE_MATCH='W/"r0-x-y"').status_code == 200

    def test_after_a_change_the_old_etag_gets_the_new_page(
        self, client, page_cache, offering, django_capture_on_commit_callbacks
    ):
        etag = client.get("/models/alpha/")["ETag"]
        changeset = submitted_price_change(editor=create_editor(), offering=offering, price="0.50")
        with django_capture_on_commit_callbacks(execute=True):
            changeset_approve(changeset=changeset, user=create_reviewer())
        response = client.get("/models/alpha/", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200
        assert response["ETag"] != etag
        assert input_cells(response) == ["$0.50 / 1M"]

    def test_the_etag_depends_on_the_build(self, client, page_cache, offering, settings):
        etag = client.get("/models/alpha/")["ETag"]
        settings.BUILD_ID = "next-deploy"
        assert client.get("/models/alpha/", HTTP_IF_NONE_MATCH=etag).status_code == 200

    def test_the_admin_is_private_and_never_stored(self, staff_client, page_cache):
        for _ in range(2):
            response = staff_client.get("/admin/")
            assert response.status_code == 200
            assert response["Cache-Control"] == "private, no-store"
            assert "ETag" not in response
            assert "X-Page-Cache" not in response
        assert client_anonymous_admin_is_private()


def client_anonymous_admin_is_private() -> bool:
    response = Client().get("/admin/login/")
    return response["Cache-Control"] == "private, no-store" and "ETag" not in response


class TestHead:
    @pytest.mark.parametrize("cache_on", [True, False])
    def test_head_answers_on_every_public_page(self, client, settings, offering, cache_on):
        from comparisons import pagecache

        pagecache.reset()
        settings.PAGE_CACHE_ENABLED = cache_on
        create_provider(slug="acme")
        urls = [
            *PUBLIC_PAGES,
            "/providers/acme/",
            "/changes/",
            "/changes/feed/",
            "/changes/feed/atom/",
            "/sitemap.xml",
            "/sitemap-comparisons.xml",
            "/robots.txt",
            "/healthz",
        ]
        for url in urls:
            get = client.get(url)
            head = client.head(url)
            assert head.status_code == 200, url
            assert head.content == b"", url
            assert head["Content-Type"] == get["Content-Type"], url
            assert head["Content-Length"] == str(len(get.content)), url


class TestNeverCachedForUsers:
    def test_a_staff_session_is_never_served_or_stored(self, staff_client, page_cache, offering):
        client = Client()
        anonymous = client.get("/models/alpha/")
        assert anonymous["X-Page-Cache"] == "miss"
        for _ in range(2):
            staff = staff_client.get("/models/alpha/")
            assert staff.status_code == 200
            assert "X-Page-Cache" not in staff
            assert "ETag" not in staff
            assert "private" in staff["Cache-Control"]
        # The staff session's own view did not replace the anonymous entry.
        assert client.get("/models/alpha/")["X-Page-Cache"] == "hit"

    @pytest.mark.urls("tests.comparisons.test_pagecache")
    def test_a_response_that_sets_a_cookie_is_not_stored(self, client, page_cache):
        for _ in range(2):
            response = client.get("/with-cookie/")
            assert response.cookies["flavour"].value == "oat"
            assert "X-Page-Cache" not in response
            assert "ETag" not in response
        assert client.get("/plain/")["X-Page-Cache"] == "miss"
        assert client.get("/plain/")["X-Page-Cache"] == "hit"


def _with_cookie(request):
    response = HttpResponse("cookie page")
    response.set_cookie("flavour", "oat")
    return response


def _plain(request):
    return HttpResponse("plain page")


urlpatterns = [path("with-cookie/", _with_cookie), path("plain/", _plain)]


class TestBackendFailure:
    def test_pages_render_when_the_cache_backend_is_down(self, client, page_cache, offering, settings, caplog):
        # Nothing listens on port 1: every call to the backend fails.
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/12",
                "OPTIONS": {"socket_connect_timeout": 0.2},
            }
        }
        with caplog.at_level(logging.WARNING, logger="comparisons.pagecache"):
            for url in ["/models/alpha/", "/compare/alpha-vs-beta/"]:
                response = client.get(url)
                assert response.status_code == 200
                assert b"Alpha" in response.content
        assert "page cache: lookup failed" in caplog.text


def _redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/12", socket_connect_timeout=0.2).ping()
        return True
    except Exception:
        return False


@pytest.mark.skipif(not _redis_available(), reason="no Redis on 127.0.0.1:6379")
class TestSharedCache:
    def test_another_process_is_served_from_redis(self, client, page_cache, offering, settings):
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379/12",
                "KEY_PREFIX": "llmref-test-pagecache",
            }
        }
        from django.core.cache import caches

        caches["default"].clear()
        first = client.get("/models/alpha/")
        page_cache.local_store.clear()  # a second process has an empty local store
        Price.objects.filter(dimension="input").update(usd_per_million=Decimal("9.00"))  # not applied: revision stays
        second = client.get("/models/alpha/")
        assert second["X-Page-Cache"] == "hit"
        assert second.content == first.content
        caches["default"].clear()


class TestLocalStore:
    def test_it_keeps_at_most_the_configured_entries_and_bytes(self):
        store = LocalStore(max_entries=3, max_bytes=10)
        store.at_revision(1)
        for key in "abcd":
            store.put(key, Entry(200, (), b"xx"))
        assert len(store) == 3 and store.get("a") is None
        store.put("e", Entry(200, (), b"x" * 9))
        assert store.get("e") is not None and len(store) == 1
        store.put("huge", Entry(200, (), b"x" * 11))
        assert store.get("huge") is None

    def test_it_forgets_everything_when_the_revision_moves(self):
        store = LocalStore(max_entries=3, max_bytes=100)
        store.at_revision(1)
        store.put("a", Entry(200, (), b"x"))
        store.at_revision(1)
        assert store.get("a") is not None
        store.at_revision(2)
        assert store.get("a") is None


def test_the_memo_reads_the_revision_at_most_once_per_interval():
    reads = []
    now = [0.0]
    memo = RevisionMemo(read=lambda: reads.append(1) or len(reads), clock=lambda: now[0])
    assert memo.get(1.0) == 1
    now[0] = 0.9
    assert memo.get(1.0) == 1
    now[0] = 1.0
    assert memo.get(1.0) == 2
    memo.invalidate()
    assert memo.get(1.0) == 3


class TestApiAnswers:
    """The API's 200s are stored like pages; their rate limit counts the answers the cache serves too."""

    def test_an_api_answer_is_stored_and_moves_with_the_revision(
        self, client, page_cache, offering, django_capture_on_commit_callbacks, django_assert_num_queries
    ):
        first = client.get("/api/v1/models/alpha")
        assert first["X-Page-Cache"] == "miss"
        with django_assert_num_queries(0):
            second = client.get("/api/v1/models/alpha")
        assert second["X-Page-Cache"] == "hit" and second.content == first.content
        assert second["Access-Control-Allow-Origin"] == "*"
        assert second["Cache-Control"] == "public, max-age=60, s-maxage=60, stale-while-revalidate=600"
        assert client.get("/api/v1/models/alpha", HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304

        changeset = submitted_price_change(editor=create_editor(), offering=offering, price="0.50")
        with django_capture_on_commit_callbacks(execute=True):
            assert changeset_approve(changeset=changeset, user=create_reviewer())
        after = client.get("/api/v1/models/alpha", HTTP_IF_NONE_MATCH=second["ETag"])
        assert after.status_code == 200 and after["X-Page-Cache"] == "miss"
        prices = [p["usd_per_million"] for o in after.json()["offerings"] for p in o["prices"]]
        assert "0.500000" in prices and "1.000000" not in prices

    def test_errors_are_not_stored(self, client, page_cache, offering):
        assert client.get("/api/v1/models/nobody").status_code == 404
        again = client.get("/api/v1/models/nobody")
        assert again.status_code == 404 and "X-Page-Cache" not in again

    def test_answers_from_the_cache_count_against_the_rate_limit(
        self, client, page_cache, offering, monkeypatch, fresh_rate_limit
    ):
        monkeypatch.setattr(fresh_rate_limit, "num_requests", 3)
        responses = [client.get("/api/v1/models/alpha") for _ in range(4)]
        assert [r.status_code for r in responses] == [200, 200, 200, 429]
        assert [r.get("X-Page-Cache") for r in responses[:3]] == ["miss", "hit", "hit"]
        assert int(responses[3]["Retry-After"]) >= 1
        assert responses[3]["Access-Control-Allow-Origin"] == "*"
        assert "per client IP" in responses[3].json()["detail"]
        assert client.get("/models/alpha/").status_code == 200  # the pages have no such limit
