"""The words of the comparison pages, decided by pure functions over the facts dataclasses.

No ORM, no HTML: every function returns plain strings (templates escape them). A claim appears only when the
stored facts support it; a missing fact is named as not yet sourced, never guessed. Prices quoted in the
summary and deep dive are each model's cheapest tracked provider at a 70/30 input/output blend, and the
sentences name that provider.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from .calculator import round_cost
from .facts import INPUT_SHARE, ModelFacts, OfferingFacts, PageFacts, PairFacts, SourceRef

NOT_SOURCED = "not yet sourced"

# How capabilities read inside a sentence ("Only o4-mini supports vision").
CAPABILITY_PHRASES = {
    "vision": "vision (image understanding)",
    "multimodal": "multimodal input",
    "reasoning": "a reasoning mode",
    "function_calling": "function calling",
    "tool_use": "tool use",
    "structured_outputs": "structured outputs",
    "code_execution": "code execution",
}
# The FAQ asks "Which is better for ...?" only for these, and only when both answers are sourced.
FAQ_CAPABILITIES = {
    "vision": "vision",
    "multimodal": "multimodal input",
    "reasoning": "reasoning",
    "function_calling": "function calling",
}


# --- formatting -------------------------------------------------------------------------------------------


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """'1 provider', '0 providers', '4 providers'."""
    word = noun if count == 1 else (plural_noun or f"{noun}s")
    return f"{count} {word}"


def join_words(items: list[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' (or 'a, b or c')."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def format_usd(amount: Decimal) -> str:
    """'$0.10', '$0.075', '$2.50', '$1,234.00': at least cents, more digits only when the value has them."""
    quantized = amount.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP).normalize()
    exponent = quantized.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"${amount:,.{places}f}"


def format_price(amount: Decimal) -> str:
    """A per-token price: '$0.10 / 1M'."""
    return f"{format_usd(amount)} / 1M"


def _trim(value: Decimal, places: int) -> str:
    text = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_token_count(tokens: int) -> str:
    """'128K' (128,000), '1M' (1,000,000), '1.05M' (1,047,576), and binary units only for exact multiples of
    1,024 that are not round thousands, as makers advertise them: '128K' (131,072), '1M' (1,048,576)."""
    base = 1024 if tokens % 1000 and tokens % 1024 == 0 else 1000
    if tokens >= base * base:
        return f"{_trim(Decimal(tokens) / (base * base), 2)}M"
    if tokens >= base:
        return f"{_trim(Decimal(tokens) / base, 1)}K"
    return f"{tokens:,}"


def about_the_same(a: int | Decimal, b: int | Decimal, tolerance: Decimal = Decimal("0.05")) -> bool:
    """Whether two positive quantities are within 5% of the larger one (then no sentence calls one larger)."""
    high, low = max(a, b), min(a, b)
    return high == low or (high > 0 and Decimal(high - low) / Decimal(high) <= tolerance)


def format_tokens(tokens: int) -> str:
    return f"{format_token_count(tokens)} tokens"


def format_parameters(count: int) -> str:
    """'1.23B', '70B', '1.8T', '350M'."""
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M")):
        if count >= size:
            return f"{_trim(Decimal(count) / size, 2)}{suffix}"
    return f"{count:,}"


def format_date(value: datetime.date) -> str:
    return value.isoformat()


def trust_label(ref: SourceRef) -> str:
    """How the facts behind a citation were approved: "reviewed 2026-11-20" (by a person), "imported from
    models.dev on 2026-11-20" (applied from an import without a person's review), both (a source list entry
    whose facts were approved either way), or "" when no record says."""
    parts = []
    if ref.reviewed_on:
        parts.append(f"reviewed {format_date(ref.reviewed_on)}")
    if ref.imported_on:
        origin = f"from {ref.publisher} " if ref.publisher else ""
        parts.append(f"imported {origin}on {format_date(ref.imported_on)}")
    return "; ".join(parts)


def imported_note(page: PageFacts, shown: int = 3) -> str:
    """Beside "Last reviewed": the page's imported facts, which that date never counts, or ""."""
    if page.last_imported is None:
        return ""
    names = list(page.imported_from[:shown])
    if len(page.imported_from) > shown:
        names.append(f"{len(page.imported_from) - shown} more")
    origin = f" from {join_words(names)}" if names else ""
    return (
        f"Facts imported{origin} without a person's review (the newest on {format_date(page.last_imported)}) "
        "are marked as imported in the sources."
    )


