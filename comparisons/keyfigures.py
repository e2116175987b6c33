"""The pair page's key figures: five facts of each model side by side, each with its winner or why there is none.

Pure functions over the facts dataclasses (no ORM, no HTML): the template shows them as cards above the fold.
A figure has a winner only when both values are known and differ (sizes: by more than 5%); otherwise it says
the values are the same, or which one is not yet sourced. Prices compare the headline figures (standard tier,
base context tier, active offerings, the 70/30 input/output blend), as the summary does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import text
from .facts import ModelFacts, PairFacts

# A value is shown, not yet sourced, or does not exist (a retired model has no price: "none", with words).
VALUE, UNSOURCED, NONE = "value", "unsourced", "none"

WIN_WORDS = {
    "price": "cheaper",
    "context": "larger",
    "max_output": "longer",
    "license": "more open",
    "status": "active",
}
LICENSE_OPENNESS = {"open_source": 2, "open_weights": 1, "proprietary": 0}
STATUS_RANK = {"active": 2, "deprecated": 1, "retired": 0}


@dataclass(frozen=True)
class FigureValue:
    name: str  # the model's name
    state: str  # VALUE, UNSOURCED or NONE
    text: str = ""  # the value ('$0.10 / $0.40', '128K tokens'), or for NONE why there is none
    detail: str = ""  # a short qualifier under the value ('input / output on Fireworks AI')


@dataclass(frozen=True)
class KeyFigure:
    key: str
    label: str
    values: tuple[FigureValue, FigureValue]
    winner: str | None  # the winning model's name
    verdict: str  # the comparison in words: who wins and by how much, or why nobody does
    win_word: str = ""  # what the winner is, in a word or two: 'cheaper', 'larger'

    def __post_init__(self) -> None:
        if not self.win_word:
            object.__setattr__(self, "win_word", WIN_WORDS[self.key])


def _price_value(m: ModelFacts) -> FigureValue:
    cheapest = m.cheapest
    if cheapest is not None:
        assert cheapest.input_price is not None and cheapest.output_price is not None
        return FigureValue(
            m.name,
            VALUE,
            f"{text.format_usd(cheapest.input_price)} / {text.format_usd(cheapest.output_price)}",
            f"input / output per 1M on {cheapest.provider_name}",
        )
    if m.is_retired:
        return FigureValue(m.name, NONE, "retired: no provider")
    if m.provider_count == 0:
        return FigureValue(m.name, NONE, "no tracked provider")
    return FigureValue(m.name, UNSOURCED)


def _no_price_reason(m: ModelFacts) -> str:
    if m.is_retired:
        return f"{m.name} is retired"
    if m.provider_count == 0:
        return f"{m.name} has no tracked provider"
    return f"{m.name}'s standard price is {text.NOT_SOURCED}"


def price_figure(a: ModelFacts, b: ModelFacts) -> KeyFigure:
    values = (_price_value(a), _price_value(b))
    oa, ob = a.cheapest, b.cheapest
    if oa is None or ob is None:
        reasons = [_no_price_reason(m) for m, o in ((a, oa), (b, ob)) if o is None]
        return KeyFigure("price", "Cheapest price", values, None, f"No winner: {text.join_words(reasons)}.")
    gap = text.price_gap(a.name, oa.blended_price, b.name, ob.blended_price)
    if gap.kind == "same":
        return KeyFigure("price", "Cheapest price", values, None, f"The same at a {text.BLEND} blend.")
    if gap.kind == "free":
        return KeyFigure("price", "Cheapest price", values, gap.cheaper, f"{gap.cheaper} is listed free.")
    multiple = f", {gap.dearer} costs {gap.multiple} as much" if gap.multiple else ""
    verdict = f"{gap.cheaper} is {gap.percent} cheaper at a {text.BLEND} input/output blend{multiple}."
    return KeyFigure("price", "Cheapest price", values, gap.cheaper, verdict)


Sized = tuple[ModelFacts, int | None, str]  # a model, its size (tokens) and a qualifier


def _size_value(sized: Sized) -> FigureValue:
    m, size, detail = sized
    return FigureValue(m.name, VALUE, text.format_tokens(size), detail) if size else FigureValue(m.name, UNSOURCED)


def _size_figure(key: str, label: str, noun: str, larger: str, a: Sized, b: Sized) -> KeyFigure:
    """A figure where more is better (context window, max output)."""
    values = (_size_value(a), _size_value(b))
    (ma, sa, _), (mb, sb, _) = a, b
    if not sa or not sb:
        missing = [m.name for m, size, _ in (a, b) if not size]
        whose = " and ".join(f"{name}'s" for name in missing)
        verb = "is" if len(missing) == 1 else "are"
        return KeyFigure(key, label, values, None, f"No winner: {whose} {noun} {verb} {text.NOT_SOURCED}.")
    if sa == sb:
        return KeyFigure(key, label, values, None, "The same.")
    if text.about_the_same(sa, sb):
        return KeyFigure(key, label, values, None, "About the same (within 5%).")
    big, big_size, small_size = (ma, sa, sb) if sa > sb else (mb, sb, sa)
    multiple = text.format_multiple(Decimal(small_size), Decimal(big_size))
    times = f" ({multiple} as much)" if multiple else ""
    return KeyFigure(key, label, values, big.name, f"{big.name} {larger}{times}.")


def context_figure(a: ModelFacts, b: ModelFacts) -> KeyFigure:
    """What a reader can use: the served window where every tracked provider serves less than the maker says."""

    def sized(m: ModelFacts) -> Sized:
        detail = ""
        if m.served_context_differs and m.context_window:
            detail = f"as served; {m.organization_name} publishes {text.format_token_count(m.context_window)}"
        return (m, m.usable_context_window, detail)

    return _size_figure(
        "context", "Context window", "context window", "has the larger context window", sized(a), sized(b)
    )


def max_output_figure(a: ModelFacts, b: ModelFacts) -> KeyFigure:
    return _size_figure(
        "max_output",
        "Max output",
        "max output",
        "allows the longer answers",
        (a, a.max_output_tokens, ""),
        (b, b.max_output_tokens, ""),
    )


def license_figure(a: ModelFacts, b: ModelFacts) -> KeyFigure:
    def value(m: ModelFacts) -> FigureValue:
        if m.license_kind is None:
            return FigureValue(m.name, UNSOURCED)
        label = m.license_kind_label or ""
        named = m.license_name if m.license_name and m.license_name.lower() != label.lower() else ""
        return FigureValue(m.name, VALUE, label, named)

    values = (value(a), value(b))
    ka, kb = LICENSE_OPENNESS.get(a.license_kind or ""), LICENSE_OPENNESS.get(b.license_kind or "")
    if ka is None or kb is None:
        missing = [m.name for m, k in ((a, ka), (b, kb)) if k is None]
        whose = " and ".join(f"{name}'s" for name in missing)
        verb = "is" if len(missing) == 1 else "are"
        return KeyFigure("license", "License", values, None, f"No winner: {whose} license {verb} {text.NOT_SOURCED}.")
    if ka == kb:
        return KeyFigure("license", "License", values, None, f"Both {(a.license_kind_label or '').lower()}.")
    more, less = (a, b) if ka > kb else (b, a)
    return KeyFigure(
        "license",
        "License",
        values,
        more.name,
        f"{more.name} is more open: {(more.license_kind_label or '').lower()} against "
        f"{(less.license_kind_label or '').lower()}.",
    )


def status_figure(a: ModelFacts, b: ModelFacts) -> KeyFigure:
    def value(m: ModelFacts) -> FigureValue:
        detail = ""
        if m.deprecation_date:
            when = "retired on" if m.status == "retired" else "deprecation date"
            detail = f"{when} {text.format_date(m.deprecation_date)}"
        return FigureValue(m.name, VALUE, m.status.capitalize(), detail)

    values = (value(a), value(b))
    ra, rb = STATUS_RANK.get(a.status, 0), STATUS_RANK.get(b.status, 0)
    if ra == rb:
        return KeyFigure("status", "Status", values, None, f"Both {a.status}.")
    ahead, behind = (a, b) if ra > rb else (b, a)
    return KeyFigure(
        "status",
        "Status",
        values,
        ahead.name,
        f"{ahead.name} is {ahead.status}; {behind.name} is {behind.status}.",
        win_word="active" if ahead.status == "active" else "not retired",
    )


def key_figures(pair: PairFacts) -> tuple[KeyFigure, ...]:
    a, b = pair.a, pair.b
    return (
        price_figure(a, b),
        context_figure(a, b),
        max_output_figure(a, b),
        license_figure(a, b),
        status_figure(a, b),
    )


FIGURE_NOUNS = {
    "price": "price",
    "context": "context window",
    "max_output": "max output",
    "license": "license",
    "status": "status",
}


def verdict(figures: tuple[KeyFigure, ...], names: tuple[str, str]) -> str:
    """'Llama 3.2 1B leads on price and license, o4-mini on context window and max output.' from the winners."""
    leads = {name: [FIGURE_NOUNS[f.key] for f in figures if f.winner == name] for name in names}
    parts = [(name, nouns) for name, nouns in leads.items() if nouns]
    if not parts:
        return "Neither model leads on any of these figures."
    first_name, first_nouns = parts[0]
    sentence = f"{first_name} leads on {text.join_words(first_nouns)}"
    if len(parts) > 1:
        second_name, second_nouns = parts[1]
        sentence += f", {second_name} on {text.join_words(second_nouns)}"
    else:
        other = names[1] if first_name == names[0] else names[0]
        sentence += f"; {other} leads on none"
    return f"{sentence}."
