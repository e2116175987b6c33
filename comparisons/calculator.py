"""Monthly cost of a workload on each offering: pure Decimal arithmetic, no ORM.

A workload is millions of input and output tokens per month, the share of input tokens served from the
prompt cache, and whether requests go through the batch API. The default workload (7M input, 3M output,
no cache, no batch) is the 70/30 blend the page quotes, so its cost is 10x the blended price per 1M.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

CENT = Decimal("0.01")
MICRODOLLAR = Decimal("0.000001")
TOKENS_PER_MILLION = Decimal(1_000_000)


class Priced(Protocol):
    provider_name: str
    provider_slug: str
    input_price: Decimal | None
    output_price: Decimal | None
    cached_input_price: Decimal | None
    batch_input_price: Decimal | None
    batch_output_price: Decimal | None


@dataclass(frozen=True)
class Workload:
    input_millions: Decimal = Decimal(7)
    output_millions: Decimal = Decimal(3)
    cached_share: Decimal = Decimal(0)  # 0..1 of the input tokens
    batch: bool = False

    @classmethod
    def from_tokens(cls, input_tokens: int, output_tokens: int, cached_percent: Decimal, batch: bool) -> Workload:
        return cls(
            input_millions=Decimal(input_tokens) / TOKENS_PER_MILLION,
            output_millions=Decimal(output_tokens) / TOKENS_PER_MILLION,
            cached_share=cached_percent / 100,
            batch=batch,
        )

    @property
    def input_tokens(self) -> int:
        return int(self.input_millions * TOKENS_PER_MILLION)

    @property
    def output_tokens(self) -> int:
        return int(self.output_millions * TOKENS_PER_MILLION)

    @property
    def cached_percent(self) -> Decimal:
        return (self.cached_share * 100).normalize()


DEFAULT_WORKLOAD = Workload()


@dataclass(frozen=True)
class OfferingCost:
    provider_name: str
    input_cost: Decimal
    cached_cost: Decimal
    output_cost: Decimal
    # Whether the discounts the workload asks for could be applied with sourced prices.
    batch_applied: bool
    cache_applied: bool

    @property
    def total(self) -> Decimal:
        return self.input_cost + self.cached_cost + self.output_cost


def offering_cost(offering: Priced, workload: Workload) -> OfferingCost | None:
    """Monthly USD cost on one offering; None when its input or output price is not sourced.

    Batch prices apply only when both are sourced for the offering; cached input tokens are billed at the
    cached price when it is sourced, otherwise at the (batch or regular) input price.
    """
    if offering.input_price is None or offering.output_price is None:
        return None
    input_price, output_price = offering.input_price, offering.output_price
    batch_applied = False
    if workload.batch and offering.batch_input_price is not None and offering.batch_output_price is not None:
        input_price, output_price = offering.batch_input_price, offering.batch_output_price
        batch_applied = True
    cached_millions = workload.input_millions * workload.cached_share
    uncached_millions = workload.input_millions - cached_millions
    cache_applied = workload.cached_share > 0 and offering.cached_input_price is not None
    cached_price = offering.cached_input_price if cache_applied else input_price
    assert cached_price is not None
    return OfferingCost(
        provider_name=offering.provider_name,
        input_cost=uncached_millions * input_price,
        cached_cost=cached_millions * cached_price,
        output_cost=workload.output_millions * output_price,
        batch_applied=batch_applied,
        cache_applied=cache_applied,
    )


def cheapest_cost(offerings: Iterable[Priced], workload: Workload) -> OfferingCost | None:
    """The lowest monthly cost across the offerings (ties: provider name); None when none is priced."""
    costs = [c for c in (offering_cost(o, workload) for o in offerings) if c is not None]
    if not costs:
        return None
    return min(costs, key=lambda c: (c.total, c.provider_name.lower()))


def all_costs(offerings: Iterable[Priced], workload: Workload) -> list[OfferingCost]:
    """Every priced offering's cost, cheapest first."""
    costs = [c for c in (offering_cost(o, workload) for o in offerings) if c is not None]
    return sorted(costs, key=lambda c: (c.total, c.provider_name.lower()))


def round_cost(amount: Decimal) -> Decimal:
    """A monthly bill to the cent (half up); an amount under a cent keeps its digits to the micro-dollar,
    so a tiny workload never reads as free."""
    if amount >= CENT:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return amount.quantize(MICRODOLLAR, rounding=ROUND_HALF_UP)


def chosen_cost(offerings: Iterable[Priced], workload: Workload, provider_slug: str = "") -> OfferingCost | None:
    """The cost on the named provider, or on the cheapest one when no provider is named."""
    if not provider_slug:
        return cheapest_cost(offerings, workload)
    for offering in offerings:
        if offering.provider_slug == provider_slug:
            return offering_cost(offering, workload)
    return None
