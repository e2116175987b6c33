"""What a social card says: the names and the headline figures of a page, as plain text.

The figures are the pages' own headline: standard-tier, base-context prices of the cheapest active offering
(70/30 blend, as the summary and meta description pick it) and the context window a reader can use.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import LanguageModel

from ..facts import ModelFacts
from ..text import NOT_SOURCED, format_price, format_tokens, plural

WIDTH = 1200
HEIGHT = 630
MAX_MODELS = 4
FOOTNOTE = "Standard prices per 1M tokens at the cheapest tracked provider. Every fact sourced."


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    missing: bool = False  # drawn muted: not yet sourced, or nothing to show


@dataclass(frozen=True)
class Column:
    heading: str
    subheading: str  # the maker
    figures: tuple[Figure, ...]
    note: str = ""  # where the prices come from, or why there are none; shown where there is room


@dataclass(frozen=True)
class Card:
    kicker: str
    title: str
    columns: tuple[Column, ...]
    footnote: str = FOOTNOTE
    alt: str = ""


def _price_figures(m: ModelFacts) -> tuple[Figure, Figure, str]:
    """Input and output figures, and where they come from."""
    cheapest = m.cheapest
    if cheapest is not None:
        assert cheapest.input_price is not None and cheapest.output_price is not None
        return (
            Figure("Input", format_price(cheapest.input_price)),
            Figure("Output", format_price(cheapest.output_price)),
            f"cheapest on {cheapest.provider_name}",
        )
    if m.is_retired:
        reason = "no current price"
    elif not m.active_offerings:
        reason = "no tracked provider"
    else:
        reason = NOT_SOURCED
    return Figure("Input", reason, missing=True), Figure("Output", reason, missing=True), ""


def model_column(m: ModelFacts) -> Column:
    input_figure, output_figure, where = _price_figures(m)
    context = m.usable_context_window
    context_figure = (
        Figure("Context", format_tokens(context)) if context else Figure("Context", NOT_SOURCED, missing=True)
    )
    lifecycle = "" if m.status == LanguageModel.Status.ACTIVE else str(LanguageModel.Status(m.status).label).lower()
    note = " · ".join(part for part in (lifecycle, where) if part)
    return Column(
        heading=m.name,
        subheading=m.organization_label,
        figures=(input_figure, output_figure, context_figure),
        note=note,
    )


def _figures_text(column: Column) -> str:
    return ", ".join(f"{f.label.lower()}: {f.value}" for f in column.figures)


def _alt(title: str, columns: tuple[Column, ...]) -> str:
    """The card's text alternative (og:image:alt): what it shows, in words."""
    if len(columns) == 1:
        (column,) = columns
        return f"{column.heading} ({column.subheading}): {_figures_text(column)}."
    return f"{title}. " + "; ".join(f"{c.heading}: {_figures_text(c)}" for c in columns) + "."


def model_card(m: ModelFacts) -> Card:
    column = model_column(m)
    providers = plural(m.provider_count, "tracked provider") if m.provider_count else ""
    note = " · ".join(part for part in (column.note, providers) if part)
    column = Column(heading=m.name, subheading=column.subheading, figures=column.figures, note=note)
    return Card(kicker="Model", title=m.name, columns=(column,), alt=_alt(m.name, (column,)))


def comparison_card(models: tuple[ModelFacts, ...]) -> Card:
    """A pair or a 3-4 model comparison, in page order."""
    columns = tuple(model_column(m) for m in models[:MAX_MODELS])
    title = " vs ".join(m.name for m in models)
    return Card(kicker="Comparison", title=title, columns=columns, alt=_alt(title, columns))
