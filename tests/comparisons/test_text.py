"""Generated words, table-driven over plain facts dataclasses (no database)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal as D

import pytest

from comparisons import text
from comparisons.facts import ModelFacts, PageFacts, PairFacts, shared_benchmarks
from tests.comparisons.builders import ALL_UNKNOWN, mf, offer


def pair(a: ModelFacts, b: ModelFacts) -> PairFacts:
    return PairFacts(a=a, b=b, shared_benchmarks=shared_benchmarks(a, b), page=PageFacts((), None, None))


def seed_pair() -> PairFacts:
    llama = mf(
        "Llama 3.2 1B",
        organization_label="AI at Meta",
        release_date=datetime.date(2024, 9, 25),
        context_window=131072,
        parameter_count=1_230_000_000,
        license_name="Llama 3.2 Community License",
        license_kind="open_weights",
        caps={"reasoning": False, "vision": False},
        offerings=(offer("Fireworks AI", "0.10", "0.10"),),
    )
    o4 = mf(
        "o4-mini",
        organization_label="OpenAI",
        release_date=datetime.date(2025, 4, 16),
        license_name="OpenAI Terms",
        license_kind="proprietary",
        caps={"reasoning": True, "vision": True},
        offerings=(
            offer("OpenAI API", "1.10", "4.40", batch_in="0.55", batch_out="2.20"),
            offer("OpenRouter", "1.10", "4.40"),
            offer("Replicate API", "0.50", "2.00"),
        ),
    )
    return pair(llama, o4)


def all_text(p: PairFacts) -> str:
    faq = text.faq(p)
    parts = [
        *text.summary(p),
        *text.deep_dive(p),
        *text.choose_when_sentences(p),
        *(e.question + " " + e.answer for e in faq),
        text.meta_description(p),
        text.title(p),
    ]
    return "\n".join(parts)


class TestFormatting:
    @pytest.mark.parametrize(
        ("amount", "expected"),
        [
            ("0.1", "$0.10"),
            ("0.10", "$0.10"),
            ("0.075", "$0.075"),
            ("2.5", "$2.50"),
            ("15", "$15.00"),
            ("0", "$0.00"),
            ("1234.5", "$1,234.50"),
            ("0.000125", "$0.000125"),
        ],
    )
    def test_usd(self, amount, expected):
        assert text.format_usd(D(amount)) == expected

    def test_price_has_unit(self):
        assert text.format_price(D("0.1")) == "$0.10 / 1M"

    @pytest.mark.parametrize(
        ("tokens", "expected"),
        [
            (131072, "128K"),
            (200000, "200K"),
            (8192, "8K"),
            (1048576, "1M"),
            (1_000_000, "1M"),
            (1_047_576, "1.05M"),
            (32000, "32K"),
            (512, "512"),
        ],
    )
    def test_token_counts(self, tokens, expected):
        assert text.format_token_count(tokens) == expected
        assert text.format_tokens(tokens) == f"{expected} tokens"

    @pytest.mark.parametrize(
        ("count", "expected"),
        [(1_230_000_000, "1.23B"), (70_000_000_000, "70B"), (1_800_000_000_000, "1.8T"), (350_000_000, "350M")],
    )
    def test_parameters(self, count, expected):
        assert text.format_parameters(count) == expected

    @pytest.mark.parametrize(
        ("count", "expected"), [(0, "0 providers"), (1, "1 provider"), (2, "2 providers"), (4, "4 providers")]
    )
    def test_plural(self, count, expected):
        assert text.plural(count, "provider") == expected

    @pytest.mark.parametrize(
        ("low", "high", "percent", "multiple"),
        [
            ("0.10", "0.50", "80%", "5x"),
            ("0.10", "2.00", "95%", "20x"),
            ("0.10", "0.95", "89%", "9.5x"),
            ("0.001", "1", "99.9%", "1000x"),
            ("0.0000001", "1", "over 99.9%", "10000000x"),
            ("0.999", "1", "0.1%", None),
            ("0.9999", "1", "under 0.1%", None),
            ("1", "1.5", "33%", "1.5x"),
            ("1", "1.2", "17%", None),
        ],
    )
    def test_percent_and_multiple(self, low, high, percent, multiple):
        assert text.format_percent(D(low), D(high)) == percent
        assert text.format_multiple(D(low), D(high)) == multiple

    @pytest.mark.parametrize(
        ("phrase", "expected"),
        [
            ("open-weights model", "an"),
            ("proprietary model", "a"),
            ("1.23B-parameter model", "a"),
            ("8B-parameter model", "an"),
            ("11B-parameter model", "an"),
            ("18B-parameter model", "an"),
            ("80B-parameter model", "an"),
            ("110B-parameter model", "a"),
            ("reasoning model", "a"),
        ],
    )
    def test_article(self, phrase, expected):
        assert text.article(phrase) == expected

    def test_join_words(self):
        assert text.join_words([]) == ""
        assert text.join_words(["a"]) == "a"
        assert text.join_words(["a", "b"]) == "a and b"
        assert text.join_words(["a", "b", "c"], "or") == "a, b or c"


class TestPriceStatements:
    @pytest.mark.parametrize(
        ("a_prices", "b_prices", "expected", "absent"),
        [
            # equal prices
            (("1", "2"), ("1", "2"), ["the same at a 70/30 input/output blend"], ["cheaper"]),
            # one price missing: one sentence, not one per dimension
            (
                ("1", "2"),
                (None, None),
                ["Prices are not compared: Beta is not tracked on any provider."],
                ["cheaper", "$"],
            ),
            # free model: no division by zero, no "infinitely"
            (("0", "0"), ("1", "2"), ["Alpha is listed free."], ["%", "x "]),
            # 1000x gap
            (("0.001", "0.001"), ("1", "1"), ["Alpha is 99.9% cheaper", "Beta costs 1000x as much"], []),
            # ordinary gap, from the blends ($0.10 against $0.95)
            (("0.10", "0.10"), ("0.50", "2.00"), ["Alpha is 89% cheaper", "Beta costs 9.5x as much"], []),
        ],
    )
    def test_price_summary_sentence(self, a_prices, b_prices, expected, absent):
        a = mf("Alpha", offerings=(offer("P1", *a_prices),))
        b_offerings = () if b_prices == (None, None) else (offer("P2", *b_prices),)
        b = mf("Beta", offerings=b_offerings)
        sentence = text.price_summary_sentence(a, b)
        for fragment in expected:
            assert fragment in sentence
        for fragment in absent:
            assert fragment not in sentence
        assert "infinite" not in sentence
        assert "400%" not in sentence

    def test_cheapest_provider_is_named_and_used(self):
        a = mf("Alpha", offerings=(offer("Dear", "5", "5"), offer("Cheap", "1", "1")))
        b = mf("Beta", offerings=(offer("Only", "2", "2"),))
        sentence = text.price_summary_sentence(a, b)
        assert "Alpha costs $1.00 / 1M input and $1.00 / 1M output on Cheap" in sentence
        assert "Beta costs $2.00 / 1M input and $2.00 / 1M output on Only" in sentence

    def test_offering_without_output_price_is_not_the_cheapest(self):
        a = mf("Alpha", offerings=(offer("Half", "0.01", None), offer("Full", "1", "1")))
        assert a.cheapest is not None and a.cheapest.provider_name == "Full"

    def test_batch_and_retired_offerings_never_make_the_headline(self):
        batch_only_cheap = offer("API", "2", "8", batch_in="1", batch_out="4")
        retired = offer("Gone", "0.5", "0.5", status="retired")
        a = mf("Alpha", offerings=(batch_only_cheap, retired, offer("Host", "1.5", "6")))
        assert a.cheapest is not None and a.cheapest.provider_name == "Host"
        assert a.provider_count == 2
        sentence = text.price_summary_sentence(a, mf("Beta", offerings=(offer("P", "1", "1"),)))
        assert "$1.50 / 1M input and $6.00 / 1M output on Host" in sentence

    def test_a_retired_model_is_never_the_cheaper_choice(self):
        a = mf("Alpha", status="retired", offerings=(offer("P1", "0.1", "0.1"),))
        b = mf("Beta", offerings=(offer("P2", "1", "1"),))
        p = pair(a, b)
        assert text.price_summary_sentence(a, b) == "Prices are not compared: Alpha is retired."
        assert not any(s.startswith("Choose Alpha") for s in text.choose_when_sentences(p))
        assert "Alpha is cheaper" not in all_text(p)

    @pytest.mark.parametrize(
        ("cost_a", "cost_b", "expected"),
        [
            (D("1"), D("9.5"), "Alpha costs $8.50 a month less than Beta for this workload"),
            (D("3"), D("3"), "Both cost $3.00 a month"),
            (D("0"), D("3"), "Alpha costs nothing for this workload; Beta costs $3.00 a month."),
            (D("3"), None, "No monthly cost for Beta: its price is not yet sourced."),
            (None, None, "No monthly cost for Alpha and Beta: their prices are not yet sourced."),
            # the percentage comes from the unrounded amounts: 6.4% here, though $0.93 vs $1.00 reads as 7%
            (D("0.936"), D("1.0"), "($0.94 against $1.00, 6% cheaper)"),
        ],
    )
    def test_workload_sentence(self, cost_a, cost_b, expected):
        assert expected in text.workload_sentence("Alpha", cost_a, "Beta", cost_b)


class TestIdentityAndCapabilities:
    @pytest.mark.parametrize(
        ("kwargs", "expected"),
        [
            (
                {"parameter_count": 1_230_000_000, "license_kind": "open_weights", "caps": {"reasoning": False}},
                "Alpha is a 1.23B-parameter open-weights model from Alpha Labs, release date not yet sourced.",
            ),
            (
                {"license_kind": "proprietary", "caps": {"reasoning": True, "vision": True}},
                "Alpha is a proprietary reasoning model with vision from Alpha Labs, release date not yet sourced.",
            ),
            # unknown reasoning is not a reasoning model
            ({"release_date": datetime.date(2025, 1, 2)}, "Alpha is a model from Alpha Labs, released on 2025-01-02."),
            (
                {"parameter_count": 8_000_000_000, "license_kind": "open_source"},
                "Alpha is an 8B-parameter open-source model",
            ),
        ],
    )
    def test_model_identity(self, kwargs, expected):
        assert expected in text.model_identity(mf("Alpha", **kwargs))

    def test_capability_differences_name_only_the_supporting_model(self):
        a = mf("Alpha", caps={"vision": True, "reasoning": False, "tool_use": True})
        b = mf("Beta", caps={"vision": False, "reasoning": True, "tool_use": True})
        sentence = text.capability_differences(a, b)
        assert "Only Alpha supports vision (image understanding)." in sentence
        assert "Only Beta supports a reasoning mode." in sentence
        assert "Both support tool use." in sentence

    def test_capability_differences_say_when_nothing_is_sourced(self):
        sentence = text.capability_differences(mf("Alpha"), mf("Beta"))
        assert "The capabilities of both are not yet sourced." in sentence
        assert "Only" not in sentence

    def test_capabilities_that_match_are_said_not_to_differ(self):
        caps = dict.fromkeys(ALL_UNKNOWN, False)
        sentence = text.capability_differences(mf("Alpha", caps=caps), mf("Beta", caps=caps))
        assert sentence.startswith("Their capabilities do not differ.")
        assert "Neither supports vision (image understanding), multimodal input, a reasoning mode" in sentence
        assert sentence.count(" or ") == 1 and " and " not in sentence.split("Neither")[1]

    def test_capabilities_with_an_unknown_side_are_not_said_to_be_identical(self):
        a = mf("Alpha", caps={"vision": True})
        b = mf("Beta", caps={"vision": True, "reasoning": True})
        sentence = text.capability_differences(a, b)
        assert "Their capabilities do not differ" not in sentence
        assert sentence.startswith("Where both are sourced, their capabilities do not differ.")

    @pytest.mark.parametrize(
        ("ca", "cb", "expected"),
        [
            (131072, 200000, "Beta has the larger context window: 200K tokens, against 128K tokens for Alpha, 1.5x"),
            (8192, 8192, "Both have a 8K-token context window."),
            (131072, None, "Alpha's context window is 128K tokens; Beta's is not yet sourced."),
            # equal displayed forms are never "larger": 128,000 and 131,072 both read 128K
            (128000, 131072, "Their context windows are about the same: 128K tokens for Alpha and 128K tokens"),
            (1_000_000, 1_047_576, "about the same"),
            (None, None, "The context windows of both models are not yet sourced."),
            (1000, 1_000_000, "1000x as much"),
        ],
    )
    def test_context_sentence(self, ca, cb, expected):
        assert expected in text.context_sentence(mf("Alpha", context_window=ca), mf("Beta", context_window=cb))


class TestAvailabilityAndLicense:
    def test_model_with_zero_providers(self):
        a = mf("Alpha")
        b = mf("Beta", offerings=(offer("P1", "1", "1"),))
        p = pair(a, b)
        assert "Beta is served by 1 tracked provider; Alpha by none (it is not tracked on any provider yet)." in (
            text.summary(p)
        )
        assert "Alpha is not offered by any tracked provider yet." in text.concentration_sentence(a, b)
        where = [e for e in text.faq(p) if e.question.startswith("Where")]
        assert where[0].answer == "Alpha: on no tracked provider yet. Beta is available on P1."
        assert not [e for e in text.faq(p) if e.question.startswith("Which is cheaper")]
        assert "1 providers" not in all_text(p)
        assert "0 providers" not in " ".join(text.summary(p))

    def test_neither_model_on_a_provider(self):
        p = pair(mf("Alpha"), mf("Beta"))
        assert "Neither Alpha nor Beta is served by a tracked provider." in text.summary(p)
        assert "0 providers" not in " ".join(text.summary(p))

    def test_single_provider_is_a_concentration_risk_and_many_are_listed(self):
        a = mf("Alpha", offerings=(offer("P1", "1", "1"),))
        b = mf("Beta", offerings=(offer("P2", "1", "1"), offer("P3", "2", "2")))
        sentence = text.concentration_sentence(a, b)
        assert "Alpha is available from 1 provider (P1), so an outage" in sentence
        assert "Beta is available from 2 providers (P2 and P3)." in sentence

    def test_both_open(self):
        a = mf("Alpha", license_name="Apache 2.0", license_kind="open_source")
        b = mf("Beta", license_name="Beta Community License", license_kind="open_weights")
        p = pair(a, b)
        license_paragraph = text.deep_dive(p)[-1]
        assert "Alpha is open source (Apache 2.0)" in license_paragraph
        assert "Beta has open weights under the Beta Community License" in license_paragraph
        assert "proprietary" not in license_paragraph
        faq = {e.question: e.answer for e in text.faq(p)}
        assert faq["Is Alpha or Beta open source?"] == (
            "Alpha is open source (Apache 2.0). "
            "Beta has open weights under the Beta Community License, which is not an open-source license."
        )
        # neither can be chosen "to self-host" over the other
        assert not any("weights yourself" in s for s in text.choose_when_sentences(p))

    def test_a_license_named_after_its_kind_is_not_repeated(self):
        a = mf("Alpha", license_name="Proprietary", license_kind="proprietary")
        b = mf("Beta", license_name="MIT", license_kind="open_source")
        p = pair(a, b)
        assert text.license_sentence(a).startswith("Alpha is proprietary: it can be used only through")
        assert text.license_sentence(b).startswith("Beta is open source (MIT): ")
        assert "(Proprietary)" not in all_text(p)
        assert a.license_kind_note == "" and b.license_kind_note == "Open source"

    def test_unknown_license_is_not_guessed(self):
        p = pair(mf("Alpha"), mf("Beta", license_kind="proprietary", license_name="Terms"))
        assert "Alpha's license is not yet sourced." in text.deep_dive(p)[-1]
        assert not [e for e in text.faq(p) if "open source" in e.question]


class TestFaqAndChoice:
    def test_faq_asks_only_sourced_questions(self):
        p = pair(mf("Alpha"), mf("Beta"))
        assert text.faq(p) == []

    def test_faq_capability_answers(self):
        a = mf("Alpha", caps={"vision": True, "reasoning": False, "function_calling": True})
        b = mf("Beta", caps={"vision": True, "reasoning": False, "function_calling": False})
        faq = {e.question: e.answer for e in text.faq(pair(a, b))}
        # a question is asked only when its answer tells the models apart
        assert "Which supports vision, Alpha or Beta?" not in faq
        assert "Which supports reasoning, Alpha or Beta?" not in faq
        assert faq["Which supports function calling, Alpha or Beta?"] == (
            "Alpha supports function calling; Beta does not."
        )
        assert "Which supports multimodal input, Alpha or Beta?" not in faq

    def test_choose_when_only_where_facts_support_it(self):
        a = mf("Alpha", context_window=8192, offerings=(offer("P1", "1", "1"),))
        b = mf("Beta", context_window=8192, offerings=(offer("P2", "1", "1"),))
        assert text.choose_when(pair(a, b)) == []

    def test_choose_when_reasons(self):
        a = mf(
            "Alpha",
            context_window=200000,
            license_kind="open_weights",
            caps={"vision": True, "tool_use": True},
            offerings=(offer("P1", "1", "1"),),
        )
        b = mf(
            "Beta",
            context_window=8192,
            license_kind="proprietary",
            caps={"vision": False, "tool_use": False},
            offerings=(offer("P2", "0.5", "0.5"), offer("P3", "1", "1")),
        )
        sentences = text.choose_when_sentences(pair(a, b))
        assert sentences == [
            "Choose Alpha when you need to run the weights yourself, "
            "when you need vision (image understanding) or tool use "
            "or when prompts need more than 8K tokens of context.",
            "Choose Beta when cost matters most or when you want a choice of providers (2 tracked against 1).",
        ]


class TestShared:
    def test_neither_with_benchmarks_has_no_shared_rows(self):
        assert shared_benchmarks(mf("Alpha"), mf("Beta")) == ()

    def test_faq_jsonld_shape(self):
        entries = [text.FaqEntry("Q?", "A.")]
        data = text.faq_jsonld(entries)
        assert data["@type"] == "FAQPage"
        assert data["mainEntity"] == [
            {"@type": "Question", "name": "Q?", "acceptedAnswer": {"@type": "Answer", "text": "A."}}
        ]


class TestSeedPair:
    def test_no_seed_mistakes(self):
        words = all_text(seed_pair())
        assert "400%" not in words
        assert "1 providers" not in words
        assert "Llama 3.2 1B is a 1.23B-parameter open-weights model from AI at Meta" in words
        assert "Llama 3.2 1B is a reasoning" not in words
        assert "frontier" not in words
        for sentence in re.split(r"(?<=[.?])\s+", words):
            if "reasoning model" in sentence:
                assert sentence.startswith("o4-mini")

    def test_ratios_are_stated_correctly(self):
        summary = " ".join(text.summary(seed_pair()))
        # blends: $0.10 (Fireworks AI) against $0.95 (Replicate API at $0.50 / $2.00)
        assert "Llama 3.2 1B is 89% cheaper at a 70/30 input/output blend" in summary
        assert "($0.10 against $0.95 per 1M blended tokens; o4-mini costs 9.5x as much)" in summary
        assert "Llama 3.2 1B is served by 1 tracked provider and o4-mini by 3 tracked providers." in summary

    def test_blended_difference_is_85_cents(self):
        p = seed_pair()
        assert text.blended_difference(p) == D("0.85")
        assert "o4-mini costs $0.50 / 1M input and $2.00 / 1M output on Replicate API" in " ".join(text.summary(p))

    def test_meta_description_states_the_facts_in_160_characters(self):
        description = text.meta_description(seed_pair())
        assert description.startswith(
            "Llama 3.2 1B vs o4-mini: input $0.10 vs $0.50, output $0.10 vs $2.00 per 1M tokens"
        )
        assert "providers" not in description
        assert len(description) <= 160


@pytest.mark.parametrize(
    ("status", "date", "expected"),
    [
        ("deprecated", datetime.date(2026, 10, 23), " It is deprecated (deprecation date 2026-10-23)."),
        ("retired", None, " It was retired."),
        ("retired", datetime.date(2025, 6, 30), " It was retired on 2025-06-30."),
        ("active", None, "released on 2025-01-02."),
    ],
)
def test_identity_says_when_a_model_is_deprecated_or_retired(status, date, expected):
    m = mf("Alpha", status=status, deprecation_date=date, release_date=datetime.date(2025, 1, 2))
    assert text.model_identity(m).endswith(expected)
