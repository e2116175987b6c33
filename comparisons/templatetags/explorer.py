"""Number formatting for the model explorer: prices as USD per 1M tokens, token counts grouped."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

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


@register.filter
def filters_in_use(form: Any) -> int:
    """How many filters the explorer applies: each ticked box counts, the sort order does not (ignored values
    are not applied, so they do not count)."""
    form.is_valid()
    count = 0
    for name, value in getattr(form, "cleaned_data", {}).items():
        if name == "sort":
            continue
        if isinstance(value, list):
            count += len(value)
        elif value is not None and value != "":
            count += 1
    return count
