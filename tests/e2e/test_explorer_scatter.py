"""The explorer's scatter in a real browser: it follows the htmx swap, its points are keyboard links."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_explorer import catalog, document_is_the_same, mark_document, result_count

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["catalog"]  # the fixture, imported for these tests


def points(page):
    return page.locator("#results svg.scatter .points a")


def test_the_scatter_and_the_title_follow_the_filters(page, live_server, catalog, output_dir):
    page.goto("/models/")
    expect(points(page)).to_have_count(6)
    assert page.title() == "Model explorer | LLM Reference"
    mark_document(page)

    page.get_by_label("Organization", exact=True).select_option("meta")
    expect(result_count(page)).to_have_text(re.compile(r"^\s*3 models\s*$"))
    expect(points(page)).to_have_count(3)
    expect(page).to_have_title("Language models by Meta | LLM Reference")
    assert document_is_the_same(page)
    labels = sorted(points(page).evaluate_all("links => links.map(a => a.getAttribute('aria-label'))"))
    assert labels[0] == "Llama 3.2 11B Vision: $0.18 input per 1M tokens, 128K context"
    page.locator("figure.scatter-chart").screenshot(path=output_dir / "scatter-meta.png")


def test_a_point_is_a_keyboard_link_to_its_model(page, live_server, catalog):
    page.goto("/models/?organization=openai")
    link = page.get_by_role("link", name=re.compile(r"^o4-mini: \$1\.10 input"))
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/models/o4-mini/$"))
