import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import LanguageModel, License, Offering, Organization, Price, Provider, refresh_price_summaries
from tests.factories import (
    create_license,
    create_model,
    create_offering,
    create_organization,
    create_provider,
)

pytestmark = pytest.mark.django_db

URL = "/models/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def names(response) -> list[str]:
    return [model.name for model in response.context["page"].object_list]


def ignored_labels(response) -> list[str]:
    return [label for label, _ in response.context["form"].ignored]


class TestListing:
    def test_row_shows_facts_and_cheapest_prices(self, client):
        meta = create_organization(name="Meta", slug="meta")
        llama = create_model(
            name="Llama 3.2 1B",
            slug="llama-3-2-1b",
            organization=meta,
            license=create_license(kind=License.Kind.OPEN_WEIGHTS),
            context_window=128_000,
            release_date=datetime.date(2024, 9, 25),
        )
        create_offering(model=llama, input_price=Decimal("0.10"), output_price=Decimal("0.20"))
        create_offering(model=llama, input_price=Decimal("0.05"), output_price=Decimal("0.30"))

        response = client.get(URL)

        assert response.status_code == 200
        html = response.content.decode()
        assert 'href="/models/llama-3-2-1b/"' in html
        assert "Meta" in html
        assert "Open weights" in html
        assert "128,000" in html
        assert "$0.05" in html  # cheapest input (second offering)
        assert "$0.20" in html  # cheapest output (first offering)
        assert "2024-09-25" in html

    def test_blended_price_is_the_cheapest_offerings_blend_not_a_blend_of_minima(self, client):
        model = create_model(name="Split")
        create_offering(model=model, input_price=Decimal("0.10"), output_price=Decimal("0.20"))  # 0.13
        create_offering(model=model, input_price=Decimal("0.05"), output_price=Decimal("0.30"))  # 0.125

        response = client.get(URL)

        row = response.context["page"].object_list[0]
        assert row.min_blended_price == Decimal("0.125")
        assert "$0.125" in response.content.decode()
        # 0.7 * 0.05 + 0.3 * 0.20 would mix two providers' prices.
        assert "$0.095" not in response.content.decode()

    def test_unknown_facts_are_marked_not_yet_sourced(self, client):
        mystery = create_model(name="Mystery")
        create_offering(model=mystery, input_price=None, output_price=None)

        html = client.get(URL, **HTMX).content.decode()

        # license, context, input, output, blended, release date
        assert html.count("not yet sourced") == 6

    def test_prices_of_a_model_no_provider_serves_are_not_offered_rather_than_unsourced(self, client):
        create_model(name="Mystery")

        html = client.get(URL, **HTMX).content.decode()

        # license, context, release date are unknown; input, output and blended do not exist anywhere
        assert html.count("not yet sourced") == 3
        assert html.count('<span class="not-offered">no provider</span>') == 3

    def test_result_count_and_empty_state(self, client):
        create_model(name="Alpha")
        create_model(name="Beta")

        assert "<strong>2</strong> models" in client.get(URL).content.decode()

        empty = client.get(URL, {"q": "no such model"}).content.decode()
        assert "<strong>0</strong> models" in empty
        assert "No models match these filters." in empty

    def test_results_region_is_a_polite_live_region(self, client):
        html = client.get(URL).content.decode()

        assert '<section id="results"' in html
        assert 'aria-live="polite"' in html

    def test_compare_checkboxes_submit_a_plain_get_form_to_the_compare_index(self, client):
        create_model(slug="alpha")

        html = client.get(URL).content.decode()

        assert 'id="compare-form" class="compare-bar" method="get" action="/compare/"' in html
        assert 'value="alpha" form="compare-form"' in html


