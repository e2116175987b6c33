"""Every sentence the pair pages write, checked against the facts that produced it.

Two catalogs: a generated one of awkward cases (free, equal, missing, retired, one provider, open weights,
non-commercial licenses, 1000x gaps, tiers without a standard price, context windows equal in display) and
the demo catalog, every pair of each. Each sentence kind has a check: counts agree with their nouns, the
percentages and multiples match the Decimal prices, no "0 providers" comparison, no claim that a retired
model is the choice, no "larger" between values that read the same, and no sentence twice on a page.
"""

from __future__ import annotations

import datetime
import itertools
import re
from decimal import Decimal

import pytest
from django.db import connection

from comparisons import facts, text
from comparisons.facts import ModelFacts, PageFacts, PairFacts, shared_benchmarks
from tests.comparisons.builders import mf, offer
from tests.comparisons.test_seo import assert_unique_and_short, head_from

SENTENCE = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9])")


def pair_of(a: ModelFacts, b: ModelFacts) -> PairFacts:
    return PairFacts(a=a, b=b, shared_benchmarks=shared_benchmarks(a, b), page=PageFacts((), None, None))


def page_sentences(p: PairFacts) -> list[str]:
    """Every sentence of the generated prose, in page order (summary, deep dive, choose, FAQ answers)."""
    paragraphs = [*text.summary(p), *text.deep_dive(p), *text.choose_when_sentences(p)]
    paragraphs += [e.answer for e in text.faq(p)]
    return [s.strip() for paragraph in paragraphs for s in SENTENCE.split(paragraph) if s.strip()]


def check_pair(p: PairFacts) -> list[str]:
    """The problems found in one pair's prose; empty when every sentence is true to the facts."""
    a, b = p.a, p.b
    problems: list[str] = []
    sentences = page_sentences(p)
    words = " ".join(sentences)

    # Counts agree with their nouns, and no page compares "0 providers".
    for count, noun in re.findall(r"\b(\d+) (providers?|tracked providers?|results?|models?|offerings?)\b", words):
        if (count == "1") != (not noun.endswith("s")):
            problems.append(f"count/noun: {count} {noun}")
    if re.search(r"\b0 (tracked )?providers?\b", words):
        problems.append("a '0 providers' statement")
    if a.provider_count and b.provider_count:
        if a.provider_count == b.provider_count:
            stated = [f"Both are served by {text.plural(a.provider_count, 'tracked provider')}."]
        else:
            stated = [
                f"{a.name} is served by {text.plural(a.provider_count, 'tracked provider')}",
                f"{b.name} by {text.plural(b.provider_count, 'tracked provider')}",
            ]
        if not all(part in words for part in stated):
            problems.append(f"provider counts not stated as {a.provider_count} and {b.provider_count}")

    # The price gap: stated once, from the cheapest active standard prices, with the right numbers.
    oa, ob = a.cheapest, b.cheapest
    gap_statements = [s for s in sentences if "cheaper at a 70/30" in s]
    if len(gap_statements) > 1:
        problems.append(f"the price gap is stated {len(gap_statements)} times")
    if oa is not None and ob is not None and oa.blended_price != ob.blended_price:
        low, high = sorted((oa.blended_price, ob.blended_price))
        cheaper = a if oa.blended_price == low else b
        if low > 0:
            expected = f"{cheaper.name} is {text.format_percent(low, high)} cheaper at a 70/30"
            if expected not in words:
                problems.append(f"price gap: expected '{expected}'")
            multiple = text.format_multiple(low, high)
            if multiple and f"costs {multiple} as much" not in words:
                problems.append(f"price multiple: expected {multiple}")
        for m, o in ((a, oa), (b, ob)):
            prices = f"{text.format_price(o.input_price)} input and {text.format_price(o.output_price)} output"
            quoted = f"{m.name} costs {prices}"
            if quoted not in words:
                problems.append(f"headline prices of {m.name} not quoted as {quoted}")
            if o.tiers and "standard" not in o.tiers:
                problems.append(f"{m.name}'s headline comes from an offering without a standard price")
    elif (oa is None or ob is None) and gap_statements:
        problems.append("a price gap without two headline prices")

    # A retired model is never the recommended choice.
    for m in (a, b):
        if m.is_retired:
            if any(s.startswith(f"Choose {m.name} ") for s in sentences):
                problems.append(f"retired {m.name} recommended")
            if re.search(rf"{re.escape(m.name)} is [\d.]+% cheaper", words):
                problems.append(f"retired {m.name} called cheaper")

    # "Larger" only between context windows that differ by more than 5% (never between equal displays).
    match = re.search(r"(.+?) has the larger context window", words)
    for s in sentences:
        if "has the larger context window" in s:
            big = a if s.startswith(a.name) else b
            small = b if big is a else a
            bw, sw = big.usable_context_window, small.usable_context_window
            if bw is None or sw is None or bw <= sw or text.about_the_same(bw, sw):
                problems.append(f"context: '{s}' with {bw} against {sw}")
            elif text.format_token_count(bw) == text.format_token_count(sw):
                problems.append(f"context: larger between equal displays in '{s}'")
    del match

    # The capability sentences: "Neither supports x or y", never "and"; "do not differ" only when true.
    for s in sentences:
        if s.startswith("Neither supports") and " and " in s:
            problems.append(f"'and' after neither: {s}")
        if s == "Their capabilities do not differ.":
            if any(a.capability(n) is None or b.capability(n) is None for n in text.CAPABILITY_PHRASES):
                problems.append("capabilities said identical with an unknown side")
            elif any(a.capability(n) != b.capability(n) for n in text.CAPABILITY_PHRASES):
                problems.append("capabilities said identical but differ")

    # Licenses: "under the X license", and a non-commercial term is said.
    for m in (a, b):
        if m.license_name and text.NON_COMMERCIAL.search(m.license_name) and "non-commercial use only" not in words:
            problems.append(f"{m.name}'s non-commercial license term is hidden")
    if re.search(r"under the [^.:,()]*?(?<!license)(?<!License)( \([^)]*\))?:", words):
        problems.append("a license named without the word license")

    # Nothing said twice.
    seen: set[str] = set()
    for s in sentences:
        if s in seen:
            problems.append(f"repeated: {s}")
        seen.add(s)

    description = text.meta_description(p)
    if len(description) > text.META_LIMIT:
        problems.append(f"meta description of {len(description)} characters")
    if re.search(r"\b0 providers?\b", description):
        problems.append("meta description compares 0 providers")
    return problems


