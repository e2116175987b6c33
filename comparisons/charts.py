"""A server-rendered SVG bar chart of a page's prices across providers, built as plain data.

The template draws the shapes; text reaches the SVG only through the template's autoescaping. Coordinates are
layout (floats), never money: the amounts shown as text are formatted from the Decimal prices.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .facts import ModelFacts
from .text import format_usd

WIDTH = 400
BAR_MAX = 310  # leaves room for the amount written after the longest bar
BAR_HEIGHT = 10
ROW_HEIGHT = 46
HEADING_HEIGHT = 28
LEGEND_HEIGHT = 26
MAX_ROWS_PER_MODEL = 10
MAX_LABEL = 44


@dataclass(frozen=True)
class ChartBar:
    kind: str  # "input" or "output"
    y: float
    width: float
    text_x: float
    text_y: float
    text: str


@dataclass(frozen=True)
class ChartRow:
    label: str
    label_y: float
    bars: tuple[ChartBar, ...]
    note: str  # shown instead of bars when a price is missing


@dataclass(frozen=True)
class ChartGroup:
    heading: str
    heading_y: float
    rows: tuple[ChartRow, ...]
    hidden: int  # offerings left out to keep the chart readable (the table lists them all)
    hidden_y: float


@dataclass(frozen=True)
class PriceChart:
    width: int
    height: float
    groups: tuple[ChartGroup, ...]
    title: str
    description: str


def _truncate(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "\u2026"


def _bar(kind: str, price: Decimal, scale: Decimal, y: float) -> ChartBar:
    width = float(price / scale * BAR_MAX) if scale > 0 else 0.0
    if price > 0:
        width = max(width, 1.5)  # a tiny positive price stays visible
    width = round(width, 1)
    return ChartBar(
        kind=kind,
        y=y,
        width=width,
        text_x=round(width + 5, 1),
        text_y=y + BAR_HEIGHT - 1,
        text=format_usd(price),
    )


def _cheapest_input_first(offerings):
    """Active offerings by standard input price (unpriced last), then retired ones: the order the caption says."""
    return sorted(
        offerings,
        key=lambda o: (not o.is_active, o.input_price is None, o.input_price or 0, o.provider_name.lower()),
    )


def price_chart(models: list[ModelFacts]) -> PriceChart | None:
    """Input and output price bars per provider, grouped by model; None when no offering is tracked."""
    if not any(m.offerings for m in models):
        return None
    shown = {m.slug: list(_cheapest_input_first(m.offerings))[:MAX_ROWS_PER_MODEL] for m in models}
    prices = [
        price
        for offerings in shown.values()
        for o in offerings
        for price in (o.input_price, o.output_price)
        if price is not None
    ]
    scale = max(prices, default=Decimal(0))
    y = float(LEGEND_HEIGHT)
    groups = []
    for m in models:
        heading_y = y + 18
        y += HEADING_HEIGHT
        rows = []
        if not m.offerings:
            rows.append(ChartRow(label="No tracked provider yet", label_y=y + 12, bars=(), note=""))
            y += 22
        for offering in shown[m.slug]:
            label_y = y + 12
            if offering.input_price is None or offering.output_price is None:
                rows.append(
                    ChartRow(
                        label=_truncate(offering.provider_name),
                        label_y=label_y,
                        bars=(),
                        note="price not yet sourced",
                    )
                )
                y += 22
                continue
            bars = (
                _bar("input", offering.input_price, scale, y + 17),
                _bar("output", offering.output_price, scale, y + 17 + BAR_HEIGHT + 3),
            )
            rows.append(ChartRow(label=_truncate(offering.provider_name), label_y=label_y, bars=bars, note=""))
            y += ROW_HEIGHT
        hidden = len(m.offerings) - len(shown[m.slug])
        hidden_y = y + 12
        if hidden:
            y += 20
        groups.append(
            ChartGroup(
                heading=_truncate(m.name), heading_y=heading_y, rows=tuple(rows), hidden=hidden, hidden_y=hidden_y
            )
        )
    names = " and ".join(m.name for m in models)
    return PriceChart(
        width=WIDTH,
        height=y + 6,
        groups=tuple(groups),
        title=f"Prices of {names} by provider",
        description=(
            "Bars show the input and output price in USD per 1M tokens on each tracked provider, "
            f"cheapest input first (at most {MAX_ROWS_PER_MODEL} providers per model)."
        ),
    )