class TestFilters:
    def test_retired_models_are_hidden_unless_asked_for(self, client):
        create_model(name="Current", status=LanguageModel.Status.ACTIVE)
        create_model(name="Old", status=LanguageModel.Status.DEPRECATED)
        create_model(name="Gone", status=LanguageModel.Status.RETIRED)

        assert names(client.get(URL)) == ["Current", "Old"]
        assert names(client.get(URL, {"status": "all"})) == ["Current", "Gone", "Old"]
        assert names(client.get(URL, {"status": "retired"})) == ["Gone"]
        assert names(client.get(URL, {"status": "active"})) == ["Current"]

    def test_capabilities_must_all_be_supported_not_unknown(self, client):
        create_model(name="Both", vision=True, reasoning=True)
        create_model(name="Vision only", vision=True, reasoning=False)
        create_model(name="Unknown reasoning", vision=True, reasoning=None)

        assert names(client.get(URL, {"capability": "vision"})) == ["Both", "Unknown reasoning", "Vision only"]
        assert names(client.get(URL, {"capability": ["vision", "reasoning"]})) == ["Both"]

    def test_license_kind(self, client):
        create_model(name="Open", license=create_license(kind=License.Kind.OPEN_SOURCE))
        create_model(name="Weights", license=create_license(kind=License.Kind.OPEN_WEIGHTS))
        create_model(name="Closed", license=create_license(kind=License.Kind.PROPRIETARY))
        create_model(name="Unlicensed")

        assert names(client.get(URL, {"license_kind": "proprietary"})) == ["Closed"]
        assert names(client.get(URL, {"license_kind": ["open_source", "open_weights"]})) == ["Open", "Weights"]

    def test_organization_and_provider_by_slug(self, client):
        meta = create_organization(slug="meta")
        groq = create_provider(slug="groq")
        llama = create_model(name="Llama", organization=meta)
        create_model(name="Other")
        create_offering(model=llama, provider=groq)
        create_offering(model=create_model(name="Served elsewhere"))

        assert names(client.get(URL, {"organization": "meta"})) == ["Llama"]
        assert names(client.get(URL, {"provider": "groq"})) == ["Llama"]

    def test_max_prices_compare_against_the_cheapest_offering(self, client):
        mixed = create_model(name="Mixed")
        create_offering(model=mixed, input_price=Decimal("5"), output_price=Decimal("10"))
        create_offering(model=mixed, input_price=Decimal("0.50"), output_price=Decimal("1.50"))
        dear = create_model(name="Dear")
        create_offering(model=dear, input_price=Decimal("3"), output_price=Decimal("12"))
        create_model(name="Unpriced")

        assert names(client.get(URL, {"max_input_price": "0.5"})) == ["Mixed"]
        assert names(client.get(URL, {"max_output_price": "12"})) == ["Dear", "Mixed"]
        assert names(client.get(URL, {"max_input_price": "0.49"})) == []

    def test_both_price_ceilings_must_hold_for_the_same_offering(self, client):
        model = create_model(name="Two providers")
        create_offering(model=model, input_price=Decimal("0.10"), output_price=Decimal("9"))
        create_offering(model=model, input_price=Decimal("9"), output_price=Decimal("0.10"))

        assert names(client.get(URL, {"max_input_price": "1", "max_output_price": "1"})) == []
        assert names(client.get(URL, {"max_input_price": "1", "max_output_price": "9"})) == ["Two providers"]

    def test_provider_and_price_apply_to_the_same_offering(self, client):
        groq = create_provider(slug="groq")
        model = create_model(name="Llama")
        create_offering(model=model, provider=groq, input_price=Decimal("2"))
        create_offering(model=model, input_price=Decimal("0.1"))

        assert names(client.get(URL, {"provider": "groq", "max_input_price": "1"})) == []
        assert names(client.get(URL, {"provider": "groq", "max_input_price": "2"})) == ["Llama"]

    def test_min_context_and_release_year(self, client):
        create_model(name="Small", context_window=8_000, release_date=datetime.date(2023, 3, 1))
        create_model(name="Large", context_window=1_000_000, release_date=datetime.date(2025, 1, 1))
        create_model(name="Unknown")

        assert names(client.get(URL, {"min_context": "128000"})) == ["Large"]
        assert names(client.get(URL, {"year": "2023"})) == ["Small"]

    def test_text_search_matches_name_and_organization(self, client):
        meta = create_organization(name="Meta", display_name="AI at Meta", slug="meta")
        create_model(name="Llama 3.2 1B", organization=meta)
        create_model(name="o4-mini")

        assert names(client.get(URL, {"q": "LLAMA"})) == ["Llama 3.2 1B"]
        assert names(client.get(URL, {"q": "ai at meta"})) == ["Llama 3.2 1B"]
        assert names(client.get(URL, {"q": "mini"})) == ["o4-mini"]

    def test_the_form_shows_the_state_of_the_url(self, client):
        create_organization(name="Meta", slug="meta")

        html = client.get(
            URL, {"capability": "vision", "organization": "meta", "sort": "newest", "max_input_price": "2.5"}
        ).content.decode()

        assert 'value="vision" id="id_capability_0" checked' in html
        assert '<option value="meta" selected>Meta</option>' in html
        assert '<option value="newest" selected>Newest</option>' in html
        assert 'value="2.5"' in html


