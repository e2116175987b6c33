"""The model explorer in a real browser: htmx filters, pushed URLs, reload, back, compare."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.models import LanguageModel
from tests.factories import create_model, create_offering, create_organization

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog() -> None:
    """Six models: four see images, two of those are cheap on input."""
    meta = create_organization(name="Meta", slug="meta")
    openai = create_organization(name="OpenAI", slug="openai")
    rows = [
        ("Llama 3.2 1B", "llama-3-2-1b", meta, False, "0.02", "0.04"),
        ("Llama 3.2 11B Vision", "llama-3-2-11b-vision", meta, True, "0.18", "0.18"),
        ("Llama 4 Maverick", "llama-4-maverick", meta, True, "2.50", "3.00"),
        ("o4-mini", "o4-mini", openai, True, "1.10", "4.40"),
        ("GPT-4.1", "gpt-4-1", openai, True, "2.00", "8.00"),
        ("GPT-3.5 Turbo", "gpt-3-5-turbo", openai, False, "0.50", "1.50"),
    ]
    for name, slug, org, vision, input_price, output_price in rows:
        model = create_model(
            name=name,
            slug=slug,
            organization=org,
            vision=vision,
            context_window=128_000,
            release_date=datetime.date(2025, 4, 16),
        )
        create_offering(model=model, input_price=Decimal(input_price), output_price=Decimal(output_price))


def result_count(page):
    return page.locator("#results .result-count")


def result_names(page) -> list[str]:
    return page.locator("#results tbody th[scope=row] a").all_inner_texts()


def mark_document(page) -> None:
    """A marker that survives htmx swaps but not a page load."""
    page.evaluate("window.__marker = 1")


def document_is_the_same(page) -> bool:
    return page.evaluate("window.__marker === 1")


def test_filters_update_the_results_in_place_and_the_url(page, live_server, catalog, output_dir):
    page.goto("/models/")
    expect(result_count(page)).to_have_text(re.compile(r"^\s*6 models\s*$"))
    mark_document(page)

    page.get_by_label("Vision", exact=True).check()
    expect(result_count(page)).to_have_text(re.compile(r"^\s*4 models\s*$"))
    expect(page).to_have_url(re.compile(r"/models/\?capability=vision$"))

    page.get_by_label("Max input price (USD / 1M tokens)", exact=True).fill("1.5")
    # Enter fires "change" and then "submit": one request runs, the identical second one is skipped.
    page.get_by_label("Max input price (USD / 1M tokens)", exact=True).press("Enter")
    expect(result_count(page)).to_have_text(re.compile(r"^\s*2 models\s*$"))
    expect(page).to_have_url(re.compile(r"/models/\?capability=vision&max_input_price=1\.5$"))
    assert result_names(page) == ["Llama 3.2 11B Vision", "o4-mini"]
    assert document_is_the_same(page), "the filters navigated instead of swapping the results"
    page.screenshot(path=output_dir / "explorer-filtered.png", full_page=True)

    # A full load of the pushed URL renders the same state on the server.
    page.reload()
    assert not document_is_the_same(page)
    expect(result_count(page)).to_have_text(re.compile(r"^\s*2 models\s*$"))
    assert result_names(page) == ["Llama 3.2 11B Vision", "o4-mini"]
    expect(page.get_by_label("Vision", exact=True)).to_be_checked()
    expect(page.get_by_label("Max input price (USD / 1M tokens)", exact=True)).to_have_value("1.5")


def test_back_and_forward_restore_each_state(page, live_server, catalog):
    page.goto("/models/")
    page.get_by_label("Vision", exact=True).check()
    expect(result_count(page)).to_have_text(re.compile(r"^\s*4 models\s*$"))
    page.get_by_label("Organization", exact=True).select_option("meta")
    expect(result_count(page)).to_have_text(re.compile(r"^\s*2 models\s*$"))
    expect(page).to_have_url(re.compile(r"\?capability=vision&organization=meta$"))

    page.go_back()
    expect(page).to_have_url(re.compile(r"/models/\?capability=vision$"))
    expect(result_count(page)).to_have_text(re.compile(r"^\s*4 models\s*$"))
    expect(page.get_by_label("Vision", exact=True)).to_be_checked()
    expect(page.get_by_label("Organization", exact=True)).to_have_value("")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/models/$"))
    expect(result_count(page)).to_have_text(re.compile(r"^\s*6 models\s*$"))
    expect(page.get_by_label("Vision", exact=True)).not_to_be_checked()

    page.go_forward()
    expect(result_count(page)).to_have_text(re.compile(r"^\s*4 models\s*$"))
    # The restored page is live again: filtering still swaps in place.
    mark_document(page)
    page.get_by_label("Organization", exact=True).select_option("openai")
    expect(result_count(page)).to_have_text(re.compile(r"^\s*2 models\s*$"))
    assert document_is_the_same(page)


def test_text_search_updates_as_you_type(page, live_server, catalog):
    page.goto("/models/")
    mark_document(page)

    page.get_by_label("Search", exact=True).press_sequentially("llama", delay=20)

    expect(result_count(page)).to_have_text(re.compile(r"^\s*3 models\s*$"))
    expect(page).to_have_url(re.compile(r"/models/\?q=llama$"))
    assert document_is_the_same(page)


def test_empty_state_and_ignored_value_note(page, live_server, catalog):
    page.goto("/models/?max_input_price=abc&q=nothing-like-this")

    expect(result_count(page)).to_have_text(re.compile(r"^\s*0 models\s*$"))
    expect(page.locator("#results .empty-state")).to_be_visible()
    expect(page.locator("#results .notice")).to_contain_text("Max input price")


def test_pagination_links_swap_the_results(page, live_server):
    org = create_organization()
    LanguageModel.objects.bulk_create(
        LanguageModel(name=f"Model {i:03d}", slug=f"model-{i:03d}", organization=org) for i in range(60)
    )
    page.goto("/models/")
    mark_document(page)

    page.get_by_role("link", name="Next").click()

    expect(result_count(page)).to_contain_text("showing 51–60")
    expect(page).to_have_url(re.compile(r"/models/\?page=2$"))
    assert document_is_the_same(page)


def test_ticking_two_models_opens_their_canonical_comparison(page, live_server, catalog):
    page.goto("/models/")

    page.get_by_label("Compare o4-mini", exact=True).check()
    page.get_by_label("Compare Llama 3.2 1B", exact=True).check()
    page.get_by_role("button", name="Compare selected").click()

    expect(page).to_have_url(re.compile(r"/compare/llama-3-2-1b-vs-o4-mini/$"))


def test_compare_asks_for_two_to_four_models(page, live_server, catalog):
    page.goto("/models/")

    page.get_by_label("Compare o4-mini", exact=True).check()
    page.get_by_role("button", name="Compare selected").click()

    expect(page.locator("[data-compare-status]")).to_have_text("Tick two to four models to compare (1 ticked).")
    expect(page).to_have_url(re.compile(r"/models/$"))


def test_on_a_phone_the_filters_fold_away_and_still_work(page, live_server, catalog):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/models/")
    search = page.get_by_label("Search", exact=True)
    expect(search).to_be_hidden()  # the results come first; the filters wait under their summary
    page.locator("details.filters-box > summary").click()
    expect(search).to_be_visible()
    page.get_by_label("Vision", exact=True).check()
    expect(result_count(page)).to_have_text(re.compile(r"^\s*4 models\s*$"))
    expect(page.locator("#filters-in-use")).to_have_text("(1 in use)")  # swapped out of band with the results
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_on_a_wide_screen_the_filters_are_open(page, live_server, catalog):
    page.goto("/models/")
    expect(page.get_by_label("Search", exact=True)).to_be_visible()
    expect(page.locator("details.filters-box > summary")).to_be_hidden()
    assert page.evaluate("document.querySelector('details.filters-box').open")
