"""A server-rendered SVG bar chart of a page's prices across providers, built as plain data.

The template draws the shapes; text reaches the SVG only through the template's autoescaping. Coordinates are
layout (floats), never money: the amounts shown as text are formatted from the Decimal prices.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .facts import ModelFacts
from .text import format_token_count, format_usd, plural

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


# --- The explorer's scatter: standard input price against context window, both on log scales. -----------------

SCATTER_WIDTH = 640
SCATTER_HEIGHT = 380
PLOT_LEFT = 78  # room for the price labels
PLOT_RIGHT = 16
PLOT_TOP = 14
PLOT_BOTTOM = 56  # room for the context labels and the axis title
POINT_RADIUS = 6


@dataclass(frozen=True)
class ScatterItem:
    """What the scatter needs of one model (plain values: the explorer's rows, or a test's)."""

    name: str
    url: str
    price: Decimal | None  # the stored headline: cheapest standard input price, USD per 1M tokens
    context_window: int | None


@dataclass(frozen=True)
class Tick:
    position: str  # a coordinate on its axis, as written into the SVG
    label: str


@dataclass(frozen=True)
class ScatterPoint:
    name: str
    url: str
    cx: str
    cy: str
    label: str  # the point's accessible name: the model and both values


@dataclass(frozen=True)
class ScatterChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    points: tuple[ScatterPoint, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    title: str
    description: str
    not_plotted: tuple[str, ...]  # one sentence per reason a result is left out, with its count

    @property
    def x_title_x(self) -> str:
        return _coordinate((self.plot_left + self.plot_right) / 2)

    @property
    def y_title_y(self) -> str:
        return _coordinate((self.plot_top + self.plot_bottom) / 2)


def log_ticks(low: Decimal, high: Decimal) -> tuple[Decimal, ...]:
    """Tick values of a log axis covering [low, high] (both > 0): the powers of ten from the one at or below
    `low` to the one at or above `high` (at least two), with 2 and 5 between them when that spans one decade."""
    if low <= 0 or high < low:
        raise ValueError("a log axis needs 0 < low <= high")
    first = _floor_exponent(low)
    last = max(_ceil_exponent(high), first + 1)
    decades = [Decimal(10) ** e for e in range(first, last + 1)]
    if last - first > 1:
        return tuple(decades)
    lo, hi = decades
    return (lo, lo * 2, lo * 5, hi)


def _floor_exponent(value: Decimal) -> int:
    """The largest e with 10**e <= value (exact: Decimal's adjusted exponent is the decimal point's place)."""
    return value.normalize().adjusted()


def _ceil_exponent(value: Decimal) -> int:
    floor = _floor_exponent(value)
    return floor if Decimal(10) ** floor == value else floor + 1


def _log_position(value: Decimal, low: Decimal, high: Decimal, start: float, length: float) -> float:
    # Layout only: a coordinate is a float, the amounts shown stay Decimal.
    span = math.log10(high) - math.log10(low)
    return start + (math.log10(value) - math.log10(low)) / span * length


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def _format_tick_price(value: Decimal) -> str:
    return format_usd(value) if value < 1 else f"${value:,.0f}"


def scatter_chart(items: Sequence[ScatterItem]) -> ScatterChart | None:
    """The scatter of these models; None when none of them has both a price and a context window to plot.

    A model without a sourced price or context window, or priced at $0 (a log scale has no zero), is not
    plotted; the chart says how many of each were left out.
    """
    unpriced = [i for i in items if i.price is None]
    free = [i for i in items if i.price is not None and i.price == 0]
    no_context = [i for i in items if i.price and not i.context_window]
    plotted = [i for i in items if i.price and i.context_window]
    not_plotted = []
    if unpriced:
        verb = "is" if len(unpriced) == 1 else "are"
        not_plotted.append(f"{plural(len(unpriced), 'model')} without a sourced price {verb} not plotted.")
    if no_context:
        verb = "is" if len(no_context) == 1 else "are"
        not_plotted.append(f"{plural(len(no_context), 'model')} without a sourced context window {verb} not plotted.")
    if free:
        verb = "is" if len(free) == 1 else "are"
        not_plotted.append(f"{plural(len(free), 'model')} priced at $0 {verb} not plotted (a log scale has no zero).")
    if not plotted:
        return None
    prices = [i.price for i in plotted]
    contexts = [Decimal(i.context_window) for i in plotted]
    y_ticks = log_ticks(min(prices), max(prices))
    x_ticks = log_ticks(min(contexts), max(contexts))
    left, right = PLOT_LEFT, SCATTER_WIDTH - PLOT_RIGHT
    top, bottom = PLOT_TOP, SCATTER_HEIGHT - PLOT_BOTTOM

    def x(value: Decimal) -> float:
        return _log_position(value, x_ticks[0], x_ticks[-1], left, right - left)

    def y(value: Decimal) -> float:
        return _log_position(value, y_ticks[0], y_ticks[-1], bottom, top - bottom)

    points = tuple(
        ScatterPoint(
            name=i.name,
            url=i.url,
            cx=_coordinate(x(Decimal(i.context_window))),
            cy=_coordinate(y(i.price)),
            label=(
                f"{i.name}: {format_usd(i.price)} input per 1M tokens, {format_token_count(i.context_window)} context"
            ),
        )
        for i in plotted
    )
    return ScatterChart(
        width=SCATTER_WIDTH,
        height=SCATTER_HEIGHT,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
        points=points,
        x_ticks=tuple(Tick(_coordinate(x(t)), format_token_count(int(t))) for t in x_ticks),
        y_ticks=tuple(Tick(_coordinate(y(t)), _format_tick_price(t)) for t in y_ticks),
        title=f"Input price against context window, {plural(len(points), 'model')}",
        description=(
            "Each dot is a model of these results and links to its page: across, its context window in tokens; "
            "up, its cheapest standard input price in USD per 1M tokens; both axes on log scales. "
            "The table lists the same models with their figures."
        ),
        not_plotted=tuple(not_plotted),
    )


def explorer_scatter(models: Iterable) -> ScatterChart | None:
    """The scatter of the explorer's current page of results (LanguageModel rows, already loaded)."""
    return scatter_chart(
        [
            ScatterItem(name=m.name, url=m.get_absolute_url(), price=m.min_input_price, context_window=m.context_window)
            for m in models
        ]
    )
