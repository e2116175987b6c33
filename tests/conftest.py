import pytest

from tests.auth_support import sign_in


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw-for-tests-only")
    return sign_in(client, user)


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, signed in with its verified second factor (superusers need one)."""
    return sign_in(client, admin_user)


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    """Most tests write rows with factories, which do not bump the catalog revision: they see pages uncached.

    Tests of the cache itself turn it on (the `page_cache` fixture).
    """
    from comparisons import pagecache

    settings.PAGE_CACHE_ENABLED = False
    pagecache.reset()
    yield
    pagecache.reset()


@pytest.fixture
def page_cache(settings):
    """The public-page cache on, empty, with a fresh revision memo."""
    from comparisons import pagecache

    settings.PAGE_CACHE_ENABLED = True
    pagecache.reset()
    return pagecache


@pytest.fixture
def fresh_rate_limit(monkeypatch):
    """The API's rate limit with an empty history of its own (other tests' requests in the window do not count)."""
    from django.core.cache.backends.locmem import LocMemCache

    from comparisons.api.throttle import rate_limit

    monkeypatch.setattr(rate_limit, "cache", LocMemCache(f"rate-limit-{id(monkeypatch)}", {}))
    return rate_limit
