"""The read-only JSON API at /api/v1/: resources, errors, evidence, as_of, caching headers, query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache

from catalog.models import CatalogRevision, ChangeSet, Offering, Price
from catalog.review.services import NewRef, ProposedChange, changeset_approve, changeset_create_applied, system_user
from comparisons.calculator import Workload, cheapest_cost, round_cost
from comparisons.facts import model_facts
from tests.catalog.workflow_support import create_editor, create_reviewer, submitted_price_change
from tests.factories import (
    create_benchmark,
    create_benchmark_result,
    create_model,
    create_offering,
    create_organization,
    create_provider,
    create_source,
    offering_price,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # the rate limit's history lives in the cache
    yield
    cache.clear()


def apply(*changes: ProposedChange, summary: str = "Catalog update") -> ChangeSet:
    return changeset_create_applied(
        author=system_user("api-author"),
        reviewer=system_user("api-reviewer", reviewer=True),
        changes=list(changes),
        summary=summary,
    )


def reprice(offering: Offering, name: str, amount: str) -> ChangeSet:
    row = offering_price(offering, name)
    change = ProposedChange("update", Price, values={"usd_per_million": Decimal(amount)}, target=row)
    return apply(ProposedChange(**{**change.__dict__, "source": create_source()}))


def set_applied_at(changeset: ChangeSet, day: datetime.date) -> None:
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    ChangeSet.objects.filter(pk=changeset.pk).update(applied_at=moment)


def get(client, path: str, **headers):
    return client.get(f"{API}{path}", **headers)


class TestModels:
    def test_list_is_paginated_with_page_numbers_and_a_total(self, client):
        for n in range(5):
            create_model(name=f"M{n}", slug=f"m-{n}")
        body = get(client, "/models?per_page=2&page=2").json()
        assert [m["slug"] for m in body["items"]] == ["m-2", "m-3"]
        assert (body["total"], body["pages"], body["page"], body["per_page"]) == (5, 3, 2, 2)

    def test_list_filters_like_the_explorer(self, client):
        meta = create_organization(slug="meta")
        cheap = create_offering(model=create_model(slug="cheap", organization=meta, reasoning=True), input_price="0.10")
        create_offering(model=create_model(slug="dear", organization=meta, reasoning=True), input_price="5.00")
        create_model(slug="other", reasoning=True)
        body = get(client, "/models?organization=meta&capability=reasoning&max_input_price=1").json()
        assert [m["slug"] for m in body["items"]] == [cheap.model.slug]
        assert body["items"][0]["headline"]["min_input_price"] == "0.100000"

    def test_unknown_filter_values_are_422_naming_the_parameter(self, client):
        for query, name in [
            ("organization=nobody", "organization"),
            ("min_context=abc", "min_context"),
            ("capability=telepathy", "capability"),
            ("sort=random", "sort"),
            ("page=0", "page"),
            ("max_input_price=-1", "max_input_price"),
        ]:
            response = get(client, f"/models?{query}")
            assert response.status_code == 422, query
            assert any(name in error["loc"] for error in response.json()["detail"]), query

    def test_unknown_slug_is_404_and_a_malformed_one_422(self, client):
        assert get(client, "/models/nobody").status_code == 404
        assert get(client, "/models/NOT%20A%20SLUG").status_code == 422

    def test_detail_has_facts_offerings_every_price_row_benchmarks_and_lifecycle(self, client):
        model = create_model(slug="alpha", context_window=128_000, status="deprecated")
        create_offering(
            model=model,
            provider=create_provider(slug="host"),
            input_price="0.15",
            output_price="0.60",
            prices=[("cache_read", "standard", 0, "0.075"), ("input", "batch", 0, "0.075")],
        )
        create_benchmark_result(model=model, benchmark=create_benchmark(slug="mmlu"), score=Decimal("81.5"))
        body = get(client, "/models/alpha").json()
        assert body["context_window"] == 128_000
        assert body["parameter_count"] is None  # unknown: present, null
        assert body["lifecycle"] == {"status": "deprecated", "deprecation_date": None, "successor": None}
        (offering,) = body["offerings"]
        prices = {(p["dimension"], p["tier"], p["context_threshold"]): p["usd_per_million"] for p in offering["prices"]}
        assert prices == {
            ("input", "standard", 0): "0.150000",
            ("output", "standard", 0): "0.600000",
            ("cache_read", "standard", 0): "0.075000",
            ("input", "batch", 0): "0.075000",
        }
        assert body["benchmarks"][0]["benchmark_slug"] == "mmlu"
        assert body["benchmarks"][0]["score"] == "81.500"
        assert body["evidence"]["context_window"] is None  # written directly, never reviewed: no evidence

    def test_evidence_names_source_review_date_and_whether_a_person_reviewed(self, client):
        offering = create_offering(model=create_model(slug="beta"), input_price="1.00")
        source = create_source(url="https://example.com/pricing", title="Pricing")
        apply(ProposedChange("update", type(offering.model), values={"context_window": 64_000},
                             target=offering.model, source=source))  # fmt: skip
        changeset = submitted_price_change(editor=create_editor(), offering=offering, price="0.50")
        assert changeset_approve(changeset=changeset, user=create_reviewer())
        body = get(client, "/models/beta").json()
        context = body["evidence"]["context_window"]
        assert context["source_url"] == "https://example.com/pricing"
        assert context["source_title"] == "Pricing"
        assert context["reviewed_by"] == "import"
        assert context["reviewed_on"] == datetime.date.today().isoformat()
        input_price = next(p for p in body["offerings"][0]["prices"] if p["dimension"] == "input")
        assert input_price["usd_per_million"] == "0.500000"
        assert input_price["evidence"]["reviewed_by"] == "person"

    @pytest.mark.parametrize("size", [1, 8])
    def test_list_and_detail_queries_do_not_grow_with_the_catalog(self, client, django_assert_max_num_queries, size):
        provider = create_provider(slug="p")
        for n in range(size):
            model = create_model(slug=f"size-{n}")
            for m in range(size):
                create_offering(model=model, provider=provider if m == 0 else create_provider())
            create_benchmark_result(model=model)
        with django_assert_max_num_queries(5):
            assert get(client, "/models?per_page=100").status_code == 200
        with django_assert_max_num_queries(9):
            assert get(client, "/models/size-0").status_code == 200
        with django_assert_max_num_queries(8):
            assert get(client, "/providers/p").status_code == 200
        with django_assert_max_num_queries(2):
            assert get(client, "/providers").status_code == 200


class TestProviders:
    def test_list_and_detail(self, client):
        provider = create_provider(slug="host", name="Host")
        create_offering(provider=provider, model=create_model(slug="served"), input_price="0.20")
        (row,) = get(client, "/providers").json()
        assert (row["slug"], row["model_count"]) == ("host", 1)
        body = get(client, "/providers/host").json()
        assert body["served"][0]["model_slug"] == "served"
        assert body["served"][0]["offering"]["prices"][0]["usd_per_million"] == "0.200000"
        assert get(client, "/providers/nobody").status_code == 404


class TestComparison:
    def test_cheapest_standard_prices_gaps_as_numbers_and_shared_benchmarks(self, client):
        a, b = create_model(slug="aa"), create_model(slug="bb")
        create_offering(model=a, input_price="1.00", output_price="4.00")
        create_offering(model=a, input_price="2.00", output_price="8.00", batch_input_price="0.10")
        create_offering(model=b, input_price="0.20", output_price="0.80")
        bench = create_benchmark(name="MMLU", slug="mmlu")
        create_benchmark_result(model=a, benchmark=bench, score=Decimal("80"))
        create_benchmark_result(model=b, benchmark=bench, score=Decimal("60"))
        create_benchmark_result(model=a)  # only one of them: not shared
        body = get(client, "/compare/aa/bb").json()
        assert body["cheapest"][0]["input_price"] == "1.000000"
        assert body["cheapest"][0]["blended_price"] == "1.900000"
        assert body["cheapest"][1]["blended_price"] == "0.380000"
        gap = body["gaps"]["blended"]
        assert (gap["cheaper"], gap["ratio"], gap["percent_cheaper"], gap["difference"]) == (
            "bb",
            "5.00",
            "80.0",
            "1.520000",
        )
        assert body["shared_benchmarks"] == [
            {"benchmark_name": "MMLU", "variant": "", "unit": "%", "higher_is_better": True,
             "scores": {"aa": "80.000", "bb": "60.000"}}
        ]  # fmt: skip

    def test_unknown_is_404_and_the_same_model_twice_422(self, client):
        create_model(slug="aa")
        assert get(client, "/compare/aa/zz").status_code == 404
        response = get(client, "/compare/aa/aa")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["path", "b"]

    def test_a_model_without_prices_has_nulls_and_a_missing_gap(self, client):
        create_model(slug="aa"), create_model(slug="bb")
        body = get(client, "/compare/aa/bb").json()
        assert body["cheapest"][0] == {
            "model": "aa", "provider": None, "input_price": None, "output_price": None, "blended_price": None,
            "disagreements": {"input_price": [], "output_price": []},
        }  # fmt: skip
        assert body["gaps"]["input"]["kind"] == "missing"


class TestQuote:
    def test_quote_matches_the_calculator(self, client):
        model = create_model(slug="q")
        create_offering(model=model, provider=create_provider(slug="cheap"), input_price="1.00", output_price="2.00",
                        cached_input_price="0.10")  # fmt: skip
        create_offering(model=model, input_price="3.00", output_price="6.00")
        body = get(client, "/quote?model=q&input_tokens=2000000&output_tokens=500000&cached_percent=50").json()
        expected = cheapest_cost(
            model_facts("q").model.active_offerings, Workload.from_tokens(2_000_000, 500_000, Decimal(50))
        )
        assert body["cheapest"]["provider"] == "cheap"
        assert body["cheapest"]["total"] == str(round_cost(expected.total))
        assert body["cheapest"]["total"] == "2.10"
        assert len(body["costs"]) == 2

    def test_per_request_volume_and_tier(self, client):
        create_offering(model=create_model(slug="q"), batch_input_price="0.50", batch_output_price="1.00")
        body = get(client, "/quote?model=q&requests_per_day=100&input_per_request=1000&output_per_request=100"
                           "&tier=batch").json()  # fmt: skip
        assert body["input_tokens"] == 3_000_000
        assert body["cheapest"]["tier"] == "batch"
        assert body["cheapest"]["total"] == "1.80"

    def test_bad_parameters_are_422_naming_them_and_unknown_model_404(self, client):
        create_offering(model=create_model(slug="q"))
        for query, name in [
            ("model=q&cached_percent=60&cache_write_percent=50", "cache_write_percent"),
            ("model=q&input_tokens=-1", "input_tokens"),
            ("model=q&tier=cheap", "tier"),
            ("input_tokens=5", "model"),
            ("model=q&as_of=2026-13-01", "as_of"),
        ]:
            response = get(client, f"/quote?{query}")
            assert response.status_code == 422, query
            assert any(name in error["loc"] for error in response.json()["detail"]), query
        assert get(client, "/quote?model=nobody").status_code == 404
        assert get(client, "/quote?model=q&provider=nobody").status_code == 404


class TestChanges:
    def test_changes_since_a_revision_oldest_first_with_items_and_sources(self, client):
        offering = create_offering(model=create_model(slug="c"), input_price="1.00")
        first = reprice(offering, "input_price", "0.90")
        second = reprice(offering, "input_price", "0.80")
        body = get(client, f"/changes?since={first.revision}").json()
        assert [cs["id"] for cs in body["changesets"]] == [second.pk]
        assert body["changesets"][0]["items"][0]["changes"]["usd_per_million"] == ["0.9", "0.8"]  # as stored
        assert body["catalog_revision"] == CatalogRevision.current()
        assert get(client, "/changes?since=0&limit=1").json()["more"] is True
        assert get(client, "/changes?since=-1").status_code == 422

    def test_price_history_of_an_offering(self, client):
        offering = create_offering(model=create_model(slug="h"), provider=create_provider(slug="p"), input_price="1")
        reprice(offering, "input_price", "0.90")
        reprice(offering, "output_price", "1.50")
        history = get(client, "/models/h/offerings/p/history").json()["history"]
        assert [(h["dimension"], h["old"], h["new"]) for h in history] == [
            ("input", "1.000000", "0.900000"),
            ("output", "2.000000", "1.500000"),
        ]
        assert get(client, "/models/h/offerings/nobody/history").status_code == 404


class TestAsOf:
    """A price change applied on 2026-03-10 (1.00 -> 0.50): before it, on its day and after it."""

    @pytest.fixture
    def offering(self):
        model = create_model(slug="t")
        offering = create_offering(model=model, provider=create_provider(slug="p"), input_price="1.00",
                                   output_price="2.00")  # fmt: skip
        other = create_offering(model=create_model(slug="u"), input_price="0.70", output_price="0.70")
        set_applied_at(reprice(offering, "input_price", "0.50"), datetime.date(2026, 3, 10))
        set_applied_at(reprice(other, "input_price", "0.40"), datetime.date(2026, 3, 10))
        return offering

    @pytest.mark.parametrize(
        ("day", "amount"),
        [("2026-03-09", "1.000000"), ("2026-03-10", "0.500000"), ("2026-03-11", "0.500000"), (None, "0.500000")],
    )
    def test_model_prices_before_on_and_after_the_change(self, client, offering, day, amount):
        query = f"?as_of={day}" if day else ""
        body = get(client, f"/models/t{query}").json()
        prices = {p["dimension"]: p["usd_per_million"] for p in body["offerings"][0]["prices"]}
        assert prices == {"input": amount, "output": "2.000000"}
        assert body["headline"]["min_input_price"] == amount
        assert body["as_of"] == day

    def test_provider_comparison_and_quote_follow_as_of(self, client, offering):
        served = get(client, "/providers/p?as_of=2026-03-09").json()["served"][0]["offering"]["prices"]
        assert served[0]["usd_per_million"] == "1.000000"
        before = get(client, "/compare/t/u?as_of=2026-03-09").json()
        assert before["cheapest"][0]["input_price"] == "1.000000"
        assert before["cheapest"][1]["input_price"] == "0.700000"
        assert get(client, "/compare/t/u?as_of=2026-03-10").json()["cheapest"][1]["input_price"] == "0.400000"
        quote = get(client, "/quote?model=t&input_tokens=1000000&output_tokens=0&as_of=2026-03-09").json()
        assert quote["cheapest"]["total"] == "1.00"
        assert get(client, "/quote?model=t&input_tokens=1000000&output_tokens=0").json()["cheapest"]["total"] == "0.50"

    def test_a_past_price_does_not_claim_todays_evidence(self, client, offering):
        body = get(client, "/models/t?as_of=2026-03-09").json()
        prices = {p["dimension"]: p for p in body["offerings"][0]["prices"]}
        assert prices["input"]["evidence"] is None

    def test_rows_and_offerings_created_or_removed_later(self, client):
        model = create_model(slug="t")
        provider = create_provider(slug="p")
        source = create_source()
        listing = apply(
            ProposedChange("create", Offering, values={"model": model, "provider": provider}, source=source, key="o"),
            ProposedChange("create", Price, source=source, values={
                "offering": NewRef("o"), "dimension": "input", "tier": "standard", "context_threshold": 0,
                "usd_per_million": Decimal("3.00")}),
        )  # fmt: skip
        set_applied_at(listing, datetime.date(2026, 2, 1))
        row = Price.objects.get(offering__model=model)
        removal = apply(ProposedChange("delete", Price, target=row, source=create_source()))
        set_applied_at(removal, datetime.date(2026, 4, 1))
        assert get(client, "/models/t?as_of=2026-01-31").json()["offerings"] == []
        during = get(client, "/models/t?as_of=2026-03-01").json()["offerings"][0]["prices"]
        assert [(p["dimension"], p["usd_per_million"]) for p in during] == [("input", "3.000000")]
        assert get(client, "/models/t?as_of=2026-04-01").json()["offerings"][0]["prices"] == []

    def test_as_of_queries_are_bounded(self, client, offering, django_assert_max_num_queries):
        with django_assert_max_num_queries(11):
            assert get(client, "/models/t?as_of=2026-03-09").status_code == 200

    def test_malformed_or_future_dates_are_422(self, client, offering):
        for value in ["2026-3-9x", "yesterday", "2999-01-01"]:
            response = get(client, f"/models/t?as_of={value}")
            assert response.status_code == 422, value
            assert response.json()["detail"][0]["loc"][-1] == "as_of"


class TestHttp:
    def test_etag_last_modified_and_304(self, client):
        create_offering(model=create_model(slug="e"))
        reprice(Offering.objects.get(), "input_price", "0.5")
        response = get(client, "/models/e")
        etag = response["ETag"]
        assert etag == f'"v1-r{CatalogRevision.current()}"'
        assert response["Last-Modified"]
        assert response["Cache-Control"] == "public, max-age=60, s-maxage=60, stale-while-revalidate=600"  # as pages
        again = get(client, "/models/e", HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert again.content == b""
        reprice(Offering.objects.get(), "input_price", "0.4")
        assert get(client, "/models/e", HTTP_IF_NONE_MATCH=etag).status_code == 200

    def test_errors_carry_no_validators_and_no_cache_lifetime(self, client):
        response = get(client, "/models/nobody")
        assert response.status_code == 404
        assert "ETag" not in response and "Last-Modified" not in response
        assert "max-age" not in response.get("Cache-Control", "")

    def test_cors_is_open_for_get(self, client):
        response = get(client, "/providers", HTTP_ORIGIN="https://elsewhere.example")
        assert response["Access-Control-Allow-Origin"] == "*"

    def test_rate_limit_answers_429_with_retry_after(self, client, monkeypatch, fresh_rate_limit):
        monkeypatch.setattr(fresh_rate_limit, "num_requests", 3)
        statuses = [get(client, "/providers").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = get(client, "/providers")
        assert int(limited["Retry-After"]) >= 1

    def test_money_is_never_a_float(self, client):
        create_offering(model=create_model(slug="f"), input_price="0.1")
        assert '"usd_per_million": "0.100000"' in get(client, "/models/f").content.decode()


class TestSchemaAndDocs:
    def test_openapi_is_3_1_and_lists_every_resource(self, client):
        schema = get(client, "/openapi.json").json()
        assert schema["openapi"].startswith("3.1")
        assert {"/api/v1/models", "/api/v1/models/{slug}", "/api/v1/providers", "/api/v1/providers/{slug}",
                "/api/v1/compare/{a}/{b}", "/api/v1/quote", "/api/v1/changes",
                "/api/v1/models/{slug}/offerings/{provider}/history"} <= set(schema["paths"])  # fmt: skip

    def test_docs_load_nothing_from_another_origin_and_no_inline_script(self, client):
        import re

        html = get(client, "/docs").content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources and all(src.startswith("/static/") for src in sources)
        for attrs in re.findall(r"<script([^>]*)>", html):
            assert "src=" in attrs or 'type="application/json"' in attrs
        assert "style=" not in html
        for src in sources:
            assert client.get(src).status_code == 200


class TestResolve:
    """Without crosswalk rows: an offering's recorded provider model id matches (test_api_resolve.py: the crosswalk)."""

    @pytest.fixture
    def offerings(self):
        haiku = create_model(slug="claude-haiku")
        create_offering(model=haiku, provider=create_provider(slug="anthropic"), provider_model_id="claude-haiku-1")
        create_offering(model=haiku, provider=create_provider(slug="bedrock"),
                        provider_model_id="anthropic.claude-haiku-1-v1:0")  # fmt: skip
        create_offering(model=create_model(slug="one"), provider_model_id="shared-id")
        create_offering(model=create_model(slug="two"), provider_model_id="shared-id")

    def test_a_recorded_id_resolves_to_its_model_and_offering(self, client, offerings):
        body = get(client, "/resolve?source=litellm&id=claude-haiku-1").json()
        assert body["model"] == "claude-haiku"
        assert body["offering"] == {
            "model": "claude-haiku",
            "provider": "anthropic",
            "provider_model_id": "claude-haiku-1",
        }

    def test_a_route_that_is_not_recorded_does_not_match_but_lists_candidates(self, client, offerings):
        response = get(client, "/resolve?source=litellm&id=bedrock/us-east-1/anthropic.claude-haiku-1-v1:0")
        assert response.status_code == 404
        assert [c["provider"] for c in response.json()["candidates"]] == ["bedrock"]

    def test_an_id_naming_several_models_is_ambiguous(self, client, offerings):
        response = get(client, "/resolve?source=models.dev&id=shared-id")
        assert response.status_code == 404
        assert "several" in response.json()["detail"]
        assert [c["model"] for c in response.json()["candidates"]] == ["one", "two"]

    def test_unknown_ids_and_bad_sources(self, client, offerings):
        response = get(client, "/resolve?source=openrouter&id=nothing-like-it")
        assert (response.status_code, response.json()["candidates"]) == (404, [])
        assert get(client, "/resolve?source=elsewhere&id=x").status_code == 422
        assert get(client, "/resolve?source=litellm").status_code == 422
