"""Monthly workload costs: pure Decimal arithmetic."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from comparisons.calculator import (
    DEFAULT_WORKLOAD,
    Workload,
    all_costs,
    break_even_scale,
    cheapest_cost,
    offering_cost,
)
from tests.comparisons.builders import offer


def W(inp, out, cached, batch) -> Workload:  # noqa: N802 - reads like the table it fills
    return Workload(input_millions=inp, output_millions=out, cached_share=cached, tier="batch" if batch else "standard")


def test_default_workload_costs_ten_times_the_blended_price():
    offering = offer("Replicate API", "0.50", "2.00")
    cost = offering_cost(offering, DEFAULT_WORKLOAD)
    assert cost is not None
    assert cost.total == offering.blended_price * 10 == D("9.50")
    assert isinstance(cost.total, D)


@pytest.mark.parametrize(
    ("workload", "prices", "expected_total", "batch_applied", "cache_applied"),
    [
        # half of 10M input from the cache: 5M x $1 + 5M x $0.25
        (W(D(10), D(0), D("0.5"), False), {"cached": D("0.25")}, D("6.25"), False, True),
        # cache asked for but no cached price sourced: full input price
        (W(D(10), D(0), D("0.5"), False), {}, D("10.00"), False, False),
        # batch prices when both are sourced
        (W(D(1), D(1), D(0), True), {"batch_in": D("0.5"), "batch_out": D("1")}, D("1.50"), True, False),
        # batch asked for, only one batch price sourced: regular prices
        (W(D(1), D(1), D(0), True), {"batch_in": D("0.5")}, D("3.00"), False, False),
        # nothing to process costs nothing
        (W(D(0), D(0), D(0), False), {}, D("0"), False, False),
        # cache and batch together: cached tokens at the cached price, the rest at batch prices
        (
            W(D(2), D(1), D("0.5"), True),
            {"cached": D("0.1"), "batch_in": D("0.5"), "batch_out": D("1")},
            D("1.60"),
            True,
            True,
        ),
    ],
)
def test_offering_cost(workload, prices, expected_total, batch_applied, cache_applied):
    cost = offering_cost(offer("P", "1", "2", **prices), workload)
    assert cost is not None
    assert cost.total == expected_total
    assert cost.batch_applied is batch_applied
    assert cost.cache_applied is cache_applied


def test_unpriced_offering_has_no_cost():
    assert offering_cost(offer("P", "1", None), DEFAULT_WORKLOAD) is None
    assert cheapest_cost([offer("P", None, None)], DEFAULT_WORKLOAD) is None
    assert cheapest_cost([], DEFAULT_WORKLOAD) is None


def test_cheapest_depends_on_the_workload():
    regular = offer("Regular", "1", "1")
    with_batch = offer("Batchable", "1.2", "1.2", batch_in=D("0.6"), batch_out=D("0.6"))
    assert cheapest_cost([regular, with_batch], DEFAULT_WORKLOAD).provider_name == "Regular"
    batch = W(D(7), D(3), D(0), True)
    assert cheapest_cost([regular, with_batch], batch).provider_name == "Batchable"
    assert [c.provider_name for c in all_costs([regular, with_batch], batch)] == ["Batchable", "Regular"]


def test_free_offering_costs_nothing():
    cost = cheapest_cost([offer("Free", "0", "0"), offer("Paid", "1", "1")], DEFAULT_WORKLOAD)
    assert cost.provider_name == "Free"
    assert cost.total == 0


def test_a_tier_the_offering_lacks_falls_back_to_standard_with_a_note():
    cost = offering_cost(offer("P", "1", "2"), Workload(tier="flex"))
    assert cost.tier == "standard" and cost.tier_fallback
    assert cost.total == D("13")
    assert "no flex prices sourced: standard prices" in cost.notes


def test_priority_and_flex_tiers_use_their_rows():
    o = offer("P", "1", "2", prices=[("input", "priority", 0, "2"), ("output", "priority", 0, "4")])
    assert offering_cost(o, Workload(tier="priority")).total == D("26")


def test_requests_per_day_become_a_month_of_tokens():
    workload = Workload.from_requests(100, 1_000, 500, reasoning_per_request=200)
    # 3,000 requests a month: 3M input, 1.5M output, 0.6M reasoning tokens
    assert (workload.input_tokens, workload.output_tokens, workload.reasoning_tokens) == (3_000_000, 1_500_000, 600_000)
    assert workload.prompt_tokens == 1_000
    cost = offering_cost(offer("P", "1", "2"), workload)
    assert cost.total == D("3") + D("3") + D("1.2")  # reasoning billed as output when not priced apart
    priced = offer("P", "1", "2", prices=[("reasoning", "standard", 0, "4")])
    assert offering_cost(priced, workload).reasoning_cost == D("2.4")


def test_cache_writes_use_the_write_price_or_the_input_price():
    o = offer("P", "1", "2", cached=D("0.1"), prices=[("cache_write_5m", "standard", 0, "1.25")])
    workload = Workload(input_millions=D(10), output_millions=D(0), cached_share=D("0.5"), cache_write_share=D("0.2"))
    cost = offering_cost(o, workload)
    assert (cost.input_cost, cost.cached_cost, cost.cache_write_cost) == (D("3"), D("0.5"), D("2.5"))
    without = offering_cost(offer("P", "1", "2"), workload)
    assert without.cache_write_cost == D("2") and "no cache write price sourced: input price" in without.notes


def test_a_long_prompt_crosses_the_context_tier():
    o = offer("P", "1.25", "10", prices=[("input", "standard", 200_000, "2.5"), ("output", "standard", 200_000, "15")])
    short = offering_cost(o, Workload(input_millions=D(1), output_millions=D(1), prompt_tokens=100_000))
    long = offering_cost(o, Workload(input_millions=D(1), output_millions=D(1), prompt_tokens=300_000))
    assert (short.total, short.context_threshold) == (D("11.25"), 0)
    assert (long.total, long.context_threshold) == (D("17.5"), 200_000)
    assert "prompt above 200,000 tokens: long-context prices" in long.notes


def test_retired_offerings_are_not_costed():
    assert (
        all_costs([offer("Old", "0.1", "0.1", status="retired"), offer("New", "1", "1")], DEFAULT_WORKLOAD)[
            0
        ].provider_name
        == "New"
    )


def test_break_even_exists_only_when_cost_lines_cross():
    assert break_even_scale(D(0), D(2), D(0), D(1)) is None  # per-token prices only: one stays cheaper
    assert break_even_scale(D(10), D(1), D(0), D(2)) == D(10)  # a fixed fee against a higher unit price


def test_a_prompt_longer_than_the_context_window_is_never_the_cheapest():
    short = offer("Short", "0.1", "0.1", context=128_000)
    long = offer("Long", "1", "1", context=1_000_000)
    workload = Workload(input_millions=D(1), output_millions=D(1), prompt_tokens=300_000)
    assert cheapest_cost([short, long], workload).provider_name == "Long"
    assert [c.fits for c in all_costs([short, long], workload)] == [True, False]
    assert cheapest_cost([short], workload) is None


def test_a_tier_without_its_own_context_tier_says_which_prices_it_used():
    o = offer(
        "P",
        "1.25",
        "10",
        batch_in="0.625",
        batch_out="5",
        prices=[("input", "standard", 200_000, "2.5"), ("output", "standard", 200_000, "15")],
    )
    cost = offering_cost(o, Workload(input_millions=D(1), output_millions=D(0), tier="batch", prompt_tokens=300_000))
    assert cost.total == D("0.625")
    assert "no batch price above 200,000 prompt tokens sourced: batch base prices" in cost.notes