class TestSorting:
    @pytest.fixture
    def catalog(self):
        cheap_in = create_model(name="B cheap input", context_window=32_000, release_date=datetime.date(2024, 1, 1))
        create_offering(model=cheap_in, input_price=Decimal("0.10"), output_price=Decimal("10"))  # blend 3.07
        cheap_blend = create_model(name="C cheap blend", context_window=1_000_000)
        create_offering(model=cheap_blend, input_price=Decimal("1"), output_price=Decimal("1"))  # blend 1
        create_model(name="A unpriced", context_window=8_000, release_date=datetime.date(2025, 6, 1))

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("", ["A unpriced", "B cheap input", "C cheap blend"]),
            ("newest", ["A unpriced", "B cheap input", "C cheap blend"]),
            ("cheapest_input", ["B cheap input", "C cheap blend", "A unpriced"]),
            ("cheapest_blended", ["C cheap blend", "B cheap input", "A unpriced"]),
            ("largest_context", ["C cheap blend", "B cheap input", "A unpriced"]),
        ],
    )
    def test_sort_orders(self, client, catalog, sort, expected):
        assert names(client.get(URL, {"sort": sort})) == expected


class TestBadInput:
    @pytest.mark.parametrize(
        ("params", "label"),
        [
            ({"max_input_price": "abc"}, "Max input price (USD / 1M tokens)"),
            ({"max_output_price": "-1"}, "Max output price (USD / 1M tokens)"),
            ({"max_input_price": "NaN"}, "Max input price (USD / 1M tokens)"),
            ({"max_input_price": "1e400"}, "Max input price (USD / 1M tokens)"),
            ({"min_context": "-5"}, "Min context window (tokens)"),
            ({"min_context": "99999999999999999999"}, "Min context window (tokens)"),
            ({"capability": "telepathy"}, "Must support"),
            ({"license_kind": "public_domain"}, "License"),
            ({"organization": "no-such-org"}, "Organization"),
            ({"provider": "no-such-provider"}, "Provider"),
            ({"year": "abc"}, "Released in"),
            ({"status": "zombie"}, "Status"),
            ({"sort": "random"}, "Sort by"),
            ({"q": "x" * 10_240}, "Search"),
            ({"organization": "x" * 10_240}, "Organization"),
            ({"q": "nul\x00byte"}, "Search"),
            ({"organization": "meta\x00"}, "Organization"),
            ({"provider": "\x00"}, "Provider"),
        ],
    )
    def test_nonsense_is_ignored_with_a_note_naming_the_field(self, client, params, label):
        create_model(name="Still listed")

        response = client.get(URL, params)

        assert response.status_code == 200
        assert names(response) == ["Still listed"]
        assert ignored_labels(response) == [label]
        html = response.content.decode()
        assert "were ignored" in html
        assert f"<strong>{label}</strong>" in html
        assert "x" * 200 not in html  # a long bad value is not echoed back

    def test_the_note_is_in_the_htmx_fragment_too(self, client):
        response = client.get(URL, {"max_input_price": "abc"}, **HTMX)

        assert "<strong>Max input price (USD / 1M tokens)</strong>" in response.content.decode()

    def test_known_capabilities_are_kept_when_an_unknown_one_is_ignored(self, client):
        create_model(name="Sees", vision=True)
        create_model(name="Blind", vision=False)

        response = client.get(URL, {"capability": ["vision", "telepathy"]})

        assert names(response) == ["Sees"]
        assert ignored_labels(response) == ["Must support"]

    def test_other_filters_still_apply_next_to_a_bad_one(self, client):
        create_model(name="Sees", vision=True)
        create_model(name="Blind", vision=False)

        response = client.get(URL, {"capability": "vision", "max_input_price": "abc"})

        assert names(response) == ["Sees"]

    @pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "x" * 10_240])
    def test_bad_page_numbers_answer_a_page(self, client, page):
        create_model(name="Only")

        response = client.get(URL, {"page": page})

        assert response.status_code == 200
        assert names(response) == ["Only"]