def capability_word(value: bool | None) -> str:
    if value is None:
        return "Not yet sourced"
    return "Supported" if value else "Not supported"


def format_percent(low: Decimal, high: Decimal) -> str:
    """How much cheaper `low` is than `high`, for 0 < low < high: '80%', '99.9%', 'over 99.9%', 'under 0.1%'."""
    percent = (high - low) / high * 100
    whole = percent.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if 0 < whole < 100:
        return f"{whole}%"
    one_place = percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if one_place >= 100:
        return "over 99.9%"
    if one_place <= 0:
        return "under 0.1%"
    return f"{one_place}%"


def format_multiple(low: Decimal, high: Decimal) -> str | None:
    """'5x', '9.5x', '1000x' for 0 < low < high; None when the gap is too small for a multiple to help."""
    ratio = high / low
    if ratio < Decimal("1.5"):
        return None
    if ratio < 10:
        return f"{_trim(ratio, 1)}x"
    return f"{ratio.quantize(Decimal(1), rounding=ROUND_HALF_UP)}x"


def article(phrase: str) -> str:
    """'a' or 'an' for the spoken start of the phrase ('an 8B-parameter', 'an open-weights', 'a 1.23B')."""
    first = phrase.split(" ", 1)[0].lower()
    if not first:
        return "a"
    if first[0].isdigit():
        digits = ""
        for char in first:
            if not char.isdigit():
                break
            digits += char
        return "an" if digits.startswith("8") or digits in {"11", "18"} else "a"
    return "an" if first[0] in "aeio" else "a"


# --- statements -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceGap:
    """How two prices compare; `cheaper`/`dearer` are model names, None when the prices are equal or unknown."""

    kind: str  # "missing", "same", "free", "cheaper"
    cheaper: str | None = None
    dearer: str | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    percent: str | None = None
    multiple: str | None = None


def price_gap(name_a: str, price_a: Decimal | None, name_b: str, price_b: Decimal | None) -> PriceGap:
    if price_a is None or price_b is None:
        return PriceGap("missing")
    if price_a == price_b:
        return PriceGap("same", low=price_a, high=price_b)
    if price_a < price_b:
        cheaper, low, dearer, high = name_a, price_a, name_b, price_b
    else:
        cheaper, low, dearer, high = name_b, price_b, name_a, price_a
    if low == 0:
        return PriceGap("free", cheaper=cheaper, dearer=dearer, low=low, high=high)
    return PriceGap(
        "cheaper",
        cheaper=cheaper,
        dearer=dearer,
        low=low,
        high=high,
        percent=format_percent(low, high),
        multiple=format_multiple(low, high),
    )


def _as_much(gap: PriceGap) -> str:
    """'; o4-mini costs 5x as much' when the gap is large enough for a multiple to help."""
    return f"; {gap.dearer} costs {gap.multiple} as much" if gap.multiple else ""


def _where(offering: OfferingFacts) -> str:
    return f"on {offering.provider_name}"


def _standard_prices(m: ModelFacts, offering: OfferingFacts) -> str:
    """'o4-mini costs $1.10 / 1M input and $4.40 / 1M output on OpenAI API'."""
    assert offering.input_price is not None and offering.output_price is not None
    return (
        f"{m.name} costs {format_price(offering.input_price)} input and {format_price(offering.output_price)} output "
        f"{_where(offering)}"
    )


def _no_price_reason(m: ModelFacts) -> str:
    if m.is_retired:
        return f"{m.name} is retired"
    if m.provider_count == 0:
        return f"{m.name} is not tracked on any provider"
    return f"a standard input and output price for {m.name} is {NOT_SOURCED}"


