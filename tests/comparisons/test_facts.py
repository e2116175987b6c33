"""The pair's facts, read once from the catalog with their sources."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from catalog.models import Price
from comparisons import facts, text
from tests.comparisons.builders import REVIEWED_AT, cite, create_seed_pair
from tests.factories import create_benchmark, create_benchmark_result, create_model, create_offering, create_source

pytestmark = pytest.mark.django_db


def test_seed_pair_facts_are_read_as_stored():
    create_seed_pair()
    pair = facts.pair_facts("llama-3-2-1b", "o4-mini")
    assert pair is not None
    llama, o4 = pair.a, pair.b
    assert (llama.name, llama.organization_label, llama.release_date) == (
        "Llama 3.2 1B",
        "AI at Meta",
        datetime.date(2024, 9, 25),
    )
    assert llama.context_window == 131072
    assert llama.knowledge_cutoff_display == "2023-12"
    assert llama.capability("reasoning") is False
    assert llama.license_kind == "open_weights"
    assert o4.knowledge_cutoff is None
    assert o4.capability("reasoning") is True
    assert o4.provider_count == 3  # OpenAI's batch API is the batch tier of its offering
    openai = next(o for o in o4.offerings if o.provider_slug == "openai-api")
    assert (openai.batch_input_price, openai.batch_output_price) == (Decimal("0.55"), Decimal("2.20"))
    assert llama.cheapest.provider_name == "Fireworks AI"
    assert o4.cheapest.provider_name == "Replicate API"
    assert o4.cheapest.blended_price == Decimal("0.95")
    assert isinstance(o4.cheapest.input_price, Decimal)


def test_seed_pair_text_has_none_of_the_seed_mistakes():
    create_seed_pair()
    pair = facts.pair_facts("llama-3-2-1b", "o4-mini")
    words = "\n".join(
        [
            *text.summary(pair),
            *text.deep_dive(pair),
            *text.choose_when_sentences(pair),
            *(f"{e.question} {e.answer}" for e in text.faq(pair)),
            text.meta_description(pair),
        ]
    )
    assert "400%" not in words
    assert "1 providers" not in words
    assert not re.search(r"Llama 3\.2 1B is an? [^.]*reasoning", words)
    # the price gap is stated once, as the blends of the cheapest offerings' standard prices
    assert words.count("89% cheaper at a 70/30 input/output blend") == 1
    assert "($0.10 against $0.95 per 1M blended tokens; o4-mini costs 9.5x as much)" in words
    assert text.blended_difference(pair) == Decimal("0.85")


def test_each_fact_carries_its_source_numbered_in_order_of_citation():
    create_seed_pair()
    pair = facts.pair_facts("llama-3-2-1b", "o4-mini")
    card = pair.a.source("context_window")
    assert card.title == "Llama 3.2 model card"
    assert card.number == 1
    assert pair.b.source("release_date").title == "o4-mini model page"
    assert pair.b.source("release_date").number == 2
    assert pair.b.source("context_window") is None
    fireworks = pair.a.offerings[0]
    assert fireworks.source("input_price").title == "Fireworks AI pricing"
    openai = next(o for o in pair.b.offerings if o.provider_slug == "openai-api")
    assert openai.source("batch_input_price").title == "OpenAI API pricing"
    assert [s.number for s in pair.page.sources] == list(range(1, 7))


def test_last_reviewed_is_the_newest_review_of_the_facts_on_the_page():
    seed = create_seed_pair()
    later = create_source(url="https://example.com/late", retrieved_on=datetime.date(2026, 12, 1))
    offering = seed.o4.offerings.get(provider__slug="openrouter")
    Price.objects.create(offering=offering, dimension="cache_read", usd_per_million=Decimal("0.275"))
    cite(offering, ["cached_input_price"], later, reviewed_at=datetime.datetime(2026, 12, 3, 8, tzinfo=datetime.UTC))
    pair = facts.pair_facts("llama-3-2-1b", "o4-mini")
    assert pair.page.last_reviewed == datetime.date(2026, 12, 3)
    assert pair.page.last_reviewed_basis == "review"
    assert REVIEWED_AT.date() < pair.page.last_reviewed


def test_last_reviewed_is_never_a_retrieval_date():
    a, b = create_model(slug="aa"), create_model(slug="bb")
    bench = create_benchmark()
    create_benchmark_result(model=a, benchmark=bench, source=create_source(retrieved_on=datetime.date(2026, 5, 1)))
    create_benchmark_result(model=b, benchmark=bench, source=create_source(retrieved_on=datetime.date(2026, 6, 1)))
    page = facts.pair_facts("aa", "bb").page
    assert len(page.sources) == 2
    assert (page.last_reviewed, page.last_reviewed_basis, page.last_imported) == (None, None, None)


def test_imported_facts_are_labelled_and_never_count_as_reviewed():
    seed = create_seed_pair()  # every fact reviewed by a person on REVIEWED_AT
    imported = create_source(title="models.dev: gpt", publisher="models.dev")
    later = datetime.datetime(2026, 12, 5, 8, tzinfo=datetime.UTC)
    offering = seed.o4.offerings.get(provider__slug="openrouter")
    Price.objects.create(offering=offering, dimension="cache_read", usd_per_million=Decimal("0.275"))
    cite(offering, ["cached_input_price"], imported, reviewed_at=later, approval="import")
    pair = facts.pair_facts("llama-3-2-1b", "o4-mini")
    assert pair.page.last_reviewed == REVIEWED_AT.date()  # the later import does not count
    assert (pair.page.last_imported, pair.page.imported_from) == (datetime.date(2026, 12, 5), ("models.dev",))
    openrouter = next(o for o in pair.b.offerings if o.provider_slug == "openrouter")
    assert text.trust_label(openrouter.source("cached_input_price")) == "imported from models.dev on 2026-12-05"
    assert text.trust_label(openrouter.source("input_price")) == f"reviewed {REVIEWED_AT.date().isoformat()}"
    listed = next(s for s in pair.page.sources if s.title == "models.dev: gpt")
    assert (listed.reviewed_on, listed.imported_on) == (None, datetime.date(2026, 12, 5))


def test_a_page_of_imported_facts_only_is_not_yet_reviewed_by_a_person():
    a, b = create_model(slug="aa"), create_model(slug="bb")
    imported = create_source(publisher="LiteLLM (BerriAI)")
    cite(a, ["context_window"], imported, approval="import")
    cite(b, ["context_window"], create_source(publisher="models.dev"), approval="import")
    unrecorded = create_source(title="No record")
    cite(b, ["release_date"], unrecorded, approval="")
    page = facts.pair_facts("aa", "bb").page
    assert (page.last_reviewed, page.last_imported) == (None, REVIEWED_AT.date())
    assert page.imported_from == ("LiteLLM (BerriAI)", "models.dev")
    assert text.imported_note(page) == (
        "Facts imported from LiteLLM (BerriAI) and models.dev without a person's review (the newest on "
        f"{REVIEWED_AT.date().isoformat()}) are marked as imported in the sources."
    )
    # a fact no record says how it was approved is cited, labelled neither way
    assert text.trust_label(next(s for s in page.sources if s.title == "No record")) == ""


def test_a_pair_page_cites_only_what_it_shows():
    a, b = create_model(slug="aa"), create_model(slug="bb")
    shown, hidden = create_source(title="Shared run"), create_source(title="Only aa")
    bench = create_benchmark()
    create_benchmark_result(model=a, benchmark=bench, source=shown)
    create_benchmark_result(model=b, benchmark=bench, source=shown)
    create_benchmark_result(model=a, source=hidden)  # another benchmark: not a shared row
    offering = create_offering(model=a)
    cite(offering, ["provider_model_id"], create_source(title="Model id list"))  # not shown on the page
    pair = facts.pair_facts("aa", "bb")
    assert [s.title for s in pair.page.sources] == ["Shared run"]
    assert len(pair.a.benchmarks) == 2
    # the model's own page shows all its results, so it cites both
    assert {s.title for s in facts.model_facts("aa").page.sources} == {"Shared run", "Only aa"}


def test_nothing_sourced_means_not_reviewed():
    create_model(slug="aa")
    create_model(slug="bb")
    page = facts.pair_facts("aa", "bb").page
    assert (page.sources, page.last_reviewed, page.last_reviewed_basis) == ((), None, None)


def test_shared_benchmarks_match_benchmark_and_variant():
    a, b = create_model(slug="aa"), create_model(slug="bb")
    mmlu, gpqa = create_benchmark(name="MMLU"), create_benchmark(name="GPQA")
    create_benchmark_result(model=a, benchmark=mmlu, variant="5-shot", score=Decimal("60"))
    create_benchmark_result(model=b, benchmark=mmlu, variant="5-shot", score=Decimal("80"))
    create_benchmark_result(model=a, benchmark=gpqa, variant="diamond")
    create_benchmark_result(model=b, benchmark=gpqa, variant="main")
    rows = facts.pair_facts("aa", "bb").shared_benchmarks
    assert [(r.name, r.variant, r.a.score, r.b.score) for r in rows] == [
        ("MMLU", "5-shot", Decimal("60"), Decimal("80"))
    ]


def test_unknown_or_identical_slugs_have_no_facts():
    create_model(slug="aa")
    assert facts.pair_facts("aa", "aa") is None
    assert facts.pair_facts("aa", "zz") is None
    assert facts.model_facts("zz") is None
    assert not facts.pair_exists("aa", "aa")


def test_provider_facts_list_served_models_with_cited_prices():
    seed = create_seed_pair()
    provider = seed.o4.offerings.get(provider__slug="replicate-api").provider
    create_offering(provider=provider, model=seed.llama, input_price=Decimal("0.2"), output_price=None)
    page = facts.provider_facts("replicate-api")
    assert [s.model_name for s in page.served] == ["Llama 3.2 1B", "o4-mini"]
    assert page.served[1].offering.source("input_price").title == "Replicate API pricing"
    assert page.served[0].offering.output_price is None
    assert facts.provider_facts("nope") is None
    summaries = {p.slug: p.model_count for p in facts.provider_summaries()}
    assert summaries["replicate-api"] == 2
    assert summaries["fireworks-ai"] == 1
