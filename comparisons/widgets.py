"""The state of the pair page's widgets, computed from the pair's facts and the parsed query string.

Pure functions over `facts` dataclasses (no ORM): the view parses the forms, these decide what each region
shows, the template words it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import calculator, text
from .calculator import OfferingCost, Workload
from .facts import CapabilityRow, ModelFacts, OfferingFacts, PairFacts, PriceColumn, price_columns


@dataclass(frozen=True)
class CostRow:
    model: ModelFacts
    cost: OfferingCost | None
    total: Decimal | None  # rounded for display (calculator.round_cost)
    provider_chosen: bool  # a provider picked by the reader, rather than the cheapest
    by_provider: tuple[OfferingCost, ...] = ()  # every active priced provider, cheapest first


@dataclass(frozen=True)
class CostTable:
    workload: Workload
    rows: tuple[CostRow, ...]
    sentences: tuple[str, ...]

    @property
    def sentence(self) -> str:
        return " ".join(self.sentences)


def cost_table(pair: PairFacts, workload: Workload, providers: tuple[str, str]) -> CostTable:
    """Each model's monthly cost for the workload on its chosen (or cheapest) provider and on every provider,
    how the two compare (percentages from unrounded amounts), tier and context-tier notes, and break-even."""
    rows = []
    for model, provider in zip(pair.models, providers, strict=True):
        cost = calculator.chosen_cost(model.offerings, workload, provider)
        total = None if cost is None else calculator.round_cost(cost.total)
        rows.append(
            CostRow(
                model=model,
                cost=cost,
                total=total,
                provider_chosen=bool(provider),
                by_provider=tuple(calculator.all_costs(model.offerings, workload)),
            )
        )
    a, b = rows
    # A model whose providers all take shorter prompts has no cost for this workload, and the page says why.
    too_long = [
        text.prompt_too_long_sentence(row.model.name, workload.prompt_tokens, row.model.served_context_window)
        for row in rows
        if row.cost is None and row.by_provider and workload.prompt_tokens
    ]
    if too_long:
        sentences = too_long
    else:
        sentences = [
            text.workload_sentence(
                a.model.name,
                None if a.cost is None else a.cost.total,
                b.model.name,
                None if b.cost is None else b.cost.total,
            )
        ]
    sentences += text.workload_notes(
        workload.tier, [(row.model.name, row.cost) for row in rows if row.cost is not None]
    )
    if a.cost is not None and b.cost is not None and a.cost.total != b.cost.total:
        sentences.append(text.break_even_sentence(a.model.name, a.cost.total, b.model.name, b.cost.total))
    return CostTable(workload=workload, rows=tuple(rows), sentences=tuple(s for s in sentences if s))


@dataclass(frozen=True)
class ModelPricing:
    model: ModelFacts
    shown: tuple[OfferingFacts, ...]  # the offerings the filters keep
    cheapest: OfferingFacts | None  # over every tracked offering, whatever the filters
    columns: tuple[PriceColumn, ...] = ()


@dataclass(frozen=True)
class PricingView:
    models: tuple[ModelPricing, ...]
    filtered: bool
    shared_provider_count: int


def pricing_view(models: tuple[ModelFacts, ...], kinds: set[str], shared_only: bool) -> PricingView:
    """The offerings each model's pricing table lists under the filters (no kind ticked means every kind),
    active ones first, and the price columns they need."""
    shared = set.intersection(*({o.provider_slug for o in m.offerings} for m in models))
    result = []
    for model in models:
        shown = tuple(
            o
            for o in model.offerings
            if (not kinds or o.provider_kind_code in kinds) and (not shared_only or o.provider_slug in shared)
        )
        order = {id(o): i for i, o in enumerate(model.offerings_by_price)}
        shown = tuple(sorted(shown, key=lambda o: order[id(o)]))
        result.append(ModelPricing(model=model, shown=shown, cheapest=model.cheapest, columns=price_columns(shown)))
    return PricingView(models=tuple(result), filtered=bool(kinds) or shared_only, shared_provider_count=len(shared))


def present_kinds(models: tuple[ModelFacts, ...]) -> set[str]:
    return {o.provider_kind_code for m in models for o in m.offerings}


def capability_rows(pair: PairFacts, only_differences: bool) -> list[CapabilityRow]:
    """Every capability row, or only those where the two models' records differ (unknown counts as different)."""
    rows = pair.capability_rows
    if only_differences:
        rows = [row for row in rows if row.a != row.b]
    return rows