def price_summary_sentence(a: ModelFacts, b: ModelFacts) -> str:
    """The page's one statement of the price gap: standard-tier list prices at each model's cheapest active
    provider, and how their 70/30 blends compare. A retired model is never called the cheaper choice."""
    oa, ob = a.cheapest, b.cheapest
    if oa is None or ob is None:
        reasons = [_no_price_reason(m) for m, o in ((a, oa), (b, ob)) if o is None]
        return f"Prices are not compared: {join_words(reasons)}."
    assert oa.blended_price is not None and ob.blended_price is not None
    quoted = f"At standard real-time prices, {_standard_prices(a, oa)}; {_standard_prices(b, ob)}"
    gap = price_gap(a.name, oa.blended_price, b.name, ob.blended_price)
    if gap.kind == "same":
        return f"{quoted}: the same at a {BLEND} input/output blend."
    if gap.kind == "free":
        return f"{quoted}: {gap.cheaper} is listed free."
    blends = f"{format_usd(gap.low)} against {format_usd(gap.high)} per 1M blended tokens"
    return (
        f"{quoted}: {gap.cheaper} is {gap.percent} cheaper at a {BLEND} input/output blend ({blends}{_as_much(gap)})."
    )


BLEND = f"{int(INPUT_SHARE * 100)}/{100 - int(INPUT_SHARE * 100)}"


def lifecycle_sentence(m: ModelFacts) -> str:
    """'It was retired on 2025-06-30; its successor is Gemini 2.5 Pro.' Empty for an active model."""
    successor = f"; its successor is {m.successor_name}" if m.successor_name else ""
    if m.status == "retired":
        when = f" on {format_date(m.deprecation_date)}" if m.deprecation_date else ""
        return f"It was retired{when}{successor}."
    if m.status == "deprecated":
        when = f" (deprecation date {format_date(m.deprecation_date)})" if m.deprecation_date else ""
        return f"It is deprecated{when}{successor}."
    return ""


def model_identity(m: ModelFacts, *, lifecycle: bool = True) -> str:
    """'Llama 3.2 1B is a 1.23B-parameter open-weights model from AI at Meta, released on 2024-09-25.'

    `lifecycle=False` leaves out the deprecation sentence, for pages that show the status in a banner."""
    words: list[str] = []
    if m.parameter_count:
        words.append(f"{format_parameters(m.parameter_count)}-parameter")
    if m.license_kind == "open_weights":
        words.append("open-weights")
    elif m.license_kind == "open_source":
        words.append("open-source")
    elif m.license_kind == "proprietary":
        words.append("proprietary")
    words.append("reasoning model" if m.capability("reasoning") is True else "model")
    phrase = " ".join(words)
    if m.capability("vision") is True:
        phrase += " with vision"
    released = f"released on {format_date(m.release_date)}" if m.release_date else f"release date {NOT_SOURCED}"
    sentence = f"{m.name} is {article(phrase)} {phrase} from {m.organization_label}, {released}."
    status = lifecycle_sentence(m) if lifecycle else ""
    return f"{sentence} {status}" if status else sentence


def providers_sentence(a: ModelFacts, b: ModelFacts) -> str:
    counts = {m.name: m.provider_count for m in (a, b)}
    if not any(counts.values()):
        return f"Neither {a.name} nor {b.name} is served by a tracked provider."
    if not all(counts.values()):
        tracked, untracked = (b, a) if a.provider_count == 0 else (a, b)
        why = "it is retired" if untracked.is_retired else "it is not tracked on any provider yet"
        served = plural(tracked.provider_count, "tracked provider")
        return f"{tracked.name} is served by {served}; {untracked.name} by none ({why})."
    if a.provider_count == b.provider_count:
        return f"Both are served by {plural(a.provider_count, 'tracked provider')}."
    return (
        f"{a.name} is served by {plural(a.provider_count, 'tracked provider')} and "
        f"{b.name} by {plural(b.provider_count, 'tracked provider')}."
    )


def summary(pair: PairFacts) -> list[str]:
    """The opening paragraph, as sentences: who they are, the price gap once, where they run."""
    a, b = pair.a, pair.b
    return [
        model_identity(a, lifecycle=False),
        model_identity(b, lifecycle=False),
        price_summary_sentence(a, b),
        providers_sentence(a, b),
    ]


