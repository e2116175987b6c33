"""Formatting of facts for the public pages: units, "not yet sourced", tri-state words, source links.

Every filter escapes what it is given; only markup built here is marked safe.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from catalog.models import CAPABILITY_FIELDS
from comparisons import keyfigures, text
from comparisons.calculator import round_cost
from comparisons.facts import PairFacts, SourceRef

register = template.Library()

UNSOURCED = '<span class="unsourced">not yet sourced</span>'
DISAGREE = mark_safe(
    '<span class="sources-disagree" title="An imported catalog gives another value; a reviewer has not decided yet">'
    "sources disagree</span>"
)
NO_SOURCE = '<span class="cite cite-missing" title="No source is recorded for this value yet">[no source]</span>'

# As django.utils.html.json_script: keep "</script>" and "<!--" inside stored text from ending the block.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _unsourced() -> SafeString:
    return mark_safe(UNSOURCED)


@register.filter
def tokens(value: int | None) -> SafeString:
    """'128K tokens' (exact count in the title), or not yet sourced."""
    if value is None:
        return _unsourced()
    return format_html('<span title="{} tokens">{}</span>', f"{value:,}", text.format_tokens(value))


@register.filter
def price(value: Decimal | None) -> SafeString | str:
    """'$0.10 / 1M', or not yet sourced."""
    if value is None:
        return _unsourced()
    return text.format_price(value)


@register.filter
def money(value: Decimal | None) -> SafeString | str:
    """'$9.50', or not yet sourced."""
    if value is None:
        return _unsourced()
    return text.format_usd(value)


@register.filter
def cost(value: Decimal | None) -> SafeString | str:
    """A monthly cost: to the cent, or its micro-dollars when under a cent (calculator.round_cost)."""
    if value is None:
        return _unsourced()
    return text.format_usd(round_cost(value))


@register.filter
def parameters(value: int | None) -> SafeString | str:
    if value is None:
        return _unsourced()
    return text.format_parameters(value)


@register.filter
def day(value: datetime.date | None) -> SafeString | str:
    if value is None:
        return _unsourced()
    return text.format_date(value)


@register.filter
def or_unsourced(value: Any) -> Any:
    """The value itself, or not yet sourced when it is None or empty."""
    if value is None or value == "" or value == ():
        return _unsourced()
    return value


@register.filter
def modalities(value: tuple[str, ...] | None) -> SafeString | str:
    if not value:
        return _unsourced()
    return ", ".join(value)


@register.filter
def capability(value: bool | None) -> SafeString:
    """Tri-state: Supported / Not supported / Not yet sourced, with a class for each state."""
    css = {True: "cap-yes", False: "cap-no", None: "unsourced"}[value]
    return format_html('<span class="{}">{}</span>', css, text.capability_word(value))


def _safe_url(url: str) -> str | None:
    return url if urlsplit(url).scheme in {"http", "https"} else None


@register.filter
def external(url: str) -> str:
    """The URL when it is http(s), else an empty string (never a javascript: link)."""
    return _safe_url(url or "") or ""


@register.simple_tag(takes_context=True)
def cite(context: template.Context, obj: Any, field: str) -> SafeString | str:
    """'[3]' for the source of `obj.field`; a marker when a value has no recorded source.

    Inside `{% citations %}` the number is quiet text and the block lists the sources once; elsewhere it is a link.
    """
    ref: SourceRef | None = obj.source(field)
    if ref is not None:
        if field in getattr(obj, "disputed", ()):
            return format_html("{} {}", cite_source(context, ref), DISAGREE)
        return cite_source(context, ref)
    if field in CAPABILITY_FIELDS and hasattr(obj, "capabilities"):
        value = obj.capabilities.get(field)
    else:
        value = getattr(obj, {"organization": "organization_name", "license": "license_name"}.get(field, field), None)
    if value is None or value == "" or value == ():
        return ""  # nothing shown, nothing to cite
    if field == "status" and value == "active":
        return ""  # the default state, not a claim anyone sourced
    return mark_safe(NO_SOURCE)


CITATIONS_KEY = "_cited_sources"


@register.simple_tag(takes_context=True)
def cite_source(context: template.Context, ref: SourceRef | None) -> SafeString | str:
    """A citation of one source: collected by the enclosing `{% citations %}` block, else a link."""
    if ref is None:
        return ""
    collected = context.get(CITATIONS_KEY)
    if collected is None:
        return source_link(ref)
    collected.setdefault(ref.number, ref)
    return format_html(
        '<span class="cite" title="Source {}: {}, retrieved {}">[{}]</span>',
        ref.number,
        ref.title,
        ref.retrieved_on.isoformat(),
        ref.number,
    )


class CitationsNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        collected: dict[int, SourceRef] = {}
        with context.push({CITATIONS_KEY: collected}):
            inner = self.nodelist.render(context)
        if not collected:
            return mark_safe(inner)
        return format_html("{}{}", mark_safe(inner), sources_disclosure(sorted(collected.values(), key=_number)))


def _number(ref: SourceRef) -> int:
    return ref.number


def sources_disclosure(refs: list[SourceRef]) -> SafeString:
    """One "Sources" disclosure after a table: its sources as links, numbered as on the page's source list."""
    items = format_html_join(
        "",
        '<li value="{}">{} <small class="muted">retrieved {}</small></li>',
        ((ref.number, _source_title(ref), ref.retrieved_on.isoformat()) for ref in refs),
    )
    count = text.plural(len(refs), "source")
    return format_html(
        '<details class="table-sources"><summary>Sources for this table ({})</summary><ol>{}</ol></details>',
        count,
        items,
    )


