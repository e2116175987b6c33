"""The words of the comparison pages, decided by pure functions over the facts dataclasses.

No ORM, no HTML: every function returns plain strings (templates escape them). A claim appears only when the
stored facts support it; a missing fact is named as not yet sourced, never guessed. Prices quoted in the
summary and deep dive are each model's cheapest tracked provider at a 70/30 input/output blend, and the
sentences name that provider.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .facts import INPUT_SHARE, ModelFacts, OfferingFacts, PairFacts

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
    """'128K' (131,072 = 128 x 1024), '200K', '1M', '1.05M': binary units when the number is a multiple of 1024."""
    base = 1024 if tokens % 1024 == 0 else 1000
    if tokens >= base * base:
        return f"{_trim(Decimal(tokens) / (base * base), 2)}M"
    if tokens >= base:
        return f"{_trim(Decimal(tokens) / base, 1)}K"
    return f"{tokens:,}"


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
    """', and o4-mini costs 5x as much' when the gap is large enough for a multiple to help."""
    return f", and {gap.dearer} costs {gap.multiple} as much" if gap.multiple else ""


def _where(offering: OfferingFacts) -> str:
    return f"on {offering.provider_name}"


def price_sentence(a: ModelFacts, b: ModelFacts, which: str) -> str:
    """One sentence comparing input or output prices at each model's cheapest tracked provider."""
    oa, ob = a.cheapest, b.cheapest
    missing = [m.name for m, o in ((a, oa), (b, ob)) if o is None]
    if missing:
        return (
            f"A complete price (input and output) for {join_words(missing)} is {NOT_SOURCED}, "
            f"so no {which} price comparison is made."
        )
    assert oa is not None and ob is not None
    pa: Decimal = getattr(oa, f"{which}_price")
    pb: Decimal = getattr(ob, f"{which}_price")
    gap = price_gap(a.name, pa, b.name, pb)
    quoted = f"{format_price(pa)} {_where(oa)} for {a.name} versus {format_price(pb)} {_where(ob)} for {b.name}"
    if gap.kind == "same":
        if pa == 0:
            return f"Both are free on {which} tokens ({quoted})."
        return f"Both cost the same price for {which} tokens: {format_price(pa)} ({quoted})."
    if gap.kind == "free":
        return (
            f"{gap.cheaper} is free on {which} tokens, while {gap.dearer} charges {format_price(gap.high)} ({quoted})."
        )
    return f"{gap.cheaper} is {gap.percent} cheaper on {which}{_as_much(gap)}: {quoted}."


def model_identity(m: ModelFacts) -> str:
    """'Llama 3.2 1B is a 1.23B-parameter open-weights model from AI at Meta, released on 2024-09-25.'"""
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
    if m.status in {"deprecated", "retired"}:
        since = f" since {format_date(m.deprecation_date)}" if m.deprecation_date else ""
        sentence += f" It is {m.status}{since}."
    return sentence


def providers_sentence(a: ModelFacts, b: ModelFacts) -> str:
    if a.provider_count == 0 and b.provider_count == 0:
        return f"Neither {a.name} nor {b.name} is tracked on any provider yet."
    if a.provider_count == 0 or b.provider_count == 0:
        tracked, untracked = (b, a) if a.provider_count == 0 else (a, b)
        return (
            f"{tracked.name} is tracked on {plural(tracked.provider_count, 'provider')}; "
            f"{untracked.name} is not tracked on any provider yet."
        )
    return (
        f"{a.name} is tracked on {plural(a.provider_count, 'provider')} and "
        f"{b.name} on {plural(b.provider_count, 'provider')}."
    )


