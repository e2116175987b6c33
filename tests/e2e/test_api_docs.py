"""/api/v1/docs in a real browser: Swagger UI from our own static files renders under the site's strict CSP
(the page fixture fails the test on any console error, CSP violations included)."""

import pytest
from playwright.sync_api import expect

from tests.factories import create_model

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_docs_render_every_operation_without_a_csp_violation(page):
    create_model(slug="alpha")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("LLM Reference API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.locator(".opblock").count() >= 10
    origin = page.url.split("/api/")[0]
    assert requested and all(url.startswith(origin) for url in requested)