def capability_differences(a: ModelFacts, b: ModelFacts) -> str:
    only: dict[str, list[str]] = {a.name: [], b.name: []}
    unknown: dict[str, list[str]] = {a.name: [], b.name: []}
    both: list[str] = []
    neither: list[str] = []
    for name, phrase in CAPABILITY_PHRASES.items():
        va, vb = a.capability(name), b.capability(name)
        if va is True and vb is True:
            both.append(phrase)
        elif va is False and vb is False:
            neither.append(phrase)
        elif va is True and vb is False:
            only[a.name].append(phrase)
        elif vb is True and va is False:
            only[b.name].append(phrase)
        if va is None:
            unknown[a.name].append(phrase)
        if vb is None:
            unknown[b.name].append(phrase)
    sentences = []
    differ = any(only.values())
    if not differ and (both or neither):
        any_unknown = any(unknown.values())
        sentences.append(
            "Where both are sourced, their capabilities do not differ."
            if any_unknown
            else "Their capabilities do not differ."
        )
    for model_name, phrases in only.items():
        if phrases:
            sentences.append(f"Only {model_name} supports {join_words(phrases)}.")
    if both:
        sentences.append(f"Both support {join_words(both)}.")
    if neither:
        sentences.append(f"Neither supports {join_words(neither, 'or')}.")
    if unknown[a.name] and unknown[a.name] == unknown[b.name]:
        phrases = unknown[a.name]
        if len(phrases) == len(CAPABILITY_PHRASES):
            sentences.append(f"The capabilities of both are {NOT_SOURCED}.")
        else:
            verb = "is" if len(phrases) == 1 else "are"
            sentences.append(f"For both, {join_words(phrases)} {verb} {NOT_SOURCED}.")
        unknown = {}
    for model_name, phrases in unknown.items():
        if len(phrases) == len(CAPABILITY_PHRASES):
            sentences.append(f"{model_name}'s capabilities are {NOT_SOURCED}.")
        elif phrases:
            verb = "is" if len(phrases) == 1 else "are"
            sentences.append(f"For {model_name}, {join_words(phrases)} {verb} {NOT_SOURCED}.")
    return " ".join(sentences)


def _served_note(m: ModelFacts) -> str:
    """' as served by its tracked providers (Meta publishes 10M)' when every provider serves less."""
    if not m.served_context_differs:
        return ""
    assert m.context_window is not None
    return (
        f" as served by its tracked providers ({m.organization_name} publishes {format_token_count(m.context_window)})"
    )


def context_phrase(m: ModelFacts) -> str:
    """'128K tokens', or '320K tokens as served by its tracked providers (Meta publishes 10M)'."""
    window = m.usable_context_window
    assert window is not None
    return f"{format_tokens(window)}{_served_note(m)}"


def context_sentence(a: ModelFacts, b: ModelFacts) -> str:
    """Compares what can be used: the served window where every provider serves less than the maker's."""
    ca, cb = a.usable_context_window, b.usable_context_window
    if ca is None and cb is None:
        return f"The context windows of both models are {NOT_SOURCED}."
    if ca is None or cb is None:
        known, unknown = (a, b) if ca is not None else (b, a)
        return f"{known.name}'s context window is {context_phrase(known)}; {unknown.name}'s is {NOT_SOURCED}."
    if ca == cb and not (a.served_context_differs or b.served_context_differs):
        return f"Both have a {format_token_count(ca)}-token context window."
    if about_the_same(ca, cb):
        return (
            f"Their context windows are about the same: {format_tokens(ca)} for {a.name}{_served_note(a)} and "
            f"{format_tokens(cb)} for {b.name}{_served_note(b)}."
        )
    big, big_value, small, small_value = (a, ca, b, cb) if ca > cb else (b, cb, a, ca)
    multiple = format_multiple(Decimal(small_value), Decimal(big_value))
    times = f", {multiple} as much" if multiple else ""
    return (
        f"{big.name} has the larger context window: {context_phrase(big)}, against "
        f"{format_tokens(small_value)} for {small.name}{_served_note(small)}{times}."
    )


def blended_difference(pair: PairFacts) -> Decimal | None:
    """Absolute difference in USD per 1M blended (70/30) tokens between the cheapest active providers."""
    oa, ob = pair.a.cheapest, pair.b.cheapest
    if oa is None or ob is None:
        return None
    assert oa.blended_price is not None and ob.blended_price is not None
    return abs(oa.blended_price - ob.blended_price)


