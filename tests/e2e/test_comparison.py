"""The comparison pages in a real browser: calculator, pricing filters, capability toggle, picker, 3-model compare."""

import re
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import expect

from catalog.models import Provider
from tests.factories import create_model, create_offering, create_organization, create_provider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAIR = "/compare/alpha-one-vs-beta-two/"


@pytest.fixture
def catalog() -> None:
    """Three models; Alpha and Beta share one aggregator and differ in reasoning only."""
    acme = create_organization(name="Acme", slug="acme")
    bolt = create_organization(name="Bolt", slug="bolt")
    alpha = create_model(name="Alpha One", slug="alpha-one", organization=acme, vision=True, reasoning=False)
    beta = create_model(name="Beta Two", slug="beta-two", organization=bolt, vision=True, reasoning=True)
    gamma = create_model(name="Gamma Three", slug="gamma-three", organization=acme)
    acme_api = create_provider(name="Acme API", slug="acme-api", kind=Provider.Kind.FIRST_PARTY)
    bolt_api = create_provider(name="Bolt API", slug="bolt-api", kind=Provider.Kind.FIRST_PARTY)
    router = create_provider(name="Router X", slug="router-x", kind=Provider.Kind.AGGREGATOR)
    cloud = create_provider(name="Cloud Y", slug="cloud-y", kind=Provider.Kind.CLOUD)
    create_offering(
        model=alpha,
        provider=acme_api,
        input_price=Decimal("1.00"),
        output_price=Decimal("2.00"),
        cached_input_price=Decimal("0.25"),
        batch_input_price=Decimal("0.50"),
        batch_output_price=Decimal("1.00"),
    )
    create_offering(model=alpha, provider=router, input_price=Decimal("1.20"), output_price=Decimal("2.40"))
    create_offering(model=beta, provider=bolt_api, input_price=Decimal("3.00"), output_price=Decimal("6.00"))
    create_offering(model=beta, provider=router, input_price=Decimal("3.30"), output_price=Decimal("6.60"))
    create_offering(model=gamma, provider=cloud, input_price=Decimal("0.10"), output_price=Decimal("0.20"))


def mark_document(page) -> None:
    """A marker that survives htmx swaps but not a page load."""
    page.evaluate("window.__marker = 1")


def document_is_the_same(page) -> bool:
    return page.evaluate("window.__marker === 1")


def query(page) -> list[tuple[str, str]]:
    """The page URL's query, sorted (widgets add their fields in document order)."""
    return sorted(parse_qsl(urlsplit(page.url).query))


def totals(page):
    return page.locator("#cost-results [data-total]")


def capability_labels(page) -> list[str]:
    return page.locator("#capabilities-table tbody th[scope=row]").all_inner_texts()


def providers_listed(page, model: str) -> list[str]:
    table = page.locator("#pricing-tables table", has=page.locator(f"caption:text-is('{model} prices by provider')"))
    return table.locator("tbody th[scope=row] a").all_inner_texts()


def test_calculator_recalculates_in_place_and_keeps_the_state_in_the_url(page, live_server, catalog, output_dir):
    page.goto(PAIR)
    # Default workload: 7M input + 3M output on each model's cheapest provider (10x the 70/30 blend).
    expect(totals(page)).to_have_text(["$13.00", "$39.00"])
    mark_document(page)

    page.get_by_label("Input tokens per month", exact=True).fill("14000000")
    expect(totals(page)).to_have_text(["$20.00", "$60.00"])
    # Fields left at their default stay out of the URL.
    expect(page).to_have_url(re.compile(r"\?in=14000000$"))

    page.get_by_label("Provider for Alpha One", exact=True).select_option("router-x")
    expect(totals(page)).to_have_text(["$24.00", "$60.00"])
    page.get_by_label("Service tier", exact=True).select_option("batch")
    expect(page.locator("#cost-results")).to_contain_text("(no batch prices sourced: standard prices)")
    page.get_by_label("Provider for Alpha One", exact=True).select_option("")
    # Batch on the cheapest provider: 14M x $0.50 + 3M x $1.00 on Acme API.
    expect(totals(page)).to_have_text(["$10.00", "$60.00"])
    expect(page.locator("#cost-results .cost-sentence").first).to_contain_text("Alpha One costs $50.00 a month less")
    assert document_is_the_same(page), "the calculator navigated instead of swapping its results"
    page.screenshot(path=output_dir / "comparison-calculator.png", full_page=True)

    page.reload()
    assert not document_is_the_same(page)
    expect(totals(page)).to_have_text(["$10.00", "$60.00"])
    expect(page.get_by_label("Input tokens per month", exact=True)).to_have_value("14000000")
    expect(page.get_by_label("Service tier", exact=True)).to_have_value("batch")


def test_an_invalid_calculator_value_shows_a_message_without_navigating(page, live_server, catalog):
    page.goto(PAIR)
    mark_document(page)

    page.get_by_label("Share of input read from the prompt cache (%)", exact=True).fill("150")

    alert = page.locator("#cost-results [role=alert]")
    expect(alert).to_contain_text("Enter a percentage from 0 to 100.")
    expect(page).to_have_url(re.compile(r"cached=150"))
    assert document_is_the_same(page)

    page.get_by_label("Share of input read from the prompt cache (%)", exact=True).fill("50")
    # Half of 7M input from the cache at $0.25: 3.5M x $1 + 3.5M x $0.25 + 3M x $2.
    expect(totals(page)).to_have_text(["$10.38", "$39.00"])


