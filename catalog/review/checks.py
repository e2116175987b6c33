"""Checks a reviewer must see and acknowledge: the row as it would read after applying, and price jumps.

Over a change item and the live row (a price row also reads its offering's other rows, loaded once per
review table), so they run when an item is proposed (stored on the item for counts and filters) and again on
the review page.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from catalog.models import Price
from catalog.review.models import ChangeItem

PRICE_JUMP_FACTOR = Decimal(10)


def item_warnings(item: ChangeItem, live: models.Model | None, price_context: dict | None = None) -> list[str]:
    """`price_context`: `catalog.models.price_contexts()` for the items' offerings, loaded once for a whole
    review table (a price row is checked against its offering's other rows)."""
    return _clean_flags(item, live, price_context) + _price_jump_flags(item)


def _price_jump_flags(item: ChangeItem) -> list[str]:
    if item.action != ChangeItem.Action.UPDATE:
        return []
    flags = []
    for label, old, new in item.price_changes():
        if old and new and (new / old > PRICE_JUMP_FACTOR or old / new > PRICE_JUMP_FACTOR):
            flags.append(f"{label}: the price changes more than 10x (${old} -> ${new}); check the unit.")
    return flags


def _clean_flags(item: ChangeItem, live: models.Model | None, price_context: dict | None = None) -> list[str]:
    """Run the model's own checks on the row as it would read after applying."""
    model = item.target_model()
    if item.action == ChangeItem.Action.DELETE:
        return []
    fields = {f.name: f for f in model._meta.concrete_fields}
    obj = model() if live is None else copy.copy(live)
    if model is Price and price_context is not None:
        offering_id = live.offering_id if live is not None else item.changes.get("offering", [None, None])[1]
        obj._price_context = price_context.get(offering_id, (None, []))
    for name, (_old, new) in item.changes.items():
        if isinstance(new, dict):
            continue
        try:
            setattr(obj, fields[name].attname, fields[name].to_python(new))
        except ValidationError as error:
            return [f"{name}: {' '.join(error.messages)}"]
    try:
        obj.clean()
    except ValidationError as error:
        return [
            f"{'' if name == '__all__' else name + ': '}{' '.join(messages)}"
            for name, messages in error.message_dict.items()
        ]
    return []