class TestHtmx:
    def test_htmx_request_gets_only_the_results_fragment(self, client):
        create_model(name="Alpha")

        response = client.get(URL, **HTMX)

        html = response.content.decode()
        assert response.status_code == 200
        assert "Alpha" in html
        assert "<html" not in html
        assert 'id="explorer-filters"' not in html
        assert "<strong>1</strong> model" in html

    def test_full_page_contains_the_form_and_the_same_results(self, client):
        create_model(name="Alpha")

        html = client.get(URL).content.decode()

        assert "<html" in html
        assert 'id="explorer-filters"' in html
        assert 'data-hx-get="/models/"' in html
        assert 'data-hx-push-url="true"' in html
        assert "Alpha" in html

    def test_history_restore_request_gets_the_full_page(self, client):
        response = client.get(URL, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")

        assert 'id="explorer-filters"' in response.content.decode()

    def test_response_varies_on_the_htmx_headers(self, client):
        response = client.get(URL)

        vary = {value.strip() for value in response.headers["Vary"].split(",")}
        assert {"HX-Request", "HX-History-Restore-Request"} <= vary

    def test_page_loads_htmx_and_site_script_without_inline_script(self, client):
        html = client.get(URL).content.decode()

        assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in html
        assert '<script src="/static/js/site.js" defer></script>' in html
        assert "<script>" not in html
        assert '"includeIndicatorStyles":false' in html

    def test_vendored_htmx_is_a_pinned_2x_release_with_its_license(self, settings):
        vendor = settings.BASE_DIR / "static" / "vendor" / "htmx"

        assert (vendor / "htmx.min.js").read_text().startswith("var htmx=function()")
        assert 'version:"2.0.11"' in (vendor / "htmx.min.js").read_text()
        assert "Zero-Clause BSD" in (vendor / "LICENSE").read_text()


class TestPagination:
    def test_pages_of_fifty_with_links_that_keep_the_filters(self, client):
        org = create_organization()
        LanguageModel.objects.bulk_create(
            LanguageModel(name=f"Model {i:03d}", slug=f"model-{i:03d}", organization=org, vision=True)
            for i in range(120)
        )

        first = client.get(URL, {"capability": "vision"})
        third = client.get(URL, {"capability": "vision", "page": "3"})

        assert len(names(first)) == 50
        assert names(first)[0] == "Model 000"
        assert names(third) == [f"Model {i:03d}" for i in range(100, 120)]
        html = first.content.decode()
        assert "<strong>120</strong> models, showing 1–50" in html
        assert 'href="/models/?capability=vision&amp;page=2"' in html
        assert 'data-hx-get="/models/?capability=vision&amp;page=2"' in html
        assert "Page 1 of 3" in html


def model_number(model: LanguageModel) -> int:
    return int(model.slug.removeprefix("model-"))


class TestQueryCount:
    PARAMS = {
        "capability": "vision",
        "license_kind": ["open_weights", "proprietary"],
        "provider": "provider-0",
        "organization": "org-1",
        "max_input_price": "5",
        "min_context": "16000",
        "year": "2024",
        "sort": "cheapest_blended",
    }

    @staticmethod
    def add_models(start: int, stop: int) -> None:
        orgs = list(Organization.objects.all())
        licenses = list(License.objects.all())
        providers = list(Provider.objects.all())
        models = LanguageModel.objects.bulk_create(
            LanguageModel(
                name=f"Model {i:04d}",
                slug=f"model-{i:04d}",
                organization=orgs[i % len(orgs)],
                license=licenses[i % len(licenses)],
                vision=bool(i % 2),
                context_window=8_000 * (1 + i % 16),
                release_date=datetime.date(2023 + i % 3, 1 + i % 12, 1),
                status=LanguageModel.Status.RETIRED if i % 7 == 0 else LanguageModel.Status.ACTIVE,
            )
            for i in range(start, stop)
        )
        offerings = Offering.objects.bulk_create(
            Offering(model=model, provider=provider)
            for model in models
            for provider in providers[: 1 + model_number(model) % 3]
        )
        Price.objects.bulk_create(
            Price(offering=offering, dimension=dimension, usd_per_million=amount)
            for offering in offerings
            for dimension, amount in (
                ("input", Decimal(model_number(offering.model) % 9) + Decimal("0.25")),
                ("output", Decimal(model_number(offering.model) % 5) + Decimal("1.5")),
            )
        )
        refresh_price_summaries({model.pk for model in models})

    @staticmethod
    def count_queries(client, params, headers) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, params, **headers)
        assert response.status_code == 200
        assert response.context["page"].object_list  # the filters leave rows to render
        return len(queries)

    @pytest.mark.parametrize(("headers", "limit"), [({}, 8), (HTMX, 6)], ids=["full-page", "htmx-fragment"])
    @pytest.mark.parametrize("params", [{}, PARAMS], ids=["unfiltered", "filtered"])
    def test_query_count_is_the_same_for_2_and_500_models(
        self, client, django_assert_max_num_queries, headers, limit, params
    ):
        for i in range(3):
            create_organization(name=f"Org {i}", slug=f"org-{i}")
            create_provider(name=f"Provider {i}", slug=f"provider-{i}")
        for kind, _ in License.Kind.choices:
            create_license(kind=kind)
        self.add_models(0, 2)
        with django_assert_max_num_queries(limit):
            small = self.count_queries(client, params, headers)

        self.add_models(2, 500)
        with django_assert_max_num_queries(limit):
            large = self.count_queries(client, params, headers)

        assert large == small
