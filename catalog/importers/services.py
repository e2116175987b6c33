"""Deciding an import without a person, for the local demo: apply what no source disputes, hold the rest.

`changeset_apply_undisputed(...)` takes a submitted import change set, moves every value where sources
disagree (a `SourceDisagreement` beside its item) into a change set of its own, left submitted for a
person, and approves and applies the rest as a system reviewer account (so those facts are labelled as
imported, not reviewed). `make run` uses it for the catalog snapshot; `build_catalog_snapshot` for the
two public catalogs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from catalog.models import (
    AuditEvent,
    ChangeItem,
    ChangeSet,
    ChangeSetError,
    LanguageModel,
    Offering,
    Price,
    SourceDisagreement,
)
from catalog.review.checks import item_warnings
from catalog.review.services import changeset_approve


@dataclass
class UndisputedResult:
    applied: ChangeSet | None  # the import's set, approved and applied (None: every change was disputed)
    held: ChangeSet | None  # the disputed values, submitted for a person (None: nothing was disputed)
    held_items: int = 0
    held_values: int = 0


@transaction.atomic
def changeset_apply_undisputed(*, changeset: ChangeSet, reviewer, name: str = "") -> UndisputedResult:
    """Hold the disputed values of a submitted import for a person; approve and apply the rest as `reviewer`.

    An item with disputed and undisputed fields is cut in two: the disputed fields move (with their
    disagreements) to the held set, the others apply now. Conflicts are per field, so the held part still
    applies once a person approves it. The proposed price rows of an offering whose price, limits or model
    context window is disputed wait with it (they are checked together). A held value that names a row the
    applied part created (a new license, a new offering) is re-pointed at that row after the apply. Raises
    ChangeSetError when the set is not submitted or the undisputed part does not apply (nothing written).
    """
    changeset._locked()
    changeset._require_state(ChangeSet.State.SUBMITTED, action="apply")
    disputed: dict[int, set[str]] = defaultdict(set)
    for item_id, field in SourceDisagreement.objects.filter(change_item__changeset=changeset).values_list(
        "change_item_id", "field"
    ):
        disputed[item_id].add(field)
        if field == "knowledge_cutoff":
            disputed[item_id].add("knowledge_cutoff_precision")  # the precision is part of the cutoff fact
    items = list(changeset.items.select_related("content_type"))
    for item in _price_items_to_hold(items, disputed):
        disputed[item.pk] = set(item.changes)
    held_fields = _held_fields(items, disputed)
    if held_fields and all(held_fields.get(item.pk) == set(item.changes) for item in items):
        return UndisputedResult(applied=None, held=changeset, held_items=len(items), held_values=_values(items))
    held = None
    if held_fields:
        held = _hold(changeset, [item for item in items if item.pk in held_fields], held_fields, reviewer, name)
    if not changeset_approve(
        changeset=changeset,
        user=reviewer,
        comment="Applied without a person's review: no other source disputes these values (local demo).",
        acknowledge_warnings=True,
    ):
        raise ChangeSetError(f"Change set #{changeset.pk} does not apply: {changeset.problems}")
    if held is None:
        return UndisputedResult(applied=changeset, held=None)
    _repoint_new_rows(held, changeset)
    held_items = list(held.items.all())
    return UndisputedResult(applied=changeset, held=held, held_items=len(held_items), held_values=_values(held_items))


def _price_items_to_hold(items: list[ChangeItem], disputed: dict[int, set[str]]) -> list[ChangeItem]:
    """Price items that must wait with a disputed value: an offering's price rows are checked together and
    against the context window it serves, so a disputed price, a disputed offering or a disputed model
    context window holds every proposed price row of the offerings concerned (applying some of them now
    could break the checks: a batch price above a standard price still waiting for review)."""
    by_model = {m: [i for i in items if i.target_model() is m] for m in (LanguageModel, Offering, Price)}

    def new_or_pk(value: Any) -> Any:
        return ("new", value["new"]) if isinstance(value, dict) else ("pk", value)

    def offering_of(item: ChangeItem) -> Any:
        if item.action == ChangeItem.Action.CREATE:
            return new_or_pk(item.changes.get("offering", [None, None])[1])
        return ("pk", live_price_offerings.get(item.object_id))

    price_updates = [i.object_id for i in by_model[Price] if i.action != ChangeItem.Action.CREATE]
    live_price_offerings = dict(Price.objects.filter(pk__in=price_updates).values_list("pk", "offering_id"))
    affected: set[Any] = set()
    for item in by_model[Price]:
        if item.pk in disputed:
            affected.add(offering_of(item))
    for item in by_model[Offering]:
        if item.pk in disputed:
            affected.add(("pk", item.object_id))
    models_with_window = {i.object_id for i in by_model[LanguageModel] if "context_window" in disputed.get(i.pk, ())}
    if models_with_window:
        live = Offering.objects.filter(model_id__in=models_with_window).values_list("pk", flat=True)
        affected |= {("pk", pk) for pk in live}
        for item in by_model[Offering]:
            model = item.changes.get("model", [None, None])[1]
            if item.action == ChangeItem.Action.CREATE and isinstance(model, int) and model in models_with_window:
                affected.add(("new", item.temp_key))
    return [item for item in by_model[Price] if offering_of(item) in affected]


def _values(items: list[ChangeItem]) -> int:
    return sum(len(item.changes) for item in items)


def _held_fields(items: list[ChangeItem], disputed: dict[int, set[str]]) -> dict[int, set[str]]:
    """item pk -> the fields that wait. An item is cut only when the fields applied now leave the row valid
    on its own (max output against a context window still waiting, a cutoff against a release date ...);
    otherwise it waits whole."""
    cut = [item for item in items if disputed.get(item.pk, set()) & set(item.changes) not in (set(), set(item.changes))]
    live = _live_rows(cut)
    held: dict[int, set[str]] = {}
    for item in items:
        fields = disputed.get(item.pk, set()) & set(item.changes)
        if not fields:
            continue
        if item in cut:
            rest = ChangeItem(
                action=item.action,
                content_type=item.content_type,
                object_repr=item.object_repr,
                changes={name: pair for name, pair in item.changes.items() if name not in fields},
            )
            if set(item_warnings(rest, live.get((item.target_model(), item.object_id)))) - set(item.warnings):
                fields = set(item.changes)
        held[item.pk] = fields
    return held


def _live_rows(items: list[ChangeItem]) -> dict[tuple[Any, int], Any]:
    ids_by_model: dict[Any, set[int]] = defaultdict(set)
    for item in items:
        if item.object_id is not None:
            ids_by_model[item.target_model()].add(item.object_id)
    return {
        (model, pk): obj
        for model, ids in ids_by_model.items()
        for pk, obj in model._default_manager.in_bulk(ids).items()
    }


def _hold(
    changeset: ChangeSet, items: list[ChangeItem], disputed: dict[int, set[str]], reviewer, name: str
) -> ChangeSet:
    held = ChangeSet.objects.create(
        author_id=changeset.author_id,
        name=(name or changeset.name)[:120],
        summary=(
            f"Values where sources disagree with a reviewed value, held for a person's review "
            f"(part of #{changeset.pk}: {changeset.summary})"
        )[:2000],
        split_from=changeset,
        state=ChangeSet.State.SUBMITTED,
        submitted_at=changeset.submitted_at,
    )
    moved, copies, trimmed = [], [], []
    for item in items:
        fields = disputed[item.pk] & set(item.changes)
        if not fields:
            continue
        if fields == set(item.changes):
            moved.append(item.pk)
            continue
        copy = ChangeItem(
            changeset=held,
            action=item.action,
            content_type=item.content_type,
            object_id=item.object_id,
            object_repr=item.object_repr,
            changes={name: item.changes[name] for name in item.changes if name in fields},
            base_version=item.base_version,
            source_id=item.source_id,
            field_sources={k: v for k, v in item.field_sources.items() if k in fields},
            group_key=item.group_key,
            group_label=item.group_label,
            depth=item.depth,
        )
        item.changes = {name: pair for name, pair in item.changes.items() if name not in fields}
        item.field_sources = {k: v for k, v in item.field_sources.items() if k not in fields}
        copies.append((item, copy))
        trimmed.append(item)
    ChangeItem.objects.filter(pk__in=moved).update(changeset=held)
    ChangeItem.objects.bulk_create([copy for _item, copy in copies], batch_size=500)
    for item, copy in copies:
        SourceDisagreement.objects.filter(change_item=item).update(change_item=copy)
    _refresh_warnings([*trimmed, *(copy for _item, copy in copies)])
    details = {"held": held.pk, "items": len(items)}
    changeset._record(user=reviewer, action=AuditEvent.Action.SPLIT, from_state=changeset.state, details=details)
    held._record(user=reviewer, action=AuditEvent.Action.SPLIT, from_state="", details={"from": changeset.pk})
    return held


def _refresh_warnings(items: list[ChangeItem]) -> None:
    """Warnings follow the fields an item carries (a cut item may lose one)."""
    live = _live_rows(items)
    for item in items:
        item.warnings = item_warnings(item, live.get((item.target_model(), item.object_id)))
    ChangeItem.objects.bulk_update(items, ["changes", "field_sources", "warnings"], batch_size=500)


def _repoint_new_rows(held: ChangeSet, applied: ChangeSet) -> None:
    """{"new": key} values in the held set -> the pk of the row the applied set created under that key."""
    created = dict(
        applied.items.filter(action=ChangeItem.Action.CREATE).exclude(temp_key="").values_list("temp_key", "object_id")
    )
    changed = []
    for item in held.items.all():
        pairs = {}
        for name, (old, new) in item.changes.items():
            if isinstance(new, dict) and new.get("new") in created:
                new = created[new["new"]]
            pairs[name] = [old, new]
        if pairs != item.changes:
            item.changes = pairs
            changed.append(item)
    ChangeItem.objects.bulk_update(changed, ["changes"], batch_size=500)
