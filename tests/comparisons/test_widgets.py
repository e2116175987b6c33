"""The comparison widgets: cost calculator, pricing filters, capability toggle, multi-model compare, picker search.

Each widget state is a URL: a full load renders it, an htmx request from one widget (HX-Target = the region's
id = the partial's name) gets only that region, and bad input never answers 500.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import LanguageModel, Offering, Price, Provider
from comparisons.calculator import Workload, round_cost
from tests.comparisons.builders import create_seed_pair
from tests.comparisons.test_views import SEED_URL, assert_well_formed, parse, visible_text
from tests.factories import (
    create_benchmark,
    create_benchmark_result,
    create_model,
    create_offering,
    create_organization,
    create_provider,
)

pytestmark = pytest.mark.django_db


def htmx_get(client, url: str, target: str, **headers):
    return client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target, **headers)


def region(response, region_id: str) -> str:
    """The inner HTML of the region with this id in a full page."""
    body = response.content.decode()
    start = body.index(f'id="{region_id}"')
    start = body.index(">", start) + 1
    return body[start : body.index("</div>\n</section>", start)] if region_id == "cost-results" else body[start:]


def share_openrouter(seed) -> None:
    """Llama 3.2 1B on OpenRouter too, so the pair has one provider serving both."""
    openrouter = Provider.objects.get(slug="openrouter")
    create_offering(model=seed.llama, provider=openrouter, input_price=Decimal("0.05"), output_price=Decimal("0.08"))


class TestCalculatorState:
    def test_default_costs_are_ten_times_the_blended_prices(self, client):
        create_seed_pair()
        words = visible_text(client.get(SEED_URL))
        assert "o4-mini Replicate API (cheapest) $3.50 $0.00 $6.00 $9.50" in words
        assert "($1.00 against $9.50, 89% cheaper)" in words

    def test_the_form_shows_the_defaults_and_the_state_of_the_url(self, client):
        create_seed_pair()
        page = client.get(SEED_URL).content.decode()
        assert 'name="in" value="7000000"' in page
        assert 'name="out" value="3000000"' in page
        page = client.get(SEED_URL + "?in=20000000").content.decode()
        assert 'name="in" value="20000000"' in page
        assert 'name="out" value="3000000"' in page  # left out of the URL: its default, not a blank

    def test_a_chosen_provider_replaces_the_cheapest(self, client):
        create_seed_pair()
        words = visible_text(client.get(SEED_URL + "?pb=openai-api"))
        # 7M x $1.10 + 3M x $4.40 on OpenAI API
        assert "o4-mini OpenAI API (chosen) $7.70 $0.00 $13.20 $20.90" in words
        assert "OpenAI API (cheapest)" not in words
        # every other provider is still costed, for comparison
        assert "o4-mini Replicate API $3.50 $0.00 $6.00 $9.50" in words

    def test_cached_share_and_batch_switch(self, client):
        seed = create_seed_pair()
        offering = Offering.objects.get(model=seed.llama)
        for dimension, tier, amount in (
            ("cache_read", "standard", "0.02"),
            ("input", "batch", "0.05"),
            ("output", "batch", "0.05"),
        ):
            Price.objects.create(offering=offering, dimension=dimension, tier=tier, usd_per_million=Decimal(amount))
        words = visible_text(client.get(SEED_URL + "?in=10000000&out=0&cached=50&batch=1"))
        # 5M cached x $0.02 + 5M x $0.05 batch input
        assert "Llama 3.2 1B Fireworks AI (cheapest) $0.25 $0.10 $0.00 $0.35" in words
        assert "(no cached input price sourced: full input price)" in words  # o4-mini has no cached price
        # OpenAI API is the only o4-mini provider with a batch tier: the others fall back, and say so
        assert "(no batch prices sourced: standard prices)" in words

    @pytest.mark.parametrize("off", ["0", "off", "false", ""])
    def test_batch_zero_or_off_in_the_url_means_no_batch(self, client, off):
        create_seed_pair()
        response = client.get(f"{SEED_URL}?batch={off}")
        assert "standard tier" in region(response, "cost-results").split("</caption>")[0]

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ("in=-5", "Enter 0 or more tokens."),
            ("out=abc", "Enter a whole number of tokens, such as 7000000."),
            ("in=99999999999999", "Enter at most 10,000,000,000,000 tokens a month."),
            ("in=" + "9" * 10_000, "Enter a whole number of tokens"),
            ("cached=100.5", "Enter a percentage from 0 to 100."),
            ("cached=-1", "Enter a percentage from 0 to 100."),
            ("cached=12.345", "at most 2 decimals"),
            ("pa=openai-api", "That provider has no input and output price for Llama 3.2 1B."),
            ("pb=%3Cscript%3E", "That provider has no input and output price for o4-mini."),
        ],
    )
    def test_bad_values_show_a_visible_message_never_a_500(self, client, query, message):
        create_seed_pair()
        for response in (client.get(f"{SEED_URL}?{query}"), htmx_get(client, f"{SEED_URL}?{query}", "cost-results")):
            assert response.status_code == 200
            body = response.content.decode()
            assert "Correct these values to see the monthly costs:" in body
            assert message in body
            assert "<script>" not in body.split("</head>")[-1]

    def test_a_tiny_workload_keeps_its_sub_cent_cost(self, client):
        create_seed_pair()
        words = visible_text(client.get(SEED_URL + "?in=1000&out=0"))
        assert "Llama 3.2 1B Fireworks AI (cheapest) $0.0001" in words
        assert "costs nothing" not in words

    def test_htmx_request_gets_only_the_results_region(self, client):
        create_seed_pair()
        response = htmx_get(client, SEED_URL + "?in=100000000&out=0", "cost-results")
        body = response.content.decode()
        assert "<html" not in body and "<h2" not in body
        assert "$10.00" in body and "$50.00" in body
        assert "Llama 3.2 1B costs $40.00 a month less than o4-mini" in body
        assert response["Vary"] == "HX-Request, HX-Target, HX-History-Restore-Request"


@pytest.mark.parametrize(
    ("values", "millions", "share"),
    [((7_000_000, 3_000_000, Decimal(0)), (Decimal(7), Decimal(3)), Decimal(0)), ((1, 0, Decimal("12.5")), None, None)],
)
def test_workload_from_tokens_is_decimal_millions(values, millions, share):
    workload = Workload.from_tokens(*values, batch=False)
    assert isinstance(workload.input_millions, Decimal)
    if millions:
        assert (workload.input_millions, workload.output_millions, workload.cached_share) == (*millions, share)
    assert workload.input_tokens == values[0]


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("9.505"), Decimal("9.51")),
        (Decimal("9.504999"), Decimal("9.50")),
        (Decimal("0.01"), Decimal("0.01")),
        (Decimal("0.0049999"), Decimal("0.005000")),
        (Decimal("0.0000001"), Decimal("0.000000")),
    ],
)
def test_costs_round_to_the_cent_and_keep_sub_cent_digits(amount, shown):
    assert round_cost(amount) == shown


class TestPricingFilters:
    def test_kind_filter_lists_only_those_providers(self, client):
        create_seed_pair()
        section = region(client.get(SEED_URL + "?kind=aggregator&kind=first_party"), "pricing-tables")
        section = section[: section.index('id="capabilities"')]
        assert ">OpenRouter</a>" in section and ">OpenAI API</a>" in section
        assert ">Replicate API</a>" not in section and "Batch API" not in section
        assert "Showing 2 of 3 offerings under the filters above." in section
        assert "None of the 1 offering of Llama 3.2 1B matches the filters above." in section
        # The cheapest sentence still names the cheapest of all tracked providers.
        assert "Cheapest: <strong>Replicate API</strong>" in section

    def test_only_providers_serving_both(self, client):
        seed = create_seed_pair()
        share_openrouter(seed)
        body = htmx_get(client, SEED_URL + "?both=1", "pricing-tables").content.decode()
        assert body.count("<table") == 2
        assert ">Fireworks AI</a>" not in body and ">Replicate API</a>" not in body
        assert body.count(">OpenRouter</a>") == 2

    def test_both_without_a_shared_provider_says_so(self, client):
        create_seed_pair()
        body = htmx_get(client, SEED_URL + "?both=1", "pricing-tables").content.decode()
        assert "No tracked provider serves both models." in body
        assert "<table" not in body

    def test_only_kinds_the_pair_has_are_offered(self, client):
        create_seed_pair()
        page = client.get(SEED_URL).content.decode()
        for kind in ("first_party", "aggregator", "inference"):
            assert f'name="kind" value="{kind}"' in page
        assert 'value="cloud"' not in page and 'value="batch" ' not in page.split('id="cost-calculator"')[0]

    @pytest.mark.parametrize("query", ["kind=nonsense", "kind=" + "x" * 10_000, "kind=%3Cscript%3E&kind=first_party"])
    def test_unknown_kind_is_left_out_with_a_note(self, client, query):
        create_seed_pair()
        response = client.get(f"{SEED_URL}?{query}")
        assert response.status_code == 200
        assert "An unknown provider kind was left out." in response.content.decode()
        assert "<script>" not in response.content.decode().split("</head>")[-1]

    def test_htmx_request_gets_only_the_pricing_region(self, client):
        create_seed_pair()
        response = htmx_get(client, SEED_URL + "?kind=first_party", "pricing-tables")
        body = response.content.decode()
        assert "<html" not in body and "Cost calculator" not in body and 'name="kind"' not in body
        assert ">OpenAI API</a>" in body and ">Replicate API</a>" not in body
        assert "Batch input / 1M" in body  # the batch tier is a labelled column of OpenAI API's offering
        assert "Vary" in response and "HX-Target" in response["Vary"]


class TestCapabilityToggle:
    def test_only_differences(self, client):
        create_seed_pair()
        full = parse(client.get(SEED_URL))
        body = htmx_get(client, SEED_URL + "?diff=1", "capabilities-table").content.decode()
        # The seed pair differs in reasoning, vision, multimodal and function calling; the rest are unknown on both.
        assert body.count('<th scope="row">') == 4
        assert "Tool use" not in body
        assert "Differences: 4 of 7 capabilities." in body
        assert full.headings  # the full page still renders every row
        assert client.get(SEED_URL).content.decode().count("Tool use") >= 1

    def test_no_difference_says_so(self, client):
        org = create_organization()
        create_model(name="Same A", slug="same-a", organization=org, vision=True)
        create_model(name="Same B", slug="same-b", organization=org, vision=True)
        body = htmx_get(client, "/compare/same-a-vs-same-b/?diff=1", "capabilities-table").content.decode()
        assert "Same A and Same B have the same record for every capability." in body


class TestCombinedState:
    URL = SEED_URL + "?in=14000000&pb=openai-api&kind=first_party&diff=1"

    def test_a_full_load_renders_every_widget_state(self, client):
        create_seed_pair()
        response = client.get(self.URL)
        assert response.status_code == 200
        assert_well_formed(parse(response))
        body = response.content.decode()
        assert 'name="in" value="14000000"' in body
        assert '<option value="openai-api" selected>OpenAI API</option>' in body
        assert 'name="kind" value="first_party" form="pair-widgets" id="id_kind_0" checked' in body
        assert 'name="diff" form="pair-widgets" value="1" id="id_diff" checked' in body
        words = visible_text(response)
        assert "Showing 1 of 3 offerings" in words
        assert "Differences: 4 of 7 capabilities." in words
        # 14M x $1.10 + 3M x $4.40 on OpenAI API
        assert "o4-mini OpenAI API (chosen) $15.40 $0.00 $13.20 $28.60" in words

    @pytest.mark.parametrize("target", ["cost-results", "pricing-tables", "capabilities-table"])
    def test_each_widget_region_reflects_the_whole_state(self, client, target):
        create_seed_pair()
        body = htmx_get(client, self.URL, target).content.decode()
        expected = {
            "cost-results": "$28.60",
            "pricing-tables": "Showing 1 of 3 offerings",
            "capabilities-table": "Differences: 4 of 7 capabilities.",
        }
        assert expected[target] in body
        assert "<html" not in body

    @pytest.mark.parametrize(
        "headers",
        [
            {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "main"},
            {"HTTP_HX_REQUEST": "true"},
            {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "cost-results", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"},
        ],
    )
    def test_other_htmx_requests_and_history_restores_get_the_whole_page(self, client, headers):
        create_seed_pair()
        body = client.get(self.URL, **headers).content.decode()
        assert "<html" in body and "Cost calculator" in body

    def test_the_canonical_link_ignores_widget_state(self, client):
        create_seed_pair()
        assert parse(client.get(self.URL)).canonical == "http://testserver" + SEED_URL

    def test_the_reverse_order_keeps_the_widget_state(self, client):
        create_seed_pair()
        response = client.get("/compare/o4-mini-vs-llama-3-2-1b/?diff=1&kind=batch")
        assert response.status_code == 301
        assert response["Location"] == SEED_URL + "?diff=1&kind=batch"


def add_bulk_models(count: int) -> None:
    """`count` more models, each on two providers, created in bulk."""
    org = create_organization()
    providers = [create_provider(), create_provider()]
    models = LanguageModel.objects.bulk_create(
        LanguageModel(name=f"Bulk {i:04d}", slug=f"bulk-{i:04d}", organization=org) for i in range(count)
    )
    offerings = Offering.objects.bulk_create(
        Offering(model=m, provider=p) for m, p in itertools.product(models, providers)
    )
    Price.objects.bulk_create(
        Price(offering=o, dimension=dimension, usd_per_million=Decimal(amount))
        for o in offerings
        for dimension, amount in (("input", "1"), ("output", "2"))
    )


# models, offerings (+ providers), their prices, benchmark results, provenance; the catalog revision
FRAGMENT_MAX_QUERIES = 6


@pytest.mark.parametrize("target", ["cost-results", "pricing-tables", "capabilities-table"])
def test_fragment_queries_are_bounded_and_equal_for_2_and_500_models(client, django_assert_max_num_queries, target):
    url = SEED_URL + "?in=1000000&both=1&kind=first_party&tier=batch&diff=1&pb=openai-api"
    create_seed_pair()
    counts = []
    for extra in (0, 498):
        add_bulk_models(extra)
        assert LanguageModel.objects.count() == 2 + extra
        htmx_get(client, url, target)  # warm per-process caches (content types)
        with django_assert_max_num_queries(FRAGMENT_MAX_QUERIES):
            response = htmx_get(client, url, target)
        assert response.status_code == 200
        with CaptureQueriesContext(connection) as captured:
            htmx_get(client, url, target)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def create_four(**kwargs) -> list[str]:
    org = create_organization(name="Four Org")
    bench = create_benchmark(name="MMLU", slug="mmlu")
    slugs = ["m-alpha", "m-beta", "m-delta", "m-gamma"]
    provider = create_provider(name="Shared Host", slug="shared-host")
    for i, slug in enumerate(slugs):
        model = create_model(name=f"Model {slug[2:].title()}", slug=slug, organization=org, reasoning=i % 2 == 0)
        create_offering(model=model, provider=provider, input_price=Decimal(i + 1), output_price=Decimal(2 * (i + 1)))
        create_offering(model=model, input_price=Decimal(10), output_price=Decimal(20))
        create_benchmark_result(model=model, benchmark=bench, score=Decimal(50 + i))
    return slugs


class TestMultiCompare:
    def test_three_models_side_by_side(self, client):
        create_four()
        response = client.get("/compare/m-alpha-vs-m-beta-vs-m-gamma/")
        assert response.status_code == 200
        page = parse(response)
        assert_well_formed(page)
        assert page.headings == [
            "Model Alpha vs Model Beta vs Model Gamma",
            "Specs",
            "Pricing summary",
            "Capabilities",
            "Shared benchmarks",
            "Each pair in detail",
            "Sources",
        ]
        words = visible_text(response)
        assert "Cheapest provider Shared Host Shared Host Shared Host" in words
        assert "Blended (70/30) $1.30 / 1M $2.60 / 1M $5.20 / 1M" in words
        assert "MMLU 50% [" in words
        for pair in ("m-alpha-vs-m-beta", "m-alpha-vs-m-gamma", "m-beta-vs-m-gamma"):
            assert f"/compare/{pair}/" in page.links
        assert page.canonical == "http://testserver/compare/m-alpha-vs-m-beta-vs-m-gamma/"

    def test_only_the_cheapest_prices_are_cited(self, client):
        create_four()
        words = visible_text(client.get("/compare/m-alpha-vs-m-beta-vs-m-delta-vs-m-gamma/"))
        assert "Provider " not in words.split("Sources")[-1]  # the factory providers (not cheapest) are not cited

    @pytest.mark.parametrize(
        ("path", "target"),
        [
            ("m-gamma-vs-m-alpha-vs-m-beta", "/compare/m-alpha-vs-m-beta-vs-m-gamma/"),
            ("m-delta-vs-m-gamma-vs-m-beta-vs-m-alpha", "/compare/m-alpha-vs-m-beta-vs-m-delta-vs-m-gamma/"),
        ],
    )
    def test_other_orders_answer_301_to_the_sorted_url(self, client, path, target):
        create_four()
        response = client.get(f"/compare/{path}/")
        assert response.status_code == 301
        assert response["Location"] == target

    @pytest.mark.parametrize(
        "path",
        [
            "m-alpha-vs-m-alpha-vs-m-beta",  # duplicate
            "m-alpha-vs-m-beta-vs-nope",  # unknown
            "m-beta-vs-m-alpha-vs-nope",  # unknown, not canonical
            "m-alpha-vs-m-beta-vs-m-delta-vs-m-gamma-vs-m-zeta",  # five
            "m-alpha-vs-m-beta-vs-m-gamma-vs-",  # empty slug
        ],
    )
    def test_bad_lists_answer_404(self, client, path):
        create_four()
        assert client.get(f"/compare/{path}/").status_code == 404

    def test_queries_are_bounded_and_equal_for_3_and_4_models(self, client, django_assert_max_num_queries):
        create_four()
        counts = []
        for url in ("/compare/m-alpha-vs-m-beta-vs-m-gamma/", "/compare/m-alpha-vs-m-beta-vs-m-delta-vs-m-gamma/"):
            client.get(url)
            with django_assert_max_num_queries(6):  # + the catalog revision (comparisons/snapshot.py)
                assert client.get(url).status_code == 200
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            counts.append(len(captured))
        assert counts[0] == counts[1]


class TestCompareSelection:
    @pytest.mark.parametrize(
        ("ticked", "target"),
        [
            (["m-beta", "m-alpha"], "/compare/m-alpha-vs-m-beta/"),
            (["m-gamma", "m-alpha", "m-beta"], "/compare/m-alpha-vs-m-beta-vs-m-gamma/"),
            (["m-gamma", "m-alpha", "m-beta", "m-delta"], "/compare/m-alpha-vs-m-beta-vs-m-delta-vs-m-gamma/"),
            (["m-beta", "m-alpha", "m-beta"], "/compare/m-alpha-vs-m-beta/"),  # a repeat counts once
        ],
    )
    def test_two_to_four_ticked_models_redirect_to_their_page(self, client, ticked, target):
        create_four()
        query = "&".join(f"compare={slug}" for slug in ticked)
        response = client.get(f"/compare/?{query}")
        assert response.status_code == 302
        assert response["Location"] == target
        assert client.get(target).status_code == 200

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ("compare=m-alpha", "Tick at least two different models to compare."),
            ("compare=", "Tick at least two different models to compare."),
            ("compare=m-alpha&compare=m-alpha", "Tick at least two different models to compare."),
            ("compare=a&compare=b&compare=c&compare=d&compare=e", "Tick at most 4 models to compare (5 ticked)."),
            ("compare=m-alpha&compare=nope", "One of the ticked models is not in the catalog."),
            ("compare=m-alpha&compare=" + "x" * 10_000, "One of the ticked models is not in the catalog."),
        ],
    )
    def test_other_selections_show_a_message(self, client, query, message):
        create_four()
        response = client.get(f"/compare/?{query}")
        assert response.status_code == 400
        assert message in response.content.decode()
        assert_well_formed(parse(response))


class TestPickerSearch:
    URL = reverse("comparisons:picker-search")

    def test_matches_name_or_organization_as_options(self, client):
        create_seed_pair()
        body = client.get(self.URL + "?q=meta&for=b", HTTP_HX_REQUEST="true").content.decode()
        assert body.count('role="option"') == 1
        assert 'id="picker-b-llama-3-2-1b" data-slug="llama-3-2-1b" data-name="Llama 3.2 1B"' in body
        body = client.get(self.URL + "?q=O4", HTTP_HX_REQUEST="true").content.decode()
        assert 'data-slug="o4-mini"' in body and 'id="picker-a-o4-mini"' in body

    def test_at_most_twenty_results_in_one_query(self, client, django_assert_num_queries):
        org = create_organization(name="Many")
        LanguageModel.objects.bulk_create(
            LanguageModel(name=f"Many {i:02d}", slug=f"many-{i:02d}", organization=org) for i in range(30)
        )
        with django_assert_num_queries(2):  # the matches, and the catalog revision the answer names
            body = client.get(self.URL + "?q=many", HTTP_HX_REQUEST="true").content.decode()
        assert body.count('role="option"') == 20
        assert "Many 00" in body and "Many 19" in body and "Many 20" not in body

    @pytest.mark.parametrize("query", ["", "q=", "q=%20%20"])
    def test_an_empty_query_lists_nothing_without_a_query(self, client, django_assert_num_queries, query):
        create_seed_pair()
        with django_assert_num_queries(1):  # only the catalog revision the answer names
            body = client.get(f"{self.URL}?{query}", HTTP_HX_REQUEST="true").content.decode()
        assert body.strip() == ""

    @pytest.mark.parametrize("q", ["zzz", "<script>", "x" * 10_000])
    def test_no_match_says_so_escaped(self, client, q):
        create_seed_pair()
        response = client.get(self.URL, {"q": q, "for": "<b>"}, HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert response.status_code == 200
        assert 'aria-disabled="true"' in body and "No model matches" in body
        assert "<script>" not in body and "<b>" not in body

    def test_without_htmx_it_sends_the_search_to_the_explorer(self, client):
        response = client.get(self.URL + "?q=llama 3")
        assert response.status_code == 302
        assert response["Location"] == "/models/?q=llama+3"
        assert client.get(self.URL)["Location"] == "/models/"

    def test_varies_on_htmx(self, client):
        assert "HX-Request" in client.get(self.URL + "?q=a", HTTP_HX_REQUEST="true")["Vary"]

    @pytest.mark.parametrize(
        "url", ["/", "/compare/", SEED_URL.replace("compare/llama-3-2-1b-vs-o4-mini", "models/o4-mini")]
    )
    def test_pickers_are_text_comboboxes_that_list_no_model(self, client, url):
        create_seed_pair()
        body = client.get(url).content.decode()
        assert body.count('role="combobox"') == 2 and 'aria-controls="id_b-options"' in body
        assert "<option" not in body and "<select" not in body.split('<form class="picker"')[1].split("</form>")[0]


class TestPickerWithoutJavaScript:
    def test_names_resolve_like_slugs(self, client):
        create_seed_pair()
        response = client.get("/compare/", {"a": "o4-MINI", "b": "Llama 3.2 1B"})
        assert response.status_code == 302
        assert response["Location"] == SEED_URL

    def test_a_single_partial_match_is_enough(self, client):
        create_seed_pair()
        assert client.get("/compare/", {"a": "o4", "b": "llama"})["Location"] == SEED_URL

    def test_text_several_models_match_lists_them_as_links(self, client):
        create_seed_pair()
        org = create_organization(name="Many")
        LanguageModel.objects.bulk_create(
            LanguageModel(name=f"Many {i:02d}", slug=f"many-{i:02d}", organization=org) for i in range(30)
        )
        response = client.get("/compare/", {"a": "o4-mini", "b": "many"})
        assert response.status_code == 400
        body = response.content.decode()
        assert "More than 20 models match that: choose one below." in body
        assert body.count("/compare/?a=o4-mini&amp;b=many-") == 20
        assert client.get("/compare/?a=o4-mini&b=many-03")["Location"] == "/compare/many-03-vs-o4-mini/"

    def test_resolving_costs_the_same_queries_whatever_the_catalog(self, client, django_assert_max_num_queries):
        create_seed_pair()
        org = create_organization(name="Many")
        LanguageModel.objects.bulk_create(
            LanguageModel(name=f"Many {i:03d}", slug=f"many-{i:03d}", organization=org) for i in range(300)
        )
        # Per field: the exact slug / name lookup, then the partial matches.
        with django_assert_max_num_queries(4 + 1 + 1):  # + the catalog revision (comparisons/snapshot.py)
            response = client.get("/compare/", {"a": "many", "b": "many 1"})
        assert response.status_code == 400