def _tier_parts(m: ModelFacts) -> list[str]:
    """'batch and flex prices', 'higher prices above 200K prompt tokens': what the active offerings list."""
    tiers = sorted(
        {tier for o in m.active_offerings for tier in o.tiers if tier != "standard"},
        key=["batch", "flex", "priority"].index,
    )
    thresholds = sorted({t for o in m.active_offerings for t in o.context_thresholds})
    parts = []
    if tiers:
        parts.append(f"{join_words(tiers)} prices")
    if thresholds:
        parts.append(f"higher prices above {join_words([format_token_count(t) for t in thresholds])} prompt tokens")
    return parts


def tiers_paragraph(a: ModelFacts, b: ModelFacts) -> str:
    """Which other tiers exist beside the headline prices, said once when both models have the same."""
    pa, pb = _tier_parts(a), _tier_parts(b)
    if pa and pa == pb:
        return f"Tracked providers also list {join_words(pa)} for both (see the pricing table)."
    return " ".join(s for s in (tiers_sentence(a), tiers_sentence(b)) if s)


def tiers_sentence(m: ModelFacts) -> str:
    """Which discounted or long-context prices exist beside the headline, so readers know to look."""
    parts = _tier_parts(m)
    if not parts:
        return ""
    return f"For {m.name}, tracked providers also list {join_words(parts)} (see the pricing table)."


def concentration_sentence(a: ModelFacts, b: ModelFacts) -> str:
    parts = []
    for m in (a, b):
        if m.is_retired:
            parts.append(f"{m.name} is retired: no tracked provider serves it any more.")
        elif m.provider_count == 0:
            parts.append(f"{m.name} is not offered by any tracked provider yet.")
        elif m.provider_count == 1:
            parts.append(
                f"{m.name} is available from 1 provider ({m.provider_names[0]}), "
                "so an outage or price change there has no tracked fallback."
            )
        else:
            parts.append(
                f"{m.name} is available from {plural(m.provider_count, 'provider')} ({join_words(m.provider_names)})."
            )
    return " ".join(parts)


NON_COMMERCIAL = re.compile(r"(\bNC\b|non-?commercial|research)", re.IGNORECASE)


def license_phrase(m: ModelFacts) -> str:
    """'the Llama 3.2 Community License', 'the CC BY-NC 4.0 license (non-commercial use only)'."""
    name = m.license_name or m.license_kind_label or ""
    phrase = f"the {name}" if name.lower().endswith("license") else f"the {name} license"
    if NON_COMMERCIAL.search(name):
        phrase += " (non-commercial use only)"
    return phrase


def license_sentence(m: ModelFacts) -> str:
    if m.license_kind is None:
        return f"{m.name}'s license is {NOT_SOURCED}."
    if m.license_kind == "open_source":
        return f"{m.name} is open source{_named(m)}: you can download the weights and host it yourself."
    if m.license_kind == "open_weights":
        return (
            f"{m.name} has open weights under {license_phrase(m)}: you can download and self-host them "
            "within that license's terms, though it is not an open-source license."
        )
    if m.is_retired:
        return f"{m.name} is proprietary{_named(m)} and retired: it cannot be self-hosted."
    return f"{m.name} is proprietary{_named(m)}: it can be used only through a provider's API, not self-hosted."


def licenses_paragraph(a: ModelFacts, b: ModelFacts) -> str:
    both_plain_proprietary = all(m.license_kind == "proprietary" and not _named(m) and not m.is_retired for m in (a, b))
    if both_plain_proprietary:
        return "Both are proprietary: they can be used only through a provider's API, not self-hosted."
    return f"{license_sentence(a)} {license_sentence(b)}"


def _named(m: ModelFacts) -> str:
    """' (Apache 2.0)' after the license kind, or nothing when the license is just named after its kind."""
    if not m.license_name or m.license_name.lower() == (m.license_kind_label or "").lower():
        return ""
    note = " for non-commercial use only" if NON_COMMERCIAL.search(m.license_name) else ""
    return f" ({m.license_name}{note})"


