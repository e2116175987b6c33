"""The review table: what a change set proposes, field by field, against the values live now."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import NoReverseMatch, reverse

from catalog.models import LanguageModel, Offering, Price, Source, price_contexts
from catalog.review.checks import item_warnings
from catalog.review.models import ChangeItem, ChangeSet
from catalog.review.services import _fields_by_name, live_json


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


REVIEW_FILTERS = {
    "": "All changes",
    "warnings": "Only warnings",
    "prices": "Only price changes",
    "deletions": "Only deletions",
}
REVIEW_PAGE_SIZE = 100


def review_items(*, changeset: ChangeSet, show: str = "") -> models.QuerySet:
    """The set's items in review order: grouped under their top object (model -> offering -> prices)."""
    items = changeset.items.select_related("content_type", "source").order_by("group_label", "group_key", "depth", "id")
    if show == "warnings":
        items = items.exclude(warnings=[])
    elif show == "prices":
        items = items.touching_prices()
    elif show == "deletions":
        items = items.filter(action=ChangeItem.Action.DELETE)
    return items


def review_counts(*, changeset: ChangeSet) -> dict[str, int]:
    """Counts per kind of change and per warning, in one query whatever the size of the set."""
    counts = changeset.items.aggregate(
        total=models.Count("pk"),
        creates=models.Count("pk", filter=models.Q(action=ChangeItem.Action.CREATE)),
        updates=models.Count("pk", filter=models.Q(action=ChangeItem.Action.UPDATE)),
        deletions=models.Count("pk", filter=models.Q(action=ChangeItem.Action.DELETE)),
        prices=models.Count("pk", filter=models.Q(changes__has_key="usd_per_million")),
        warned=models.Count("pk", filter=~models.Q(warnings=[])),
        price_jumps=models.Count("pk", filter=models.Q(warnings__icontains="more than 10x")),
        groups=models.Count("group_key", distinct=True),
    )
    counts["warnings"] = counts.pop("warned")
    return counts


def changeset_diff(*, changeset: ChangeSet, items: list[ChangeItem] | None = None) -> list[ItemDiff]:
    """Field-level review table: object, field, value drafted against, live value, proposed value, flags.

    `items` is the page to show (default: every item). Queries: one per target model, one per related
    model shown, one for per-field sources: bounded by the schema, not the size.
    """
    if items is None:
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
    price_offerings = {obj.offering_id for (model, _pk), obj in live_rows.items() if model is Price} | {
        item.changes["offering"][1]
        for item in items
        if item.target_model() is Price and isinstance(item.changes.get("offering", [None, None])[1], int)
    }
    price_context = price_contexts(price_offerings) if price_offerings and pending else {}

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
        flags = item_warnings(item, live, price_context) if pending else []
        if not live_exists:
            flags.append("The row was deleted after this change was drafted.")
        diffs.append(
            ItemDiff(item=item, target_url=target_url, live_exists=live_exists, stale=stale, rows=rows, flags=flags)
        )
    return diffs


def pending_items_for(obj: models.Model) -> list[ChangeItem]:
    """Proposals not yet applied that target `obj` (and its offerings and their prices), for its change form."""
    content_type = ContentType.objects.get_for_model(obj)
    offering_type, price_type = (ContentType.objects.get_for_model(m) for m in (Offering, Price))
    condition = models.Q(content_type=content_type, object_id=obj.pk)
    offerings = None
    if isinstance(obj, LanguageModel):
        offerings = list(Offering.objects.filter(model=obj).values_list("pk", flat=True))
        condition |= models.Q(content_type=offering_type, object_id__in=offerings) | models.Q(
            content_type=offering_type, action=ChangeItem.Action.CREATE, changes__model__1=obj.pk
        )
    elif isinstance(obj, Offering):
        offerings = [obj.pk]
    if offerings is not None:
        condition |= models.Q(
            content_type=price_type, object_id__in=Price.objects.filter(offering__in=offerings).values("pk")
        ) | models.Q(content_type=price_type, action=ChangeItem.Action.CREATE, changes__offering__1__in=offerings)
    return list(
        ChangeItem.objects.filter(condition, changeset__state__in=ChangeSet.PENDING_STATES)
        .select_related("changeset__author", "content_type", "source")
        .order_by("-changeset_id", "id")
    )
