"""Faults: error pages, a database outage (503 + /readyz), a cache outage (pages still render)."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client

from config import cache as resilient_cache
from config.views import server_error
from tests.factories import create_model

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db
CLOSED_REDIS = {
    "default": {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/13",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def server_client():
    return Client(raise_request_exception=False)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # no stale copy left over from another test
    yield
    cache.clear()


class TestErrorPages:
    def test_404_is_the_site_page_and_does_not_echo_the_path(self, client):
        response = client.get("/models/<b>nope</b>/x/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "Page not found" in html and 'class="site-header"' in html
        assert "<b>nope</b>" not in html

    def test_an_unexpected_error_is_the_static_500_page(self, server_client):
        with mock.patch("comparisons.related.popular_comparisons", side_effect=RuntimeError("boom")):
            response = server_client.get("/")
        assert response.status_code == 500
        html = response.content.decode()
        assert "Something went wrong" in html and 'class="site-header"' in html
        assert "boom" not in html

    def test_the_500_page_renders_without_touching_the_database(self, rf, django_assert_num_queries):
        with django_assert_num_queries(0):
            try:
                raise RuntimeError("boom")
            except RuntimeError:
                response = server_error(rf.get("/"))
        assert response.status_code == 500

    def test_a_database_error_in_a_view_is_a_503_with_retry_after(self, server_client):
        with mock.patch("comparisons.related.popular_comparisons", side_effect=OperationalError("server closed")):
            response = server_client.get("/")
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "Temporarily unavailable" in response.content.decode()

    def test_a_query_the_database_refuses_stays_a_500(self, server_client):
        from django.db import IntegrityError

        with mock.patch("comparisons.related.popular_comparisons", side_effect=IntegrityError("bug")):
            assert server_client.get("/").status_code == 500


class TestStaleIfError:
    OUTAGE = mock.patch("comparisons.related.popular_comparisons", side_effect=OperationalError("connection refused"))

    def test_a_page_seen_before_the_outage_is_served_from_its_last_good_copy(self, server_client):
        fresh = server_client.get("/")
        with self.OUTAGE:
            stale = server_client.get("/")
        assert stale.status_code == 200
        assert stale["X-Served-Stale"] == "database-unavailable"
        assert stale["Cache-Control"] == "no-store"
        assert stale.content == fresh.content

    def test_a_page_never_seen_and_htmx_fragments_get_the_503_page(self, server_client):
        server_client.get("/")
        with self.OUTAGE:
            assert server_client.get("/?never=seen").status_code == 503
            assert server_client.get("/", HTTP_HX_REQUEST="true").status_code == 503

    def test_the_copy_is_refreshed_at_most_once_per_interval(self, server_client, settings):
        create_model(name="Before")
        server_client.get("/models/")
        create_model(name="After")
        assert "After" in server_client.get("/models/").content.decode()
        with mock.patch("comparisons.views.ExplorerForm", side_effect=OperationalError("gone")):
            stale = server_client.get("/models/")
        assert stale["X-Served-Stale"] == "database-unavailable"
        assert "Before" in stale.content.decode() and "After" not in stale.content.decode()


OUTAGE_SCRIPT = """
import json, django
django.setup()
from django.db import OperationalError
from django.test import Client
client = Client(raise_request_exception=False)
out = {}
client.cookies["sessionid"] = "a-staff-session"  # a signed-in editor: the session lives in the database
for url in ["/", "/models/", "/compare/a-vs-b/", "/admin/", "/admin/catalog/changeset/", "/admin/login/",
            "/healthz", "/readyz", "/static/css/site.css"]:
    r = client.get(url, follow=True)
    body = b"".join(r) if r.streaming else r.content
    out[url] = [r.status_code, body.decode(errors="replace")]