def deep_dive(pair: PairFacts) -> list[str]:
    """Paragraphs on where the pair differs (the price gap itself is stated once, in the summary)."""
    a, b = pair.a, pair.b
    paragraphs = [
        capability_differences(a, b),
        context_sentence(a, b),
        tiers_paragraph(a, b),
        concentration_sentence(a, b),
        licenses_paragraph(a, b),
    ]
    return [p for p in paragraphs if p]


def _reasons_for(m: ModelFacts, other: ModelFacts) -> list[str]:
    """Why to pick `m` over `other`; never for a retired model."""
    if m.is_retired:
        return []
    reasons = []
    om, oo = m.cheapest, other.cheapest
    if om is not None and oo is not None and not other.is_retired:
        gap = price_gap(m.name, om.blended_price, other.name, oo.blended_price)
        if gap.cheaper == m.name:
            reasons.append("cost matters most")
    if m.allows_self_hosting is True and other.allows_self_hosting is False:
        reasons.append("you need to run the weights yourself")
    only_here = [
        phrase
        for name, phrase in CAPABILITY_PHRASES.items()
        if m.capability(name) is True and other.capability(name) is False
    ]
    if only_here:
        reasons.append(f"you need {join_words(only_here, 'or')}")
    mc, oc = m.usable_context_window, other.usable_context_window
    if mc and oc and mc > oc and not about_the_same(mc, oc):
        reasons.append(f"prompts need more than {format_tokens(oc)} of context")
    mo, oo_ = m.max_output_tokens, other.max_output_tokens
    if mo and oo_ and mo > oo_ and not about_the_same(mo, oo_):
        reasons.append(f"answers need more than {format_tokens(oo_)} of output")
    if m.provider_count >= 2 and m.provider_count > other.provider_count and not other.is_retired:
        reasons.append(f"you want a choice of providers ({m.provider_count} tracked against {other.provider_count})")
    return reasons


def choose_when(pair: PairFacts) -> list[tuple[str, list[str]]]:
    """[(model name, [reasons])] for each model the facts give a reason to pick; may be empty."""
    out = []
    for m, other in ((pair.a, pair.b), (pair.b, pair.a)):
        reasons = _reasons_for(m, other)
        if reasons:
            out.append((m.name, reasons))
    return out


def choose_when_sentences(pair: PairFacts) -> list[str]:
    sentences = [
        f"Choose {name} {join_words([f'when {r}' for r in reasons], 'or')}." for name, reasons in choose_when(pair)
    ]
    for m, other in ((pair.a, pair.b), (pair.b, pair.a)):
        if not m.is_retired:
            continue
        if m.successor_slug == other.slug:
            sentences.append(f"{other.name} succeeds {m.name}, which is retired.")
        elif m.successor_name:
            sentences.append(f"{m.name} is retired: compare {other.name} with its successor, {m.successor_name}.")
    return sentences


@dataclass(frozen=True)
class FaqEntry:
    question: str
    answer: str


def _faq_cheaper(pair: PairFacts) -> FaqEntry | None:
    a, b = pair.a, pair.b
    oa, ob = a.cheapest, b.cheapest
    if oa is None or ob is None:
        return None
    gap = price_gap(a.name, oa.blended_price, b.name, ob.blended_price)
    details = (
        f"At standard prices on the cheapest tracked provider: {_standard_prices(a, oa)}; {_standard_prices(b, ob)}."
    )
    if gap.kind == "same":
        verdict = f"Neither: they cost the same at a {BLEND} input/output blend."
    elif gap.kind == "free":
        verdict = f"{gap.cheaper}: it is listed free."
    else:
        verdict = f"{gap.cheaper}, at a {BLEND} input/output blend."
    return FaqEntry(f"Which is cheaper, {a.name} or {b.name}?", f"{verdict} {details}")


def _license_answer(m: ModelFacts) -> str:
    if m.license_kind == "open_source":
        return f"{m.name} is open source{_named(m)}."
    if m.license_kind == "open_weights":
        return f"{m.name} has open weights under {license_phrase(m)}, which is not an open-source license."
    return f"{m.name} is proprietary{_named(m)}."


