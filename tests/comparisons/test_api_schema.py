"""schemathesis against the API's own OpenAPI schema, in-process over WSGI (no server): for generated requests
the API never answers 500 and every answer matches the schema it publishes. Examples are bounded to keep CI fast."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from comparisons.api.endpoints import api
from comparisons.api.throttle import rate_limit
from tests.factories import (
    create_benchmark,
    create_benchmark_result,
    create_model,
    create_offering,
    create_organization,
    create_provider,
)

pytestmark = pytest.mark.django_db

_django = get_wsgi_application()


def app(environ, start_response):
    """The site's WSGI application, addressed by the test client's host name (allowed in tests)."""
    environ["HTTP_HOST"] = "testserver"
    return _django(environ, start_response)


# The schema as /api/v1/openapi.json serves it (a round trip through JSON, as a client reads it).
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder)))
schema.app = app


@pytest.fixture
def catalog(monkeypatch):
    """A small catalog the generated slugs may hit, and no rate limit in the way.

    As Django's test client does, the WSGI handler must not close the database connection after each request:
    the test's transaction (and on PostgreSQL the connection itself) has to outlive it.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(rate_limit, "num_requests", 10**9)
    cache.clear()
    org = create_organization(slug="a")
    provider = create_provider(slug="a0")
    bench = create_benchmark(slug="b")
    for slug in ("a", "b", "aa"):
        model = create_model(slug=slug, organization=org, context_window=8000)
        create_offering(model=model, provider=provider, batch_input_price="0.5", cached_input_price="0.1")
        create_benchmark_result(model=model, benchmark=bench)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema_and_never_fails(case, catalog):
    # Every check but "schema-valid data is accepted": an unknown organization slug or a cache share over 100%
    # in total is valid by the schema's types and is still (rightly) a 422 naming the parameter.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
