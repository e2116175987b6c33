"""The review table: what a change set proposes, field by field, against the values live now."""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import NoReverseMatch, reverse

from catalog.models import Offering, Source
from catalog.review.models import ChangeItem, ChangeSet
from catalog.review.services import PRICE_JUMP_FACTOR, _fields_by_name, live_json, value_from_json


@dataclass
class DiffRow:
    field: str
    label: str
    drafted: str
    live: str
    proposed: str
    stale: bool
    source: Source | None = None


@dataclass
class ItemDiff:
    item: ChangeItem
    target_url: str
    live_exists: bool
    stale: bool
    rows: list[DiffRow]
    flags: list[str]


def _display(model_field: models.Field | None, value: Any, related: dict[tuple[type, Any], str]) -> str:
    if value is None or value == "":
        return "—"
    if model_field is not None and model_field.is_relation:
        if isinstance(value, dict):
            return f"(new row {value.get('new')})"
        return related.get((model_field.related_model, value), f"#{value} (missing)")
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(empty list)"
    return str(value)


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
    fields = _fields_by_name(model)
    obj = model() if live is None else copy.copy(live)
    for name, (_old, new) in item.changes.items():
        if isinstance(new, dict):
            continue
        try:
            setattr(obj, fields[name].attname, value_from_json(fields[name], new))
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


def changeset_diff(*, changeset: ChangeSet) -> list[ItemDiff]:
    """Field-level review table: object, field, value drafted against, live value, proposed value, flags.

    Queries: items, one per target model, one per related model shown, one for per-field sources: bounded by
    the schema, not the size.
    """
    items = list(changeset.items.select_related("content_type", "source"))
    field_source_ids = {pk for item in items for pk in item.field_sources.values() if pk}
    field_sources = Source.objects.in_bulk(field_source_ids) if field_source_ids else {}
    pending = changeset.state in ChangeSet.PENDING_STATES  # once decided, "live moved" is no longer a warning
    ids_by_model: dict[type[models.Model], set[int]] = defaultdict(set)
    for item in items:
        if item.object_id:
            ids_by_model[item.target_model()].add(item.object_id)
    live_rows = {
        (model, pk): obj
        for model, ids in ids_by_model.items()
        for pk, obj in model._default_manager.in_bulk(ids).items()
    }

    related_ids: dict[type[models.Model], set[Any]] = defaultdict(set)
    for item in items:
        fields = _fields_by_name(item.target_model())
        live = live_rows.get((item.target_model(), item.object_id))
        for name, pair in item.changes.items():
            f = fields.get(name)
            if f is None or not f.is_relation:
                continue
            values = [*pair, live_json(live, f) if live else None]
            related_ids[f.related_model].update(v for v in values if v is not None and not isinstance(v, dict))
    related = {
        (model, pk): str(obj)
        for model, ids in related_ids.items()
        for pk, obj in model._default_manager.in_bulk(ids).items()
    }

    diffs = []
    for item in items:
        model = item.target_model()
        fields = _fields_by_name(model)
        live = live_rows.get((model, item.object_id)) if item.object_id else None
        rows = []
        for name, (old, new) in item.changes.items():
            f = fields.get(name)
            current = live_json(live, f) if live is not None and f is not None else None
            if item.action == ChangeItem.Action.CREATE and new in (None, "", []):
                continue
            rows.append(
                DiffRow(
                    field=name,
                    label=str(f.verbose_name) if f is not None else name,
                    drafted=_display(f, old, related),
                    live=_display(f, current, related) if live is not None else "—",
                    proposed="(deleted)" if item.action == ChangeItem.Action.DELETE else _display(f, new, related),
                    stale=pending and live is not None and current != old,
                    source=field_sources.get(item.field_sources[name]) if name in item.field_sources else item.source,
                )
            )
        target_url = ""
        if live is not None:
            try:
                target_url = reverse(f"admin:catalog_{model._meta.model_name}_change", args=[live.pk])
            except NoReverseMatch:
                target_url = ""
        live_exists = item.action == ChangeItem.Action.CREATE or live is not None or not pending
        stale = pending and live is not None and item.base_version is not None and live.version != item.base_version
        flags = _clean_flags(item, live) + _price_jump_flags(item) if pending else []
        if not live_exists:
            flags.append("The row was deleted after this change was drafted.")
        diffs.append(
            ItemDiff(item=item, target_url=target_url, live_exists=live_exists, stale=stale, rows=rows, flags=flags)
        )
    return diffs


def pending_items_for(obj: models.Model) -> list[ChangeItem]:
    """Proposals not yet applied that target `obj` (and, for a model, its offerings), for its change form."""
    content_type = ContentType.objects.get_for_model(obj)
    condition = models.Q(content_type=content_type, object_id=obj.pk)
    if content_type.model_class()._meta.model_name == "languagemodel":
        offering_type = ContentType.objects.get_for_model(Offering)
        condition |= models.Q(
            content_type=offering_type, object_id__in=Offering.objects.filter(model=obj).values("pk")
        ) | models.Q(content_type=offering_type, action=ChangeItem.Action.CREATE, changes__model__1=obj.pk)
    return list(
        ChangeItem.objects.filter(condition, changeset__state__in=ChangeSet.PENDING_STATES)
        .select_related("changeset__author", "content_type", "source")
        .order_by("-changeset_id", "id")
    )