def _faq_open(pair: PairFacts) -> FaqEntry | None:
    a, b = pair.a, pair.b
    if a.license_kind is None or b.license_kind is None:
        return None
    question = f"Is {a.name} or {b.name} open source?"
    if a.license_kind == b.license_kind == "proprietary":
        return FaqEntry(question, "Neither: both are proprietary.")
    return FaqEntry(question, f"{_license_answer(a)} {_license_answer(b)}")


def _faq_capability(pair: PairFacts, name: str, label: str) -> FaqEntry | None:
    """Asked only when exactly one of them supports it: otherwise the answer would tell the reader nothing."""
    a, b = pair.a, pair.b
    va, vb = a.capability(name), b.capability(name)
    if va is None or vb is None or va == vb:
        return None
    phrase = CAPABILITY_PHRASES[name]
    yes, no = (a, b) if va else (b, a)
    return FaqEntry(
        f"Which supports {label}, {a.name} or {b.name}?", f"{yes.name} supports {phrase}; {no.name} does not."
    )


def _where_answer(m: ModelFacts) -> str:
    if m.is_retired:
        return f"{m.name} is retired; no tracked provider serves it."
    if m.provider_count == 0:
        return f"{m.name}: on no tracked provider yet."
    return f"{m.name} is available on {join_words(m.provider_names)}."


def _faq_where(pair: PairFacts) -> FaqEntry | None:
    a, b = pair.a, pair.b
    if a.provider_count == 0 and b.provider_count == 0:
        return None
    return FaqEntry(f"Where can I run {a.name} and {b.name}?", f"{_where_answer(a)} {_where_answer(b)}")


def _faq_context(pair: PairFacts) -> FaqEntry | None:
    """A short answer of its own (the deep dive's sentence says more, and is not repeated)."""
    a, b = pair.a, pair.b
    ca, cb = a.usable_context_window, b.usable_context_window
    if ca is None or cb is None:
        return None
    question = f"Which has the larger context window, {a.name} or {b.name}?"
    if ca == cb:
        return FaqEntry(question, f"Neither: both take up to {format_tokens(ca)}.")
    if about_the_same(ca, cb):
        return FaqEntry(
            question, f"Neither by much: {format_tokens(ca)} for {a.name}, {format_tokens(cb)} for {b.name}."
        )
    big, bw, small, sw = (a, ca, b, cb) if ca > cb else (b, cb, a, ca)
    return FaqEntry(question, f"{big.name}, with {format_tokens(bw)} against {format_tokens(sw)} for {small.name}.")


def faq(pair: PairFacts) -> list[FaqEntry]:
    """Questions whose answers are sourced and informative, in a fixed order."""
    entries = [_faq_cheaper(pair), _faq_open(pair)]
    entries += [_faq_capability(pair, name, label) for name, label in FAQ_CAPABILITIES.items()]
    entries += [_faq_where(pair), _faq_context(pair)]
    return [e for e in entries if e is not None]


def faq_jsonld(entries: list[FaqEntry]) -> dict:
    """schema.org FAQPage data; the template serialises it with HTML-safe escaping."""
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {"@type": "Question", "name": e.question, "acceptedAnswer": {"@type": "Answer", "text": e.answer}}
            for e in entries
        ],
    }


def title(pair: PairFacts) -> str:
    return f"{pair.a.name} vs {pair.b.name}: price, specs, benchmarks"


META_LIMIT = 160


def meta_description(pair: PairFacts) -> str:
    """At most 160 characters: the headline prices, the context windows, then the promise of sources."""
    a, b = pair.a, pair.b
    parts = [f"{a.name} vs {b.name}:"]
    oa, ob = a.cheapest, b.cheapest
    if oa is not None and ob is not None:
        assert oa.input_price is not None and ob.input_price is not None
        assert oa.output_price is not None and ob.output_price is not None
        parts.append(
            f"input {format_usd(oa.input_price)} vs {format_usd(ob.input_price)}, output "
            f"{format_usd(oa.output_price)} vs {format_usd(ob.output_price)} per 1M tokens;"
        )
    ca, cb = a.usable_context_window, b.usable_context_window
    if ca and cb:
        parts.append(f"context {format_token_count(ca)} vs {format_token_count(cb)}.")
    elif parts[-1].endswith(";"):
        parts[-1] = parts[-1][:-1] + "."
    for extra in ("Specs, benchmarks and cost calculator, every fact sourced.", "Every fact sourced."):
        candidate = " ".join([*parts, extra])
        if len(candidate) <= META_LIMIT:
            return candidate
    text = " ".join(parts).rstrip(";")
    return (
        text if len(text) <= META_LIMIT else f"{a.name} vs {b.name}: prices, specs and benchmarks, every fact sourced."
    )