def _source_title(ref: SourceRef) -> SafeString:
    url = _safe_url(ref.url)
    publisher = f", {ref.publisher}" if ref.publisher else ""
    if url is None:
        return format_html("{}{}", ref.title, publisher)
    return format_html('<a href="{}" rel="nofollow noopener">{}</a>{}', url, ref.title, publisher)


@register.tag
def citations(parser: template.base.Parser, token: template.base.Token) -> CitationsNode:
    """`{% citations %}<table>...{% cite m "field" %}...</table>{% endcitations %}`: the citations inside are quiet
    numbers (out of the tab order) and one disclosure after the table links their sources."""
    nodelist = parser.parse(("endcitations",))
    parser.delete_first_token()
    return CitationsNode(nodelist)


@register.filter
def source_link(ref: SourceRef | None) -> SafeString | str:
    if ref is None:
        return ""
    label = f"{ref.title}, retrieved {ref.retrieved_on.isoformat()}"
    if trust := text.trust_label(ref):
        label += f"; {trust}"
    url = _safe_url(ref.url)
    if url is None:
        return format_html('<span class="cite" title="{}">[{}]</span>', label, ref.number)
    return format_html(
        '<a class="cite" href="{}" title="{}" rel="nofollow noopener" aria-label="Source {}: {}">[{}]</a>',
        url,
        label,
        ref.number,
        ref.title,
        ref.number,
    )


@register.filter
def trust(ref: SourceRef) -> str:
    """ "reviewed DATE" / "imported from models.dev on DATE" for a citation or a source list entry."""
    return text.trust_label(ref)


@register.filter
def imported_note(page: Any) -> str:
    return text.imported_note(page)


@register.filter
def jsonld(value: Any) -> SafeString:
    """A `<script type="application/ld+json">` data block, escaped so stored text cannot end it."""
    data = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(data))


@register.filter
def plural_of(count: int, noun: str) -> str:
    """{{ n|plural_of:"provider" }} -> '1 provider' / '4 providers'."""
    return text.plural(count, noun)


@register.simple_tag(takes_context=True)
def price_cell(context: template.Context, offering: Any, column: Any) -> SafeString:
    """One pricing-table cell: '$0.10 / 1M [3]', not yet sourced, or not offered (a tier the provider lacks)."""
    cell = offering.cell(column)
    if cell.kind == "price":
        citation = cite_source(context, cell.price.source)
        if cell.price.disputed:
            return format_html("{} {} {}", text.format_price(cell.price.amount), citation, DISAGREE)
        return format_html("{} {}", text.format_price(cell.price.amount), citation)
    if cell.kind == "not_offered":
        return mark_safe('<span class="not-offered">not offered</span>')
    return _unsourced()


@register.filter
def lifecycle(status: str) -> SafeString | str:
    """A marker for a deprecated or retired model or offering; nothing for an active one."""
    if status in {"deprecated", "retired"}:
        return format_html('<span class="badge status-{}">{}</span>', status, status)
    return ""


@register.simple_tag
def pair_url(slug_a: str, slug_b: str) -> str:
    """The canonical comparison URL of two models (slugs in order)."""
    a, b = sorted((slug_a, slug_b))
    return reverse("comparisons:detail", kwargs={"a": a, "b": b})


@register.filter
def add_costs(value: Decimal, other: Decimal) -> Decimal:
    """Sum of two Decimal amounts (Django's `add` would go through int or float)."""
    return value + other


@register.filter
def machine_datetime(value: datetime.datetime | None) -> str:
    """A `<time datetime>` value: ISO 8601 to the second in the current time zone (HTML allows at most
    milliseconds, so microseconds are dropped)."""
    if value is None:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.simple_tag
def pair_key_figures(pair: PairFacts) -> tuple[keyfigures.KeyFigure, ...]:
    """`{% pair_key_figures pair as figures %}`: the key-figure cards of a pair page (comparisons.keyfigures)."""
    return keyfigures.key_figures(pair)


@register.simple_tag
def pair_verdict(figures: tuple[keyfigures.KeyFigure, ...], pair: PairFacts) -> str:
    return keyfigures.verdict(figures, (pair.a.name, pair.b.name))


@register.filter
def no_headline_price(m: Any) -> SafeString:
    """Why a model (facts.ModelFacts) shows no headline price: nothing sells it (a retired model, or no tracked
    provider: "not offered" style), or its providers' standard prices are not yet sourced."""
    if m.is_retired:
        return mark_safe('<span class="not-offered">retired</span>')
    if m.provider_count == 0:
        return mark_safe('<span class="not-offered">no tracked provider</span>')
    return _unsourced()
