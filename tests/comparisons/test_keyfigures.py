"""The pair page's key figures: a winner only when both facts are known and differ, said in words (no database)."""

from __future__ import annotations

import datetime

import pytest

from comparisons import keyfigures
from comparisons.facts import ModelFacts, PageFacts, PairFacts
from comparisons.keyfigures import NONE, UNSOURCED, VALUE
from tests.comparisons.builders import mf, offer


def pair(a: ModelFacts, b: ModelFacts) -> PairFacts:
    return PairFacts(a=a, b=b, shared_benchmarks=(), page=PageFacts((), None, None))


def figure(a: ModelFacts, b: ModelFacts, key: str) -> keyfigures.KeyFigure:
    return next(f for f in keyfigures.key_figures(pair(a, b)) if f.key == key)


CHEAP = (offer("Host A", "0.10", "0.10"),)
DEAR = (offer("Host B", "1.00", "4.00"), offer("Host C", "1.10", "4.40"))


class TestPrice:
    def test_the_cheaper_blend_wins_with_the_percentage_and_the_multiple(self):
        f = figure(mf("Alpha", offerings=CHEAP), mf("Beta", offerings=DEAR), "price")
        assert f.winner == "Alpha"
        assert f.win_word == "cheaper"
        assert f.verdict == "Alpha is 95% cheaper at a 70/30 input/output blend, Beta costs 19x as much."
        assert [(v.state, v.text, v.detail) for v in f.values] == [
            (VALUE, "$0.10 / $0.10", "input / output per 1M on Host A"),
            (VALUE, "$1.00 / $4.00", "input / output per 1M on Host B"),
        ]

    def test_equal_blends_have_no_winner(self):
        f = figure(mf("Alpha", offerings=CHEAP), mf("Beta", offerings=(offer("Host B", "0.10", "0.10"),)), "price")
        assert f.winner is None
        assert f.verdict == "The same at a 70/30 blend."

    @pytest.mark.parametrize(
        ("beta", "state", "shown", "reason"),
        [
            (
                mf("Beta", offerings=(offer("Host B", None, "1.00"),)),
                UNSOURCED,
                "",
                "Beta's standard price is not yet sourced",
            ),
            (mf("Beta"), NONE, "no tracked provider", "Beta has no tracked provider"),
            (mf("Beta", status="retired", offerings=DEAR), NONE, "retired: no provider", "Beta is retired"),
        ],
    )
    def test_no_winner_when_a_price_is_unknown_or_does_not_exist(self, beta, state, shown, reason):
        f = figure(mf("Alpha", offerings=CHEAP), beta, "price")
        assert f.winner is None
        assert (f.values[1].state, f.values[1].text) == (state, shown)
        assert f.verdict == f"No winner: {reason}."

    def test_a_free_model_wins(self):
        f = figure(mf("Alpha", offerings=(offer("Host A", "0", "0"),)), mf("Beta", offerings=DEAR), "price")
        assert (f.winner, f.verdict) == ("Alpha", "Alpha is listed free.")


class TestSizes:
    def test_the_larger_context_window_wins(self):
        f = figure(mf("Alpha", context_window=128_000), mf("Beta", context_window=1_000_000), "context")
        assert f.winner == "Beta"
        assert f.verdict == "Beta has the larger context window (7.8x as much)."
        assert [v.text for v in f.values] == ["128K tokens", "1M tokens"]

    @pytest.mark.parametrize(
        ("a", "b", "verdict"),
        [
            (128_000, 128_000, "The same."),
            (128_000, 131_072, "About the same (within 5%)."),
            (None, 128_000, "No winner: Alpha's context window is not yet sourced."),
            (None, None, "No winner: Alpha's and Beta's context window are not yet sourced."),
        ],
    )
    def test_no_winner_when_equal_close_or_unknown(self, a, b, verdict):
        f = figure(mf("Alpha", context_window=a), mf("Beta", context_window=b), "context")
        assert (f.winner, f.verdict) == (None, verdict)

    def test_the_context_a_reader_can_use_is_the_served_one(self):
        served = (offer("Host A", "1", "1", context=320_000),)
        f = figure(
            mf("Alpha", context_window=10_000_000, offerings=served), mf("Beta", context_window=1_000_000), "context"
        )
        assert f.winner == "Beta"
        assert f.values[0].text == "320K tokens"
        assert f.values[0].detail == "as served; Alpha Org publishes 10M"

    def test_max_output(self):
        f = figure(mf("Alpha", max_output_tokens=8_192), mf("Beta", max_output_tokens=100_000), "max_output")
        assert (f.winner, f.win_word) == ("Beta", "longer")
        assert f.verdict == "Beta allows the longer answers (12x as much)."


class TestLicenseAndStatus:
    def test_the_more_open_license_wins(self):
        a = mf("Alpha", license_kind="open_weights", license_name="Llama 3.2 Community License")
        f = figure(a, mf("Beta", license_kind="proprietary", license_name="Proprietary"), "license")
        assert (f.winner, f.win_word) == ("Alpha", "more open")
        assert f.verdict == "Alpha is more open: open weights against proprietary."
        assert [(v.text, v.detail) for v in f.values] == [
            ("Open weights", "Llama 3.2 Community License"),
            ("Proprietary", ""),
        ]

    def test_the_same_kind_or_an_unknown_license_has_no_winner(self):
        same = figure(mf("Alpha", license_kind="proprietary"), mf("Beta", license_kind="proprietary"), "license")
        assert (same.winner, same.verdict) == (None, "Both proprietary.")
        unknown = figure(mf("Alpha", license_kind="open_source"), mf("Beta"), "license")
        assert (unknown.winner, unknown.verdict) == (None, "No winner: Beta's license is not yet sourced.")
        assert unknown.values[1].state == UNSOURCED

    def test_status(self):
        deprecated = mf("Beta", status="deprecated", deprecation_date=datetime.date(2026, 10, 23))
        f = figure(mf("Alpha"), deprecated, "status")
        assert (f.winner, f.win_word, f.verdict) == ("Alpha", "active", "Alpha is active; Beta is deprecated.")
        assert f.values[1].detail == "deprecation date 2026-10-23"
        older = figure(deprecated, mf("Gamma", status="retired"), "status")
        assert (older.winner, older.win_word) == ("Beta", "not retired")
        both = figure(mf("Alpha"), mf("Beta"), "status")
        assert (both.winner, both.verdict) == (None, "Both active.")


class TestVerdict:
    def test_names_what_each_model_leads_on(self):
        a = mf("Alpha", offerings=CHEAP, context_window=128_000, license_kind="open_weights")
        b = mf("Beta", offerings=DEAR, context_window=200_000, license_kind="proprietary", status="deprecated")
        figures = keyfigures.key_figures(pair(a, b))
        assert keyfigures.verdict(figures, ("Alpha", "Beta")) == (
            "Alpha leads on price, license and status, Beta on context window."
        )

    def test_one_leader_and_none(self):
        a = mf("Alpha", offerings=CHEAP)
        b = mf("Beta", offerings=DEAR)
        figures = keyfigures.key_figures(pair(a, b))
        assert keyfigures.verdict(figures, ("Alpha", "Beta")) == "Alpha leads on price; Beta leads on none."
        nothing = keyfigures.key_figures(pair(mf("Alpha"), mf("Beta")))
        assert keyfigures.verdict(nothing, ("Alpha", "Beta")) == "Neither model leads on any of these figures."
