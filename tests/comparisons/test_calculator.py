"""Monthly workload costs: pure Decimal arithmetic."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from comparisons.calculator import DEFAULT_WORKLOAD, Workload, all_costs, cheapest_cost, offering_cost
from tests.comparisons.builders import offer


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
        (Workload(D(10), D(0), D("0.5"), False), {"cached": D("0.25")}, D("6.25"), False, True),
        # cache asked for but no cached price sourced: full input price
        (Workload(D(10), D(0), D("0.5"), False), {}, D("10.00"), False, False),
        # batch prices when both are sourced
        (Workload(D(1), D(1), D(0), True), {"batch_in": D("0.5"), "batch_out": D("1")}, D("1.50"), True, False),
        # batch asked for, only one batch price sourced: regular prices
        (Workload(D(1), D(1), D(0), True), {"batch_in": D("0.5")}, D("3.00"), False, False),
        # nothing to process costs nothing
        (Workload(D(0), D(0), D(0), False), {}, D("0"), False, False),
        # cache and batch together: cached tokens at the cached price, the rest at batch prices
        (
            Workload(D(2), D(1), D("0.5"), True),
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
    batch = Workload(D(7), D(3), D(0), True)
    assert cheapest_cost([regular, with_batch], batch).provider_name == "Batchable"
    assert [c.provider_name for c in all_costs([regular, with_batch], batch)] == ["Batchable", "Regular"]


def test_free_offering_costs_nothing():
    cost = cheapest_cost([offer("Free", "0", "0"), offer("Paid", "1", "1")], DEFAULT_WORKLOAD)
    assert cost.provider_name == "Free"
    assert cost.total == 0