def workload_sentence(name_a: str, cost_a: Decimal | None, name_b: str, cost_b: Decimal | None) -> str:
    """How the monthly costs of a calculator workload compare; amounts unrounded (the percentage comes from
    them), shown to the cent."""
    gap = price_gap(name_a, cost_a, name_b, cost_b)
    if gap.kind == "missing":
        missing = [n for n, c in ((name_a, cost_a), (name_b, cost_b)) if c is None]
        whose = "its price is" if len(missing) == 1 else "their prices are"
        return f"No monthly cost for {join_words(missing)}: {whose} {NOT_SOURCED}."
    assert gap.low is not None and gap.high is not None
    low, high = round_cost(gap.low), round_cost(gap.high)
    if gap.kind == "same" or low == high:
        return f"Both cost {format_usd(low)} a month for this workload."
    if gap.kind == "free":
        return f"{gap.cheaper} costs nothing for this workload; {gap.dearer} costs {format_usd(high)} a month."
    return (
        f"{gap.cheaper} costs {format_usd(round_cost(gap.high - gap.low))} a month less than {gap.dearer} for this "
        f"workload ({format_usd(low)} against {format_usd(high)}, {gap.percent} cheaper)."
    )


class CostLike(Protocol):
    provider_name: str
    tier: str
    tier_fallback: bool
    context_threshold: int


def workload_notes(tier: str, costs: list[tuple[str, CostLike]]) -> list[str]:
    """Sentences on the tier and context-tier prices the calculator used for each model's chosen provider."""
    notes = []
    for name, cost in costs:
        if cost.tier_fallback:
            notes.append(f"{cost.provider_name} lists no {tier} prices for {name}, so its standard prices are used.")
        if cost.context_threshold:
            notes.append(
                f"This prompt size crosses the {format_token_count(cost.context_threshold)} tier on "
                f"{cost.provider_name} for {name}: its long-context prices apply."
            )
    return notes


def prompt_too_long_sentence(name: str, prompt_tokens: int, window: int | None) -> str:
    limit = f" (at most {format_tokens(window)})" if window else ""
    return f"No tracked provider of {name} takes a prompt of {prompt_tokens:,} tokens{limit}, so it has no cost here."


def break_even_sentence(name_a: str, cost_a: Decimal, name_b: str, cost_b: Decimal) -> str:
    """With per-token prices only (no fixed fees) cost grows in proportion to volume, so the cheaper model
    stays cheaper at every volume of this workload's shape: there is no break-even."""
    cheaper = name_a if cost_a < cost_b else name_b
    return f"There is no break-even volume: billed per token, {cheaper} stays cheaper at any volume of this workload."


def model_description(m: ModelFacts) -> str:
    """Meta description of a model page (at most 160 characters)."""
    cheapest = m.cheapest
    parts = [f"{m.name} by {m.organization_label}:"]
    if cheapest is not None:
        assert cheapest.input_price is not None and cheapest.output_price is not None
        parts.append(
            f"from {format_usd(cheapest.input_price)} input and {format_usd(cheapest.output_price)} output per 1M "
            f"tokens on {cheapest.provider_name};"
        )
    if m.usable_context_window:
        parts.append(f"{format_token_count(m.usable_context_window)} context;")
    if m.provider_count:
        parts.append(f"{plural(m.provider_count, 'tracked provider')}.")
    elif m.is_retired:
        parts.append("retired.")
    description = " ".join(parts).rstrip(";:")
    if len(description) + len(" Every fact sourced.") <= META_LIMIT:
        description += " Every fact sourced."
    return description if len(description) <= META_LIMIT else description[: META_LIMIT - 1].rsplit(" ", 1)[0] + "…"
