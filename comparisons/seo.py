"""Head text for search engines and link previews: explorer titles and descriptions, length limits.

Pure functions over plain values (no ORM, no HTML): the explorer's form hands over what it applied as an
`ExplorerFilters`, and each filtered view gets its own title and description, so no two result sets share one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .text import format_token_count, format_usd, join_words, plural

META_LIMIT = 160  # meta descriptions, and titles with the site name
TITLE_LIMIT = 140  # the page's part of a title; " | LLM Reference" follows it
SITE_SUFFIX = " | LLM Reference"

STATUS_PHRASES = {
    "active": "active only",
    "deprecated": "deprecated only",
    "retired": "retired only",
    "all": "including retired",
}
SORT_PHRASES = {
    "newest": "newest first",
    "cheapest_input": "cheapest input first",
    "cheapest_blended": "cheapest blended price first",
    "largest_context": "largest context first",
}


def clip(text: str, limit: int = META_LIMIT) -> str:
    """`text` if it fits in `limit` characters, else cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "\u2026"


def paged(text: str, page_number: int) -> str:
    """Page 2 onwards of a listing says so, so every page of it has its own title and description."""
    return text if page_number <= 1 else f"{text} (page {page_number})"


@dataclass(frozen=True)
class ExplorerFilters:
    """The explorer's applied filters as display values (labels and names, not slugs)."""

    q: str = ""
    capabilities: tuple[str, ...] = ()
    license_kinds: tuple[str, ...] = ()
    organization: str = ""
    provider: str = ""
    max_input_price: Decimal | None = None
    max_output_price: Decimal | None = None
    min_context: int | None = None
    year: int | None = None
    status: str = ""
    sort: str = ""


def explorer_phrases(f: ExplorerFilters) -> list[str]:
    """One phrase per applied filter, in the form's order: 'with vision', 'by Meta', 'input up to $1.00'."""
    phrases = []
    if f.q:
        phrases.append(f'matching "{clip(f.q, 40)}"')
    if f.capabilities:
        phrases.append("with " + join_words([c.lower() for c in f.capabilities]))
    if f.license_kinds:
        phrases.append(join_words([k.lower() for k in f.license_kinds], "or"))
    if f.organization:
        phrases.append(f"by {f.organization}")
    if f.provider:
        phrases.append(f"on {f.provider}")
    if f.max_input_price is not None:
        phrases.append(f"input up to {format_usd(f.max_input_price)}")
    if f.max_output_price is not None:
        phrases.append(f"output up to {format_usd(f.max_output_price)}")
    if f.min_context:
        phrases.append(f"context from {format_token_count(f.min_context)}")
    if f.year:
        phrases.append(f"released in {f.year}")
    if f.status in STATUS_PHRASES:
        phrases.append(STATUS_PHRASES[f.status])
    if f.sort in SORT_PHRASES:
        phrases.append(SORT_PHRASES[f.sort])
    return phrases


def explorer_title(f: ExplorerFilters, page_number: int = 1) -> str:
    phrases = explorer_phrases(f)
    title = "Model explorer" if not phrases else "Language models " + ", ".join(phrases)
    return clip(paged(title, page_number), TITLE_LIMIT)


def explorer_description(f: ExplorerFilters, count: int, page_number: int = 1) -> str:
    phrases = explorer_phrases(f)
    if not phrases:
        text = (
            f"Filter and sort {plural(count, 'large language model')} by capability, license, maker, provider, "
            "price, context window and release year; every fact sourced."
        )
    else:
        text = (
            f"{plural(count, 'language model')} {', '.join(phrases)}: prices per 1M tokens, context windows and "
            "licenses, every fact sourced."
        )
    if page_number > 1:
        text = f"Page {page_number}. {text}"
    return clip(text)


def changeset_title(pk: int, title: str) -> str:
    """'Change set #4: New prices', without repeating the number when the set has no summary."""
    prefix = f"Change set #{pk}"
    return title if title.startswith(prefix) else f"{prefix}: {title}"


def multi_title(names: list[str]) -> str:
    """'A vs B vs C: price, specs, capabilities', shortened (each name cut alike) to stay under the limit."""
    suffix = ": price, specs, capabilities"
    title = " vs ".join(names) + suffix
    if len(title) <= TITLE_LIMIT:
        return title
    room = (TITLE_LIMIT - len(suffix) - 4 * (len(names) - 1)) // len(names)
    return " vs ".join(clip(n, room) for n in names) + suffix


def multi_description(names: list[str]) -> str:
    for text in (
        f"{join_words(names)} side by side: specs, cheapest tracked provider, capabilities and shared benchmarks, "
        "each fact with its source.",
        f"{join_words(names)} side by side: specs, prices, capabilities and benchmarks, every fact sourced.",
        f"{join_words(names)} side by side, every fact sourced.",
    ):
        if len(text) <= META_LIMIT:
            return text
    return clip(f"{join_words(names)} side by side, every fact sourced.")