print(json.dumps(out))
"""


def test_database_down_public_pages_and_admin_answer_503_and_probes_tell_which():
    # A real outage: the process points at a port where no database listens.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    env.update(DATABASE_URL="postgres://nobody@127.0.0.1:1/none", DJANGO_ALLOWED_HOSTS="testserver")
    result = subprocess.run(
        [sys.executable, "-c", OUTAGE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    pages = json.loads(result.stdout)
    for url in ["/", "/models/", "/compare/a-vs-b/"]:
        status, body = pages[url]
        assert status == 503, url
        assert "The catalog is unavailable for a moment" in body
    for url in ["/admin/", "/admin/catalog/changeset/", "/admin/login/"]:
        status, body = pages[url]
        assert status == 503, url
        assert "The admin cannot reach the catalog database" in body
    assert pages["/healthz"] == [200, "ok\n"]
    status, body = pages["/readyz"]
    assert status == 503
    assert json.loads(body) == {"status": "unavailable", "down": ["default"], "default": "down", "cache": "ok"}
    assert pages["/static/css/site.css"][0] == 200
    assert "Database unavailable while serving /" in result.stderr


class TestReadyz:
    def test_ready_when_database_and_cache_answer(self, client):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "down": [], "default": "ok", "cache": "ok"}
        assert response["Cache-Control"] == "no-store"


class TestCacheDown:
    @pytest.fixture(autouse=True)
    def closed_cache(self, settings):
        resilient_cache.outage.down = False
        settings.CACHES = CLOSED_REDIS
        yield
        resilient_cache.outage.down = False

    def test_cache_calls_behave_as_an_empty_cache(self):
        assert cache.get("k", "fallback") == "fallback"
        assert cache.set("k", 1) is None
        assert cache.add("k", 1) is False
        assert cache.get_many(["a", "b"]) == {}
        assert cache.delete("k") is False
        with pytest.raises(ValueError):
            cache.incr("k")

    def test_pages_render_and_the_outage_is_logged_once(self, client, caplog):
        with caplog.at_level(logging.ERROR, logger="llmref.cache"):
            statuses = [client.get(url).status_code for url in ["/", "/models/", "/compare/"]]
            client.post("/csp-report/", "{}", content_type="application/csp-report")
            cache.get("again")
        assert statuses == [200, 200, 200]
        assert [r.message for r in caplog.records if r.name == "llmref.cache"].__len__() == 1
        assert "Cache unavailable" in caplog.text

    def test_while_down_redis_is_skipped_until_the_retry_time(self, monkeypatch):
        attempts = []
        real = resilient_cache.RedisCacheClient.get

        def counting_get(self, *args):
            attempts.append(1)
            return real(self, *args)

        monkeypatch.setattr(resilient_cache.RedisCacheClient, "get", counting_get)
        monkeypatch.setattr(
            resilient_cache.ResilientRedisCacheClient, "get", resilient_cache._guarded("get", resilient_cache._default)
        )
        for _ in range(5):
            assert cache.get("k", "miss") == "miss"
        assert len(attempts) == 1
        resilient_cache.outage.retry_at = 0.0  # the retry time has come
        assert cache.get("k", "miss") == "miss"
        assert len(attempts) == 2

    def test_readyz_reports_the_cache_down(self, client):
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["down"] == ["cache"]


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/13", socket_connect_timeout=0.2).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="needs Redis on 127.0.0.1:6379")
def test_the_resilient_backend_is_a_normal_cache_while_redis_answers_and_logs_the_recovery(settings, caplog):
    settings.CACHES = {**CLOSED_REDIS, "default": {**CLOSED_REDIS["default"], "LOCATION": "redis://127.0.0.1:6379/13"}}
    resilient_cache.outage.down, resilient_cache.outage.retry_at = True, 0.0  # as after an outage, retry due
    with caplog.at_level(logging.WARNING, logger="llmref.cache"):
        cache.set("resilient-test", {"n": 1}, 30)
        assert cache.get("resilient-test") == {"n": 1}
        assert cache.add("resilient-test", 2) is False
        assert cache.add("resilient-n", 0) is True
        assert cache.incr("resilient-n") == 1
        assert cache.get_many(["resilient-test"]) == {"resilient-test": {"n": 1}}
        cache.delete_many(["resilient-test", "resilient-n"])
    assert "Cache available again." in caplog.text
    assert not resilient_cache.outage.down