def awkward_catalog() -> list[ModelFacts]:
    caps = {"vision": True, "reasoning": False}
    return [
        mf("Free", offerings=(offer("Host A", "0", "0"),), context_window=128_000, caps=caps),
        mf("Equal One", offerings=(offer("Host B", "1", "2"),), context_window=131_072, caps=caps),
        mf("Equal Two", offerings=(offer("Host C", "1", "2"),), context_window=128_000, caps=caps),
        mf("Unpriced", offerings=(offer("Host D", None, None),)),
        mf("Untracked", license_kind="proprietary", license_name="Proprietary"),
        mf(
            "Retired Cheap",
            status="retired",
            deprecation_date=datetime.date(2025, 6, 30),
            successor_name="Equal One",
            successor_slug="equal-one",
            offerings=(offer("Host E", "0.01", "0.01"),),
            context_window=1_000_000,
        ),
        mf(
            "Deprecated",
            status="deprecated",
            deprecation_date=datetime.date(2026, 10, 23),
            offerings=(offer("F", "3", "12"),),
        ),
        mf(
            "Open",
            license_kind="open_weights",
            license_name="Open Community License",
            offerings=(offer("G", "0.2", "0.2"),),
        ),
        mf("NC", license_kind="open_weights", license_name="CC BY-NC 4.0", offerings=(offer("H", "0.3", "0.3"),)),
        mf("Costly", offerings=(offer("I", "10", "40"), offer("J", "12", "48")), context_window=2_000_000),
        mf("Thousandth", offerings=(offer("K", "0.01", "0.04"),)),
        mf("Batch Only", offerings=(offer("L", None, None, batch_in="0.5", batch_out="1"),)),
        mf(
            "Long Context",
            context_window=10_000_000,
            organization_name="Meta",
            offerings=(offer("M", "0.1", "0.3", context=131_072), offer("N", "0.2", "0.6", context=327_680)),
            caps={"vision": True, "reasoning": True},
        ),
        mf("Tiered", offerings=(offer("O", "1.25", "10", prices=[("input", "standard", 200_000, "2.5")]),)),
    ]