def summary(pair: PairFacts) -> list[str]:
    """The opening paragraph, as sentences."""
    a, b = pair.a, pair.b
    return [
        model_identity(a),
        model_identity(b),
        price_sentence(a, b, "input"),
        price_sentence(a, b, "output"),
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
    for model_name, phrases in only.items():
        if phrases:
            sentences.append(f"Only {model_name} supports {join_words(phrases)}.")
    if both:
        sentences.append(f"Both support {join_words(both)}.")
    if neither:
        sentences.append(f"Neither supports {join_words(neither)}.")
    if not only[a.name] and not only[b.name] and (both or neither):
        sentences.insert(0, "The sourced capabilities do not differ.")
    for model_name, phrases in unknown.items():
        if len(phrases) == len(CAPABILITY_PHRASES):
            sentences.append(f"{model_name}'s capabilities are {NOT_SOURCED}.")
        elif phrases:
            verb = "is" if len(phrases) == 1 else "are"
            sentences.append(f"For {model_name}, {join_words(phrases)} {verb} {NOT_SOURCED}.")
    return " ".join(sentences)


def context_sentence(a: ModelFacts, b: ModelFacts) -> str:
    ca, cb = a.context_window, b.context_window
    if ca is None and cb is None:
        return f"The context windows of both models are {NOT_SOURCED}."
    if ca is None or cb is None:
        known, value, unknown = (a, ca, b) if ca is not None else (b, cb, a)
        assert value is not None
        return (
            f"{known.name} has a {format_token_count(value)}-token context window; {unknown.name}'s is {NOT_SOURCED}."
        )
    if ca == cb:
        return f"Both have a {format_token_count(ca)}-token context window."
    big, big_value, small, small_value = (a, ca, b, cb) if ca > cb else (b, cb, a, ca)
    multiple = format_multiple(Decimal(small_value), Decimal(big_value))
    times = f", {multiple} as much" if multiple else ""
    return (
        f"{big.name} has the larger context window: {format_tokens(big_value)} against "
        f"{format_tokens(small_value)} for {small.name}{times}."
    )


def blended_difference(pair: PairFacts) -> Decimal | None:
    """Absolute difference in USD per 1M blended (70/30) tokens between the cheapest tracked providers."""
    oa, ob = pair.a.cheapest, pair.b.cheapest
    if oa is None or ob is None:
        return None
    assert oa.blended_price is not None and ob.blended_price is not None
    return abs(oa.blended_price - ob.blended_price)


def blended_sentence(pair: PairFacts) -> str:
    a, b = pair.a, pair.b
    oa, ob = a.cheapest, b.cheapest
    share = f"{int(INPUT_SHARE * 100)}/{100 - int(INPUT_SHARE * 100)}"
    if oa is None or ob is None:
        missing = [m.name for m, o in ((a, oa), (b, ob)) if o is None]
        return f"A {share} blended price cannot be computed: the price of {join_words(missing)} is {NOT_SOURCED}."
    pa, pb = oa.blended_price, ob.blended_price
    assert pa is not None and pb is not None
    quoted = (
        f"{a.name} costs {format_usd(pa)} per 1M blended tokens {_where(oa)} and {b.name} {format_usd(pb)} {_where(ob)}"
    )
    gap = price_gap(a.name, pa, b.name, pb)
    opening = f"At a {share} input/output blend on each model's cheapest tracked provider, {quoted}"
    if gap.kind == "same":
        return f"{opening}: the same price."
    difference = format_usd(abs(pa - pb))
    if gap.kind == "free":
        return f"{opening}, so {gap.cheaper} is {difference} per 1M blended tokens lower (it is listed free)."
    multiple = f"; {gap.dearer} costs {gap.multiple} as much" if gap.multiple else ""
    return (
        f"{opening}, so {gap.cheaper} is lower by {difference} per 1M blended tokens ({gap.percent} cheaper{multiple})."
    )


def concentration_sentence(a: ModelFacts, b: ModelFacts) -> str:
    parts = []
    for m in (a, b):
        if m.provider_count == 0:
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


def license_sentence(m: ModelFacts) -> str:
    if m.license_kind is None:
        return f"{m.name}'s license is {NOT_SOURCED}."
    name = m.license_name or m.license_kind_label
    if m.license_kind == "open_source":
        return f"{m.name} is open source{_named(m)}: you can download the weights and host it yourself."
    if m.license_kind == "open_weights":
        return (
            f"{m.name} has open weights under the {name}: you can download and self-host them "
            "within that license's terms, though it is not an open-source license."
        )
    return f"{m.name} is proprietary{_named(m)}: it can be used only through a provider's API, not self-hosted."


def _named(m: ModelFacts) -> str:
    """' (Apache 2.0)' after the license kind, or nothing when the license is just named after its kind."""
    if not m.license_name or m.license_name.lower() == (m.license_kind_label or "").lower():
        return ""
    return f" ({m.license_name})"


def deep_dive(pair: PairFacts) -> list[str]:
    """Paragraphs on where the pair differs."""
    a, b = pair.a, pair.b
    return [
        capability_differences(a, b),
        context_sentence(a, b),
        blended_sentence(pair),
        concentration_sentence(a, b),
        f"{license_sentence(a)} {license_sentence(b)}",
    ]


def _reasons_for(m: ModelFacts, other: ModelFacts) -> list[str]:
    reasons = []
    om, oo = m.cheapest, other.cheapest
    if om is not None and oo is not None:
        gap = price_gap(m.name, om.blended_price, other.name, oo.blended_price)
        if gap.cheaper == m.name:
            if gap.kind == "free":
                reasons.append("cost matters most (it is listed free on its cheapest tracked provider)")
            else:
                reasons.append(f"cost matters most (it is {gap.percent} cheaper at a 70/30 blend)")
    if m.allows_self_hosting is True and other.allows_self_hosting is False:
        reasons.append("you need to run the weights yourself")
    only_here = [
        phrase
        for name, phrase in CAPABILITY_PHRASES.items()
        if m.capability(name) is True and other.capability(name) is False
    ]
    if only_here:
        reasons.append(f"you need {join_words(only_here, 'or')}")
    if m.context_window and other.context_window and m.context_window > other.context_window:
        reasons.append(f"prompts need more than {format_tokens(other.context_window)} of context")
    if m.max_output_tokens and other.max_output_tokens and m.max_output_tokens > other.max_output_tokens:
        reasons.append(f"answers need more than {format_tokens(other.max_output_tokens)} of output")
    if m.provider_count >= 2 and m.provider_count > other.provider_count:
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
    return [f"Choose {name} {join_words([f'when {r}' for r in reasons], 'or')}." for name, reasons in choose_when(pair)]


@dataclass(frozen=True)
class FaqEntry:
    question: str
    answer: str


def _input_output(name: str, offering: OfferingFacts) -> str:
    """'o4-mini costs $0.50 / 1M input and $2.00 / 1M output (Replicate API)' for a fully priced offering."""
    assert offering.input_price is not None and offering.output_price is not None
    return (
        f"{name} costs {format_price(offering.input_price)} input and {format_price(offering.output_price)} "
        f"output ({offering.provider_name})"
    )


def _faq_cheaper(pair: PairFacts) -> FaqEntry | None:
    a, b = pair.a, pair.b
    oa, ob = a.cheapest, b.cheapest
    if oa is None or ob is None:
        return None
    gap = price_gap(a.name, oa.blended_price, b.name, ob.blended_price)
    details = f"On the cheapest tracked provider, {_input_output(a.name, oa)}; {_input_output(b.name, ob)}."
    if gap.kind == "same":
        verdict = "They cost the same at a 70/30 input/output blend."
    elif gap.kind == "free":
        verdict = f"{gap.cheaper} is cheaper: it is listed free."
    else:
        verdict = f"{gap.cheaper} is cheaper: {gap.percent} less at a 70/30 input/output blend."
    return FaqEntry(f"Which is cheaper, {a.name} or {b.name}?", f"{verdict} {details}")


def _license_answer(m: ModelFacts) -> str:
    name = m.license_name or m.license_kind_label
    if m.license_kind == "open_source":
        return f"{m.name} is open source{_named(m)}."
    if m.license_kind == "open_weights":
        return f"{m.name} has open weights under the {name}, which is not an open-source license."
    return f"{m.name} is proprietary{_named(m)}."


def _faq_open(pair: PairFacts) -> FaqEntry | None:
    a, b = pair.a, pair.b
    if a.license_kind is None or b.license_kind is None:
        return None
    return FaqEntry(
        f"Is {a.name} or {b.name} open source?",
        f"{_license_answer(a)} {_license_answer(b)}",
    )


def _faq_capability(pair: PairFacts, name: str, label: str) -> FaqEntry | None:
    a, b = pair.a, pair.b
    va, vb = a.capability(name), b.capability(name)
    if va is None or vb is None:
        return None
    phrase = CAPABILITY_PHRASES[name]
    if va and vb:
        answer = f"Both {a.name} and {b.name} support {phrase}; compare them on your own inputs."
    elif va and not vb:
        answer = f"{a.name}: it supports {phrase}, and {b.name} does not."
    elif vb and not va:
        answer = f"{b.name}: it supports {phrase}, and {a.name} does not."
    else:
        answer = f"Neither {a.name} nor {b.name} supports {phrase}."
    return FaqEntry(f"Which is better for {label}, {a.name} or {b.name}?", answer)


def _where_answer(m: ModelFacts) -> str:
    if m.provider_count == 0:
        return f"{m.name} is not offered by any tracked provider yet."
    return f"{m.name} is available on {join_words(m.provider_names)}."


def _faq_where(pair: PairFacts) -> FaqEntry | None:
    a, b = pair.a, pair.b
    if a.provider_count == 0 and b.provider_count == 0:
        return None
    return FaqEntry(f"Where can I run {a.name} and {b.name}?", f"{_where_answer(a)} {_where_answer(b)}")


def _faq_context(pair: PairFacts) -> FaqEntry | None:
    a, b = pair.a, pair.b
    if a.context_window is None or b.context_window is None:
        return None
    return FaqEntry(f"Which has the larger context window, {a.name} or {b.name}?", context_sentence(a, b))


def faq(pair: PairFacts) -> list[FaqEntry]:
    """Questions whose answers are sourced, in a fixed order."""
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


def meta_description(pair: PairFacts) -> str:
    a, b = pair.a, pair.b
    parts = [f"{a.name} vs {b.name}."]
    oa, ob = a.cheapest, b.cheapest
    if oa is not None and ob is not None:
        assert oa.input_price is not None and ob.input_price is not None
        assert oa.output_price is not None and ob.output_price is not None
        parts.append(
            f"Input {format_price(oa.input_price)} vs {format_price(ob.input_price)}, "
            f"output {format_price(oa.output_price)} vs {format_price(ob.output_price)} "
            "on the cheapest tracked providers."
        )
    ca = format_tokens(a.context_window) if a.context_window else NOT_SOURCED
    cb = format_tokens(b.context_window) if b.context_window else NOT_SOURCED
    parts.append(f"Context {ca} vs {cb}.")
    parts.append(f"{plural(a.provider_count, 'provider')} vs {plural(b.provider_count, 'provider')}.")
    parts.append("Every fact with its source.")
    return " ".join(parts)


def workload_sentence(name_a: str, cost_a: Decimal | None, name_b: str, cost_b: Decimal | None) -> str:
    """How the monthly costs of a calculator workload compare."""
    gap = price_gap(name_a, cost_a, name_b, cost_b)
    if gap.kind == "missing":
        missing = [n for n, c in ((name_a, cost_a), (name_b, cost_b)) if c is None]
        return f"No monthly cost for {join_words(missing)}: its price is {NOT_SOURCED}."
    assert gap.low is not None and gap.high is not None
    if gap.kind == "same":
        return f"Both cost {format_usd(gap.low)} a month for this workload."
    difference = format_usd(gap.high - gap.low)
    if gap.kind == "free":
        return f"{gap.cheaper} costs nothing for this workload; {gap.dearer} costs {format_usd(gap.high)} a month."
    return (
        f"{gap.cheaper} costs {difference} a month less than {gap.dearer} for this workload "
        f"({format_usd(gap.low)} against {format_usd(gap.high)}, {gap.percent} cheaper)."
    )


def model_description(m: ModelFacts) -> str:
    """Meta description of a model page."""
    cheapest = m.cheapest
    price = ""
    if cheapest is not None:
        assert cheapest.input_price is not None and cheapest.output_price is not None
        price = (
            f" From {format_price(cheapest.input_price)} input and {format_price(cheapest.output_price)} output "
            f"on {cheapest.provider_name}."
        )
    context = format_tokens(m.context_window) if m.context_window else NOT_SOURCED
    return f"{model_identity(m)} Context window: {context}. Tracked on {plural(m.provider_count, 'provider')}.{price}"
