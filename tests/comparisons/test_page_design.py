"""What the design asks of the markup: key figures, quiet citations, valid attributes, pages for removed models."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from catalog.models import LanguageModel
from catalog.review.services import ProposedChange, changeset_create_applied, system_user
from tests.comparisons.builders import create_seed_pair
from tests.factories import create_model, create_offering, create_source

pytestmark = pytest.mark.django_db

SEED_URL = "/compare/llama-3-2-1b-vs-o4-mini/"


def section(html: str, section_id: str) -> str:
    return re.search(rf'<section id="{section_id}".*?</section>', html, re.S).group(0)


def remove(model: LanguageModel) -> None:
    """Delete a model through review, as an editor and a reviewer would."""
    changeset_create_applied(
        author=system_user("remover"),
        reviewer=system_user("remover-reviewer", reviewer=True),
        changes=[ProposedChange("delete", LanguageModel, target=model, source=create_source())],
        summary=f"Remove {model.name}",
    )


class TestPairPage:
    def test_key_figure_cards_come_first_and_say_the_winner_in_words(self, client):
        create_seed_pair()
        html = client.get(SEED_URL).content.decode()
        cards = re.search(r'<section class="key-figures".*?</section>', html, re.S).group(0)
        assert html.index(cards) < html.index('<section id="specs"')
        assert cards.count('<li class="figure-card">') == 5
        for label in ("Cheapest price", "Context window", "Max output", "License", "Status"):
            assert f"<h3>{label}</h3>" in cards
        assert '<span class="badge win">cheaper</span>' in cards
        assert "Llama 3.2 1B is 89% cheaper at a 70/30 input/output blend" in cards  # $0.10 against $0.95
        assert '<section class="verdict"' in html

    def test_citations_in_a_table_are_quiet_and_its_sources_are_one_disclosure(self, client):
        create_seed_pair()
        specs = section(client.get(SEED_URL).content.decode(), "specs")
        assert '<a class="cite"' not in specs  # no tab stop per citation
        assert re.search(r'<span class="cite" title="Source 1: [^"]+">\[1\]</span>', specs)
        assert specs.count('<details class="table-sources">') == 1
        disclosure = specs.split('<details class="table-sources">')[1]
        assert re.search(r'<li value="1"><a href="https://[^"]+" rel="nofollow noopener">', disclosure)

    def test_htmx_attributes_are_data_attributes(self, client):
        create_seed_pair()
        for url in (SEED_URL, "/models/", "/"):
            html = client.get(url).content.decode()
            assert not re.search(r"\shx-[a-z-]+=", html), url
        assert 'data-hx-target="#cost-results"' in client.get(SEED_URL).content.decode()


def test_a_retired_model_on_the_multi_page_has_no_price_rather_than_an_unsourced_one(client):
    alpha = create_model(name="Alpha", slug="alpha")
    create_model(name="Beta", slug="beta", status="retired")
    create_model(name="Gamma", slug="gamma")
    create_offering(model=alpha)
    html = client.get("/compare/alpha-vs-beta-vs-gamma/").content.decode()
    pricing = section(html, "pricing")
    assert pricing.count('<span class="not-offered">retired</span>') == 4  # provider, input, output, blend
    assert pricing.count('<span class="not-offered">no tracked provider</span>') == 4  # Gamma
    assert "not yet sourced" not in pricing


def test_time_elements_carry_whole_seconds(client):
    seed = create_seed_pair()
    remove(create_model(name="Old", slug="old"))
    html = client.get("/changes/").content.decode()
    values = re.findall(r'<time datetime="([^"]+)"', html)
    assert values
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", v) for v in values), values
    assert seed


class TestRemovedModel:
    def test_a_model_removed_by_review_is_gone_and_names_its_successor(self, client):
        successor = create_model(name="Alpha Two", slug="alpha-two")
        old = create_model(name="Alpha One", slug="alpha-one", successor=successor)
        remove(old)
        response = client.get("/models/alpha-one/")
        assert response.status_code == 410
        html = response.content.decode()
        assert "<h1>Alpha One was removed from the catalog</h1>" in html
        assert '<a href="/models/alpha-two/">Alpha Two</a>' in html
        assert '<main id="main">' in html  # in the site's chrome

    def test_a_comparison_with_a_removed_model_is_gone_and_offers_the_successor(self, client):
        successor = create_model(name="Alpha Two", slug="alpha-two")
        create_model(name="Beta", slug="beta")
        remove(create_model(name="Alpha One", slug="alpha-one", successor=successor))
        response = client.get("/compare/alpha-one-vs-beta/")
        assert response.status_code == 410
        assert 'href="/compare/alpha-two-vs-beta/"' in response.content.decode()

    def test_a_slug_that_never_existed_is_not_found(self, client):
        create_model(name="Beta", slug="beta")
        assert client.get("/models/never-was/").status_code == 404
        assert client.get("/compare/beta-vs-never-was/").status_code == 404

    def test_the_gone_page_costs_two_queries_beyond_the_lookup(self, client, django_assert_max_num_queries):
        remove(create_model(name="Alpha One", slug="alpha-one"))
        with django_assert_max_num_queries(4):
            assert client.get("/models/alpha-one/").status_code == 410


def test_favicon_ico_points_to_the_svg_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.svg")


def test_the_offered_prices_have_a_column_and_a_tier_nobody_offers_has_none(client):
    model = create_model(name="Alpha", slug="alpha")
    create_offering(model=model, input_price=Decimal("1"), output_price=Decimal("2"), batch_input_price=Decimal("0.5"))
    create_offering(model=model, input_price=Decimal("1.2"), output_price=Decimal("2.4"))
    html = section(client.get("/models/alpha/").content.decode(), "pricing")
    assert "Batch input / 1M" in html
    assert "Batch output / 1M" not in html  # nobody sells it: no column
    assert html.count('<span class="not-offered">not offered</span>') == 1  # the second provider's batch input


class TestExplorerFilters:
    URL = "/models/?capability=vision&license_kind=proprietary&sort=newest&year=nonsense"

    def test_the_folded_filters_say_how_many_are_in_use(self, client):
        create_model(name="Alpha", slug="alpha")
        html = client.get(self.URL).content.decode()
        assert '<details class="filters-box">' in html  # closed: small screens see the results first
        # two ticked boxes; the sort order is not a filter and the ignored year is not applied
        assert '<span id="filters-in-use" class="filter-count">(2 in use)</span></summary>' in html
        assert html.count('id="filters-in-use"') == 1

    def test_an_htmx_update_refreshes_the_count_out_of_band(self, client):
        create_model(name="Alpha", slug="alpha")
        html = client.get("/models/?capability=vision", HTTP_HX_REQUEST="true").content.decode()
        assert '<span id="filters-in-use" class="filter-count" data-hx-swap-oob="true">(1 in use)</span>' in html
        cleared = client.get("/models/", HTTP_HX_REQUEST="true").content.decode()
        assert '<span id="filters-in-use" class="filter-count" data-hx-swap-oob="true"></span>' in cleared