def test_every_pair_of_a_catalog_of_awkward_cases_is_true_to_its_facts():
    models = awkward_catalog()
    problems = {
        f"{a.name} vs {b.name}": found
        for a, b in itertools.combinations(models, 2)
        if (found := check_pair(pair_of(a, b)))
    }
    assert problems == {}


def test_the_checker_catches_what_it_checks():
    """The checks can fail: a page saying a wrong percentage, a retired choice or a repeated sentence."""
    a = mf("Alpha", status="retired", offerings=(offer("P", "0.1", "0.1"),))
    b = mf("Beta", offerings=(offer("Q", "1", "1"),))
    p = pair_of(a, b)
    original = text.choose_when_sentences
    try:
        text.choose_when_sentences = lambda pair: [
            "Choose Alpha when cost matters most.",
            "Choose Alpha when cost matters most.",
        ]
        found = check_pair(p)
    finally:
        text.choose_when_sentences = original
    assert any("retired Alpha recommended" in f for f in found)
    assert any(f.startswith("repeated:") for f in found)


@pytest.fixture(scope="module")
def demo_models(django_db_setup, django_db_blocker):
    from django.db import transaction

    from catalog.demo import load_demo_catalog
    from catalog.models import LanguageModel

    with django_db_blocker.unblock(), transaction.atomic():
        load_demo_catalog()
        slugs = list(LanguageModel.objects.order_by("slug").values_list("slug", flat=True))
        loaded, _page = facts._load(slugs, model_fields=facts.PAIR_MODEL_FIELDS)
        yield [loaded[slug] for slug in slugs]
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_pair_of_the_demo_catalog_is_true_to_its_facts(demo_models):
    pairs = list(itertools.combinations(demo_models, 2))
    assert len(pairs) == len(demo_models) * (len(demo_models) - 1) // 2 >= 1000
    problems = {f"{a.slug} vs {b.slug}": found for a, b in pairs if (found := check_pair(pair_of(a, b)))}
    assert problems == {}
    # the headline is never a batch price: o4-mini's cheapest is a real-time list price
    o4 = next(m for m in demo_models if m.slug == "o4-mini")
    assert (o4.cheapest.input_price, o4.cheapest.output_price) == (Decimal("1.00"), Decimal("4.00"))


PROSE = re.compile(
    r'<p class="summary">(.*?)</p>|<section id="deep-dive".*?</section>|<section id="faq".*?</section>', re.S
)


@pytest.mark.slow
@pytest.mark.django_db
def test_every_demo_pair_page_renders_without_a_repeated_sentence(client, demo_models):
    """Slow (all 1,225 pages): runs on SQLite only; the pure check above covers PostgreSQL's facts too.

    The same pass checks each page's head: its own title and description, at most 160 characters (test_seo).
    """
    if connection.vendor != "sqlite":
        pytest.skip("rendered once, on SQLite")
    heads = []
    for a, b in itertools.combinations(demo_models, 2):
        response = client.get(f"/compare/{a.slug}-vs-{b.slug}/")
        assert response.status_code == 200, (a.slug, b.slug)
        body = response.content.decode()
        prose = " ".join(m.group(0) for m in PROSE.finditer(body))
        plain = re.sub(r"<[^>]+>", " ", prose)
        sentences = [s.strip() for s in SENTENCE.split(re.sub(r"\s+", " ", plain)) if len(s.strip()) > 30]
        repeated = {s for s in sentences if sentences.count(s) > 1}
        assert not repeated, (a.slug, b.slug, repeated)
        assert not re.search(r"\b[01] providers\b", body), (a.slug, b.slug)
        heads.append(head_from(response, f"/compare/{a.slug}-vs-{b.slug}/"))
    assert_unique_and_short(heads)
