"""Monthly cost of a workload on each offering: pure Decimal arithmetic over price rows, no ORM.

A workload is a month of tokens (given directly, or as requests per day x tokens per request over 30 days):
input, output and reasoning tokens, the share of input read from the prompt cache and the share written to
it, the service tier asked for (standard, batch, flex, priority) and the prompt length of one request, which
decides whether a context-tier price ("above 200K prompt tokens") applies. The default workload (7M input,
3M output, standard tier, no cache) is the 70/30 blend the page quotes, so its cost is 10x the blended price.

Where an offering lacks a price the workload asks for, the cost says so and uses the price that applies
instead: standard for a tier it does not offer, the input price for cache reads or writes without a price of
their own, the output price for reasoning tokens not billed apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

CENT = Decimal("0.01")
MICRODOLLAR = Decimal("0.000001")
TOKENS_PER_MILLION = Decimal(1_000_000)
DAYS_PER_MONTH = 30
TIERS = ("standard", "batch", "flex", "priority")


class PriceRow(Protocol):
    dimension: str
    tier: str
    threshold: int
    amount: Decimal


class Priced(Protocol):
    provider_name: str
    provider_slug: str
    prices: tuple[PriceRow, ...]
    is_active: bool
    served_context_window: int | None


@dataclass(frozen=True)
class Workload:
    input_millions: Decimal = Decimal(7)
    output_millions: Decimal = Decimal(3)
    reasoning_millions: Decimal = Decimal(0)
    cached_share: Decimal = Decimal(0)  # 0..1 of the input tokens, read from the cache
    cache_write_share: Decimal = Decimal(0)  # 0..1 of the input tokens, written to the cache
    tier: str = "standard"
    prompt_tokens: int | None = None  # one request's prompt length; None: short prompts (base context tier)
    requests_per_day: int | None = None  # set when the volume was given per request

    @classmethod
    def from_tokens(
        cls,
        input_tokens: int,
        output_tokens: int,
        cached_percent: Decimal = Decimal(0),
        batch: bool = False,
        *,
        reasoning_tokens: int = 0,
        cache_write_percent: Decimal = Decimal(0),
        tier: str = "",
        prompt_tokens: int | None = None,
    ) -> Workload:
        return cls(
            input_millions=Decimal(input_tokens) / TOKENS_PER_MILLION,
            output_millions=Decimal(output_tokens) / TOKENS_PER_MILLION,
            reasoning_millions=Decimal(reasoning_tokens) / TOKENS_PER_MILLION,
            cached_share=cached_percent / 100,
            cache_write_share=cache_write_percent / 100,
            tier=tier or ("batch" if batch else "standard"),
            prompt_tokens=prompt_tokens,
        )

    @classmethod
    def from_requests(
        cls,
        requests_per_day: int,
        input_per_request: int,
        output_per_request: int,
        *,
        reasoning_per_request: int = 0,
        cached_percent: Decimal = Decimal(0),
        cache_write_percent: Decimal = Decimal(0),
        tier: str = "standard",
    ) -> Workload:
        monthly = Decimal(requests_per_day * DAYS_PER_MONTH)
        return cls(
            input_millions=monthly * input_per_request / TOKENS_PER_MILLION,
            output_millions=monthly * output_per_request / TOKENS_PER_MILLION,
            reasoning_millions=monthly * reasoning_per_request / TOKENS_PER_MILLION,
            cached_share=cached_percent / 100,
            cache_write_share=cache_write_percent / 100,
            tier=tier,
            prompt_tokens=input_per_request,
            requests_per_day=requests_per_day,
        )

    @property
    def batch(self) -> bool:
        return self.tier == "batch"

    @property
    def input_tokens(self) -> int:
        return int(self.input_millions * TOKENS_PER_MILLION)

    @property
    def output_tokens(self) -> int:
        return int(self.output_millions * TOKENS_PER_MILLION)

    @property
    def reasoning_tokens(self) -> int:
        return int(self.reasoning_millions * TOKENS_PER_MILLION)

    @property
    def cached_percent(self) -> Decimal:
        return (self.cached_share * 100).normalize()

    @property
    def cache_write_percent(self) -> Decimal:
        return (self.cache_write_share * 100).normalize()


DEFAULT_WORKLOAD = Workload()


@dataclass(frozen=True)
class OfferingCost:
    provider_name: str
    provider_slug: str
    input_cost: Decimal
    cached_cost: Decimal
    output_cost: Decimal
    cache_write_cost: Decimal = Decimal(0)
    reasoning_cost: Decimal = Decimal(0)
    tier: str = "standard"  # the tier whose prices were used
    tier_fallback: bool = False  # the workload asked for a tier this offering does not offer
    context_threshold: int = 0  # the context tier applied (0: the base prices)
    cache_applied: bool = False  # cache reads billed at a cache-read price
    cache_write_applied: bool = False
    reasoning_billed_apart: bool = False
    fits: bool = True  # the prompt fits this provider's context window (or either is unknown)
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def total(self) -> Decimal:
        return self.input_cost + self.cached_cost + self.cache_write_cost + self.output_cost + self.reasoning_cost

    @property
    def batch_applied(self) -> bool:
        return self.tier == "batch"


def _prices(offering: Priced) -> dict[tuple[str, str, int], Decimal]:
    return {(p.dimension, p.tier, p.threshold): p.amount for p in offering.prices}


def _context_threshold(prices: dict[tuple[str, str, int], Decimal], tier: str, prompt_tokens: int | None) -> int:
    """The highest context tier of `tier` whose threshold the prompt exceeds (0: base prices)."""
    if not prompt_tokens:
        return 0
    crossed = [k[2] for k in prices if k[1] == tier and k[0] == "input" and 0 < k[2] < prompt_tokens]
    return max(crossed, default=0)


def offering_cost(offering: Priced, workload: Workload) -> OfferingCost | None:
    """Monthly USD cost on one offering; None when its standard input or output price is not sourced."""
    prices = _prices(offering)
    if ("input", "standard", 0) not in prices or ("output", "standard", 0) not in prices:
        return None
    notes: list[str] = []
    tier = workload.tier
    fallback = False
    if tier != "standard" and not ((("input", tier, 0) in prices) and (("output", tier, 0) in prices)):
        notes.append(f"no {tier} prices sourced: standard prices")
        tier, fallback = "standard", True
    threshold = _context_threshold(prices, tier, workload.prompt_tokens)
    standard_threshold = _context_threshold(prices, "standard", workload.prompt_tokens)
    if tier != "standard" and standard_threshold > threshold:
        notes.append(f"no {tier} price above {standard_threshold:,} prompt tokens sourced: {tier} base prices")

    def rate(dimension: str) -> Decimal | None:
        # A context tier lists the prices that change above it; others keep their base price. A service tier
        # without its own cache or reasoning price keeps the standard one.
        for key in ((dimension, tier, threshold), (dimension, tier, 0), (dimension, "standard", threshold)):
            if key in prices:
                return prices[key]
        return prices.get((dimension, "standard", 0))

    input_price, output_price = rate("input"), rate("output")
    assert input_price is not None and output_price is not None
    cached_millions = workload.input_millions * workload.cached_share
    write_millions = workload.input_millions * workload.cache_write_share
    uncached_millions = workload.input_millions - cached_millions - write_millions
    cache_price = rate("cache_read")
    cache_applied = cached_millions > 0 and cache_price is not None
    if cached_millions > 0 and cache_price is None:
        notes.append("no cached input price sourced: full input price")
    write_price = rate("cache_write_5m") or rate("cache_write_1h")
    write_applied = write_millions > 0 and write_price is not None
    if write_millions > 0 and write_price is None:
        notes.append("no cache write price sourced: input price")
    reasoning_price = rate("reasoning")
    if threshold:
        notes.append(f"prompt above {threshold:,} tokens: long-context prices")
    window = getattr(offering, "served_context_window", None)
    fits = not (workload.prompt_tokens and window and workload.prompt_tokens > window)
    if not fits:
        notes.append(f"the prompt is longer than the {window:,}-token context window here")
    return OfferingCost(
        provider_name=offering.provider_name,
        provider_slug=offering.provider_slug,
        input_cost=uncached_millions * input_price,
        cached_cost=cached_millions * (cache_price if cache_applied else input_price),
        cache_write_cost=write_millions * (write_price if write_applied else input_price),
        output_cost=workload.output_millions * output_price,
        reasoning_cost=workload.reasoning_millions * (reasoning_price if reasoning_price is not None else output_price),
        tier=tier,
        tier_fallback=fallback,
        context_threshold=threshold,
        cache_applied=cache_applied,
        cache_write_applied=write_applied,
        reasoning_billed_apart=reasoning_price is not None,
        fits=fits,
        notes=tuple(notes),
    )


def all_costs(offerings: Iterable[Priced], workload: Workload) -> list[OfferingCost]:
    """Every active priced offering's cost, cheapest first (ties: provider name); those the prompt does not
    fit come last."""
    costs = [offering_cost(o, workload) for o in offerings if o.is_active]
    return sorted((c for c in costs if c is not None), key=lambda c: (not c.fits, c.total, c.provider_name.lower()))


def cheapest_cost(offerings: Iterable[Priced], workload: Workload) -> OfferingCost | None:
    """The lowest monthly cost across the active offerings the prompt fits; None when none is priced or fits."""
    costs = [c for c in all_costs(offerings, workload) if c.fits]
    return costs[0] if costs else None


def chosen_cost(offerings: Iterable[Priced], workload: Workload, provider_slug: str = "") -> OfferingCost | None:
    """The cost on the named provider, or on the cheapest one when no provider is named."""
    if not provider_slug:
        return cheapest_cost(offerings, workload)
    for offering in offerings:
        if offering.provider_slug == provider_slug:
            return offering_cost(offering, workload)
    return None


def round_cost(amount: Decimal) -> Decimal:
    """A monthly bill to the cent (half up); an amount under a cent keeps its digits to the micro-dollar,
    so a tiny workload never reads as free."""
    if amount >= CENT:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return amount.quantize(MICRODOLLAR, rounding=ROUND_HALF_UP)


def break_even_scale(fixed_a: Decimal, unit_a: Decimal, fixed_b: Decimal, unit_b: Decimal) -> Decimal | None:
    """The volume multiple at which cost_a(v) = fixed_a + unit_a*v meets cost_b(v); None when the lines do not
    cross at a positive volume (one option is cheaper at every volume)."""
    if unit_a == unit_b:
        return None
    scale = (fixed_b - fixed_a) / (unit_a - unit_b)
    return scale if scale > 0 else None
