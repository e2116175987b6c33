"""Checks a reviewer must see and acknowledge: the row as it would read after applying, and price jumps.

Pure over a change item and the live row (no queries), so they run when an item is proposed (stored on
the item for counts and filters) and again on the review page.
"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models

from catalog.models import Offering
from catalog.review.models import ChangeItem

PRICE_JUMP_FACTOR = Decimal(10)


def item_warnings(item: ChangeItem, live: models.Model | None) -> list[str]:
    return _clean_flags(item, live) + _price_jump_flags(item)


def _price_jump_flags(item: ChangeItem) -> list[str]:
    if item.content_type.model_class() is not Offering or item.action != ChangeItem.Action.UPDATE:
        return []
    flags = []
    for name in Offering.PRICE_FIELDS:
        if name not in item.changes:
            continue
        old, new = item.changes[name]
        try:
            old_d, new_d = Decimal(old), Decimal(new)
        except (TypeError, InvalidOperation):
            continue
        if old_d > 0 and new_d > 0 and (new_d / old_d > PRICE_JUMP_FACTOR or old_d / new_d > PRICE_JUMP_FACTOR):
            flags.append(f"{name}: the price changes more than 10x (${old} -> ${new}); check the unit.")
    return flags


def _clean_flags(item: ChangeItem, live: models.Model | None) -> list[str]:
    """Run the model's own checks (no database) on the row as it would read after applying."""
    model = item.target_model()
    if item.action == ChangeItem.Action.DELETE:
        return []
    fields = {f.name: f for f in model._meta.concrete_fields}
    obj = model() if live is None else copy.copy(live)
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