def test_only_differences_toggle_keeps_the_other_widgets_state(page, live_server, catalog):
    page.goto(PAIR)
    assert len(capability_labels(page)) == 7
    mark_document(page)
    page.get_by_label("Output tokens per month", exact=True).fill("0")
    expect(totals(page)).to_have_text(["$7.00", "$21.00"])

    page.get_by_label("Show only differences", exact=True).check()

    expect(page.locator("#capabilities-table tbody th[scope=row]")).to_have_text(["Reasoning mode"])
    expect(page).to_have_url(re.compile(r"diff=1"))
    assert query(page) == [("diff", "1"), ("out", "0")]
    assert document_is_the_same(page)

    page.get_by_label("Show only differences", exact=True).uncheck()
    expect(page.locator("#capabilities-table tbody th[scope=row]")).to_have_count(7)

    page.go_back()
    expect(page).to_have_url(re.compile(r"diff=1"))
    expect(page.locator("#capabilities-table tbody th[scope=row]")).to_have_text(["Reasoning mode"])
    expect(totals(page)).to_have_text(["$7.00", "$21.00"])


def test_pricing_filters_narrow_the_tables_in_place(page, live_server, catalog, output_dir):
    page.goto(PAIR)
    assert providers_listed(page, "Alpha One") == ["Acme API", "Router X"]
    mark_document(page)

    page.get_by_label("Only providers that serve both models", exact=True).check()
    expect(page.locator("#pricing-tables .filter-count").first).to_have_text(
        "Showing 1 of 2 offerings under the filters above."
    )
    assert providers_listed(page, "Alpha One") == ["Router X"]
    assert providers_listed(page, "Beta Two") == ["Router X"]
    expect(page).to_have_url(re.compile(r"\?both=1$"))

    page.get_by_label("First-party", exact=True).check()
    expect(page.locator("#pricing-tables")).to_contain_text("None of the 2 offerings of Alpha One matches")
    expect(page).to_have_url(re.compile(r"\?kind=first_party&both=1$"))
    page.get_by_label("Only providers that serve both models", exact=True).uncheck()
    expect(page.locator("#pricing-tables table")).to_have_count(2)
    assert providers_listed(page, "Beta Two") == ["Bolt API"]
    assert document_is_the_same(page)

    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=output_dir / "comparison-375px.png", full_page=True)


def test_picker_search_as_you_type_is_keyboard_usable(page, live_server, catalog):
    page.goto("/compare/")

    search_a = page.get_by_role("combobox", name="Compare", exact=True)
    search_a.press_sequentially("alp", delay=30)
    expect(page.locator("#id_a-options [role=option]")).to_have_text(["Alpha One Acme"])
    search_a.press("ArrowDown")
    expect(search_a).to_have_attribute("aria-activedescendant", "picker-a-alpha-one")
    search_a.press("Enter")
    expect(page.get_by_label("Compare", exact=True)).to_have_value("alpha-one")
    expect(search_a).to_have_attribute("aria-expanded", "false")

    search_b = page.get_by_role("combobox", name="with", exact=True)
    search_b.press_sequentially("bolt", delay=30)  # matches the organization
    expect(page.locator("#id_b-options [role=option]")).to_have_text(["Beta Two Bolt"])
    search_b.press("ArrowDown")
    search_b.press("Enter")
    expect(page.get_by_label("with", exact=True)).to_have_value("beta-two")

    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page).to_have_url(re.compile(r"/compare/alpha-one-vs-beta-two/$"))


def test_ticking_three_models_opens_the_multi_model_page(page, live_server, catalog, output_dir):
    page.goto("/models/")

    for name in ("Gamma Three", "Alpha One", "Beta Two"):
        page.get_by_label(f"Compare {name}", exact=True).check()
    page.get_by_role("button", name="Compare selected").click()

    expect(page).to_have_url(re.compile(r"/compare/alpha-one-vs-beta-two-vs-gamma-three/$"))
    expect(page.locator("h1")).to_have_text("Alpha One vs Beta Two vs Gamma Three")
    expect(page.locator("#pairs a")).to_have_count(3)
    page.screenshot(path=output_dir / "comparison-three-models.png", full_page=True)


def test_without_javascript_the_widgets_are_plain_get_forms(browser, live_server, catalog):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(PAIR + "?diff=1")
        expect(page.locator("form.picker")).to_have_count(0)  # the pair page has no picker
        page.get_by_label("Only providers that serve both models", exact=True).check()
        page.get_by_role("button", name="Apply").first.click()
        expect(page).to_have_url(re.compile(r"both=1.*#pricing$"))
        assert ("diff", "1") in query(page)  # the other widget's state went along
        assert providers_listed(page, "Alpha One") == ["Router X"]

        page.get_by_label("Input tokens per month", exact=True).fill("1000000")
        page.get_by_role("button", name="Calculate").click()
        expect(totals(page)).to_have_text(["$7.00", "$21.00"])
        assert {("both", "1"), ("diff", "1"), ("in", "1000000")} <= set(query(page))

        page.goto("/compare/")
        page.get_by_label("Compare", exact=True).fill("Gamma Three")  # a name, typed
        page.get_by_label("with", exact=True).fill("a")  # several models match: links to each
        page.get_by_role("button", name="Compare", exact=True).click()
        expect(page.locator(".field-errors")).to_contain_text("models match that")
        page.get_by_role("link", name="Alpha One", exact=True).click()
        expect(page).to_have_url(re.compile(r"/compare/alpha-one-vs-gamma-three/$"))
    finally:
        context.close()
