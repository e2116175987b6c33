"""Number formatting for the model explorer: prices as USD per 1M tokens, token counts grouped."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()

CENT = Decimal("0.01")


@register.filter
def usd(value: Decimal | None) -> str:
    """`$0.15`, `$2.50`, `$0.075`: at least cents, more digits only when the price has them."""
    if value is None:
        return ""
    exact = value.normalize()
    shown = value.quantize(CENT) if exact.as_tuple().exponent >= -2 else exact
    return f"${shown:,f}"


@register.filter
def grouped(value: int | None) -> str:
    """`128000` -> `128,000`."""
    if value is None:
        return ""
    return f"{value:,}"
