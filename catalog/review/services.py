"""Operations of the review workflow that span several models (HackSoftware-style keyword-only functions).

Values in a `ChangeItem` are JSON: decimals and dates as strings, foreign keys as the target's pk, or
`{"new": key}` for a row created by an earlier item of the same change set.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from catalog.models import (
    BenchmarkResult,
    LanguageModel,
    Offering,
    Price,
    Provenance,
    Source,
    price_contexts,
    price_row_errors,
    refresh_price_summaries,
    refresh_provider_counts,
)
from catalog.review import notifications
from catalog.review.checks import item_warnings
from catalog.review.models import (
    AuditEvent,
    CatalogRevision,
    ChangeItem,
    ChangeSet,
    ChangeSetError,
    ItemComment,
    Review,
)

EDITORS_GROUP = "Editors"
REVIEWERS_GROUP = "Reviewers"


class ChangeSetConflict(ChangeSetError):
    """Applying would overwrite newer live values or write invalid rows; `problems` says where."""

    def __init__(self, problems: list[dict[str, Any]]):
        self.problems = problems
        super().__init__("; ".join(p["message"] for p in problems))


@dataclass(frozen=True)
class NewRef:
    """A foreign key to a row another change in the same change set creates."""

    key: str


@dataclass
class ProposedChange:
    """One change to propose: `values` are Python values (model instances or pks for FKs, NewRef for new rows).

    `source` backs every value; `field_sources` names another source for some fields.
    """

    action: str
    model: type[models.Model]
    values: dict[str, Any] = field(default_factory=dict)
    target: models.Model | None = None
    source: Source | None = None
    key: str = ""
    field_sources: dict[str, Source] = field(default_factory=dict)
    dependants: str = "propose"
    """For a delete: "propose" also proposes removing (or unlinking) every row that refers to the target;
    "refuse" refuses a target with dependants, naming them; "included" means the caller proposed them."""


# -- values ---------------------------------------------------------------------------------------------


def editable_fields(model: type[models.Model]) -> list[models.Field]:
    """The concrete fields a change item may carry (not the pk, not `version`)."""
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.editable and f.name != "version"]


def value_to_json(model_field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, NewRef):
        return {"new": value.key}
    if model_field.is_relation:
        return value.pk if isinstance(value, models.Model) else value
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text if text != "-0" else "0"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def value_from_json(model_field: models.Field, value: Any, refs: dict[str, int] | None = None) -> Any:
    if value is None:
        return None
    if model_field.is_relation:
        if isinstance(value, dict):
            key = value.get("new")
            if refs is None or key not in refs:
                raise ChangeSetError(f"{model_field.name} refers to a new row ({key}) that is not created yet.")
            return refs[key]
        return value
    return model_field.to_python(value)


def live_json(obj: models.Model, model_field: models.Field) -> Any:
    return value_to_json(model_field, model_field.value_from_object(obj))


def _fields_by_name(model: type[models.Model]) -> dict[str, models.Field]:
    return {f.name: f for f in editable_fields(model)}


# -- drafting -------------------------------------------------------------------------------------------


def system_user(username: str, *, reviewer: bool = False) -> Any:
    """An account without a usable password for programmatic change sets (importers, the demo loader).

    With `reviewer=True` it joins the Reviewers group so it can approve another account's change sets.
    """
    from django.contrib.auth.models import Group

    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if reviewer:
        user.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
        if hasattr(user, "_perm_cache"):
            del user._perm_cache
    return user


def changeset_open_draft(*, user, name: str = "") -> ChangeSet:
    """The user's newest draft change set, created (and audited) on first use; with `name`, a new named draft."""
    name = name.strip()
    draft = None if name else ChangeSet.objects.drafts_of(user).order_by("-id").first()
    if draft is None:
        draft = ChangeSet.objects.create(author=user, name=name[:120])
        draft._record(user=user, action=AuditEvent.Action.CREATED, from_state="")
    return draft


@transaction.atomic
def changeset_reopen(*, changeset: ChangeSet, user) -> ChangeSet:
    """A rejected or withdrawn set starts again as a new draft of its author, redrafted on the live values."""
    changeset._locked()
    changeset._require_state(ChangeSet.State.REJECTED, ChangeSet.State.WITHDRAWN, action="reopen")
    changeset._require_author(user, "reopen")
    draft = ChangeSet.objects.create(
        author=user, name=changeset.name, summary=changeset.summary, reopened_from=changeset
    )
    draft._record(user=user, action=AuditEvent.Action.CREATED, from_state="", details={"reopens": changeset.pk})
    copies = []
    for item in changeset.items.all():
        item.pk = None
        item.changeset = draft
        copies.append(item)
    ChangeItem.objects.bulk_create(copies)
    dropped = changeset_rebase_items(changeset=draft)
    changeset._record(
        user=user,
        action=AuditEvent.Action.REOPENED,
        from_state=changeset.state,
        details={"draft": draft.pk, "dropped": dropped},
    )
    return draft


@transaction.atomic
def changeset_comment_item(*, item: ChangeItem, user, text: str) -> ItemComment:
    """A note on one item, by its author or a reviewer, while the set is pending."""
    changeset = item.changeset
    if changeset.state not in ChangeSet.PENDING_STATES:
        raise ChangeSetError(
            f"Change set #{changeset.pk} is {changeset.get_state_display().lower()}: no more comments."
        )
    if user.pk != changeset.author_id and not user.has_perm("catalog.review_changeset"):
        raise ChangeSetError("Only the author or a reviewer can comment on a change.")
    text = (text or "").strip()
    if not text:
        raise ChangeSetError("Write a comment first.")
    return ItemComment.objects.create(item=item, author=user, text=text)


@transaction.atomic
def changeset_decide_items(
    *, changeset: ChangeSet, user, item_ids: list[int], decision: str, comment: str = "", acknowledge_warnings=False
) -> ChangeSet:
    """Approve (apply) or reject some items of a submitted set; the rest stays in review.

    The chosen items move to a new change set (`split_from` the original) that is approved or rejected as
    a whole, so every item is still decided, audited and applied through one change set.
    """
    changeset._locked()
    changeset._require_state(ChangeSet.State.SUBMITTED, action=decision)
    changeset._require_reviewer(user, decision)
    chosen = list(changeset.items.filter(pk__in=item_ids))
    if not chosen:
        raise ChangeSetError("Select at least one change.")
    if len(chosen) == changeset.items.count():
        raise ChangeSetError("Every change is selected: approve or reject the whole change set instead.")
    keys = {item.temp_key for item in chosen if item.temp_key}
    rest_keys = set(changeset.items.exclude(pk__in=item_ids).exclude(temp_key="").values_list("temp_key", flat=True))
    for item in chosen:
        needs = {v[1]["new"] for v in item.changes.values() if isinstance(v[1], dict) and "new" in v[1]}
        if needs & rest_keys and not needs <= keys:
            raise ChangeSetError(f"{item.describe()} refers to a new row created by an unselected change: select both.")
    label = changeset.name or changeset.summary
    part = ChangeSet.objects.create(
        author_id=changeset.author_id,
        name=changeset.name,
        summary=f"{label} (part of #{changeset.pk})",
        split_from=changeset,
        state=ChangeSet.State.SUBMITTED,
        submitted_at=changeset.submitted_at,
    )
    ChangeItem.objects.filter(pk__in=[i.pk for i in chosen]).update(changeset=part)
    details = {"items": len(chosen), "part": part.pk, "decision": decision}
    changeset._record(
        user=user, action=AuditEvent.Action.SPLIT, from_state=changeset.state, comment=comment, details=details
    )
    part._record(
        user=user, action=AuditEvent.Action.SPLIT, from_state="", comment=comment, details={"from": changeset.pk}
    )
    if decision == "approve":
        changeset_approve(changeset=part, user=user, comment=comment, acknowledge_warnings=acknowledge_warnings)
    else:
        part.reject(user=user, comment=comment)
    return part


def _require_editable(changeset: ChangeSet, user) -> None:
    if changeset.state != ChangeSet.State.DRAFT:
        raise ChangeSetError(f"Change set #{changeset.pk} is {changeset.get_state_display().lower()}, not a draft.")
    if changeset.author_id != user.pk:
        raise ChangeSetError(f"Only the author of change set #{changeset.pk} can edit it.")


@transaction.atomic
def changeset_propose(*, user, change: ProposedChange, changeset: ChangeSet | None = None) -> ChangeItem | None:
    """Record one change in the user's draft (merging with an earlier item on the same row).

    The live row is not touched. Returns None when the change turns out to be a no-op.
    """
    changeset = changeset or changeset_open_draft(user=user)
    _require_editable(changeset, user)
    model = change.model
    fields = _fields_by_name(model)
    unknown = set(change.values) - set(fields)
    if unknown:
        raise ChangeSetError(f"{model._meta.verbose_name} has no editable field {', '.join(sorted(unknown))}.")
    unsourced = set(change.field_sources) - set(change.values)
    if unsourced and change.action != ChangeItem.Action.DELETE:
        raise ChangeSetError(f"field_sources names fields the change does not set: {', '.join(sorted(unsourced))}.")
    content_type = ContentType.objects.get_for_model(model)
    source_id = change.source.pk if change.source else None
    # A field mapped to None is recorded without provenance (a restored value nobody had sourced).
    field_sources = {
        name: source.pk if source is not None else None
        for name, source in change.field_sources.items()
        if source is None or source.pk != source_id
    }

    if change.action == ChangeItem.Action.CREATE:
        item = ChangeItem.objects.create(
            changeset=changeset,
            action=ChangeItem.Action.CREATE,
            content_type=content_type,
            temp_key=change.key or uuid.uuid4().hex[:12],
            object_repr=_repr_for_new(model, change.values),
            changes={name: [None, value_to_json(fields[name], value)] for name, value in change.values.items()},
            source_id=source_id,
            field_sources=field_sources,
        )
        _annotate_item(item, None)
        changeset._record(
            user=user, action=AuditEvent.Action.PROPOSED, from_state=changeset.state, details={"item": item.pk}
        )
        return item

    if change.target is None or change.target.pk is None:
        raise ChangeSetError("An update or delete needs an existing target row.")
    live = model._default_manager.get(pk=change.target.pk)
    existing = ChangeItem.objects.filter(changeset=changeset, content_type=content_type, object_id=live.pk).first()

    if change.action == ChangeItem.Action.DELETE:
        _propose_dependants(user=user, change=change, changeset=changeset, live=live)
        existing = ChangeItem.objects.filter(changeset=changeset, content_type=content_type, object_id=live.pk).first()
        snapshot = {name: [live_json(live, f), None] for name, f in fields.items()}
        if existing is not None:
            existing.delete()
        item = ChangeItem.objects.create(
            changeset=changeset,
            action=ChangeItem.Action.DELETE,
            content_type=content_type,
            object_id=live.pk,
            object_repr=str(live)[:300],
            changes=snapshot,
            base_version=live.version,
            source_id=source_id or (existing.source_id if existing else None),
        )
    else:
        changes = _merged_changes(existing, change, live, fields)
        if existing is not None and existing.action == ChangeItem.Action.DELETE:
            return existing  # a pending delete wins until the editor removes it
        if not changes:
            if existing is not None:
                existing.delete()
            return None
        item = _update_item(changeset, content_type, existing, change, live, changes, source_id, field_sources)
        if existing is not None:
            item.save(update_fields=["changes", "object_repr", "source", "field_sources", "updated_at"])
        else:
            item.save()
    _annotate_item(item, live)
    changeset._record(
        user=user, action=AuditEvent.Action.PROPOSED, from_state=changeset.state, details={"item": item.pk}
    )
    return item


@transaction.atomic
def changeset_propose_many(
    *, user, changes: list[ProposedChange], changeset: ChangeSet, progress: Callable[[int, int], None] | None = None
) -> list[ChangeItem | None]:
    """`changeset_propose` for each change in turn, with the same items, in a bounded number of queries.

    Live targets, the items already pending on them and the rows items are listed under are read in bulk;
    items and their audit events are inserted in batches (an import of 14,000 changes is a few dozen
    statements, not five per change). Deletes, which propose their dependants, go through
    `changeset_propose` one by one. Returns, per change, its item or None (a no-op), as `changeset_propose`.
    One difference: an item that a later change of the same call undoes is never written, so it has no
    audit event either (one by one, its "proposed" event outlives it).
    """
    _require_editable(changeset, user)
    results: list[ChangeItem | None] = []
    segment: list[ProposedChange] = []
    for change in changes:
        if change.action == ChangeItem.Action.DELETE:
            results += _propose_batch(user=user, changes=segment, changeset=changeset)
            segment = []
            results.append(changeset_propose(user=user, change=change, changeset=changeset))
            if progress is not None:
                progress(len(results), len(changes))
        else:
            segment.append(change)
    results += _propose_batch(user=user, changes=segment, changeset=changeset)
    if progress is not None:
        progress(len(results), len(changes))
    return results


def _rows_for_repr(model: type[models.Model]) -> models.QuerySet:
    """`model`'s rows with what `str()` of them reads (two levels of foreign keys) joined in."""
    names = []
    for f in model._meta.concrete_fields:
        if f.is_relation and f.many_to_one:
            names.append(f.name)
            names += [
                f"{f.name}__{g.name}" for g in f.related_model._meta.concrete_fields if g.is_relation and g.many_to_one
            ]
    rows = model._default_manager.all()
    return rows.select_related(*names) if names else rows  # a model without foreign keys joins nothing


class _RowCache:
    """Rows read in bulk by (model, pk); a pk not read yet costs one query (and is remembered)."""

    def __init__(self) -> None:
        self.rows: dict[type[models.Model], dict[Any, models.Model | None]] = defaultdict(dict)

    def load(self, model: type[models.Model], pks: set[Any]) -> None:
        missing = sorted(pks - self.rows[model].keys())
        rows = _rows_for_repr(model)
        for chunk in _chunks(missing):
            found = rows.in_bulk(chunk)
            for pk in chunk:
                self.rows[model][pk] = found.get(pk)

    def get(self, model: type[models.Model], pk: Any) -> models.Model | None:
        if pk not in self.rows[model]:
            self.load(model, {pk})
        return self.rows[model][pk]

    def load_parents(self, pairs: list[tuple[ChangeItem, models.Model | None]]) -> None:
        """Every row above these items along `review_parent` links, level by level (a query per model and
        level, whatever the number of items)."""
        wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        for item, live in pairs:
            model = item.target_model()
            parent_name = getattr(model, "review_parent", None)
            if parent_name:
                f = model._meta.get_field(parent_name)
                value = _parent_value(item, live, f)
                if value is not None and not isinstance(value, dict):
                    wanted[f.related_model].add(value)
        while wanted:
            above: dict[type[models.Model], set[Any]] = defaultdict(set)
            for model, pks in wanted.items():
                self.load(model, pks)
                parent_name = getattr(model, "review_parent", None)
                if not parent_name:
                    continue
                f = model._meta.get_field(parent_name)
                for pk in pks:
                    obj = self.rows[model][pk]
                    if obj is not None and getattr(obj, f.attname) is not None:
                        above[f.related_model].add(getattr(obj, f.attname))
            wanted = above


def _propose_batch(*, user, changes: list[ProposedChange], changeset: ChangeSet) -> list[ChangeItem | None]:
    """Creates and updates for `changeset_propose_many`, item for item as `changeset_propose` makes them."""
    if not changes:
        return []
    prepared = []
    types: dict[type[models.Model], ContentType] = {}
    for change in changes:
        model = change.model
        fields = _fields_by_name(model)
        unknown = set(change.values) - set(fields)
        if unknown:
            raise ChangeSetError(f"{model._meta.verbose_name} has no editable field {', '.join(sorted(unknown))}.")
        unsourced = set(change.field_sources) - set(change.values)
        if unsourced:
            raise ChangeSetError(f"field_sources names fields the change does not set: {', '.join(sorted(unsourced))}.")
        if change.action != ChangeItem.Action.CREATE and (change.target is None or change.target.pk is None):
            raise ChangeSetError("An update or delete needs an existing target row.")
        content_type = types.get(model) or types.setdefault(model, ContentType.objects.get_for_model(model))
        source_id = change.source.pk if change.source else None
        field_sources = {
            name: source.pk if source is not None else None
            for name, source in change.field_sources.items()
            if source is None or source.pk != source_id
        }
        prepared.append((change, fields, content_type, source_id, field_sources))

    # The live rows updates are drafted against, and the items already pending on them: read in bulk.
    cache = _RowCache()
    targets: dict[type[models.Model], set[Any]] = defaultdict(set)
    for change, *_rest in prepared:
        if change.action != ChangeItem.Action.CREATE:
            targets[change.model].add(change.target.pk)
    pending: dict[tuple[int, Any], ChangeItem] = {}
    for model, pks in targets.items():
        cache.load(model, pks)
        for pk in pks:
            if cache.rows[model][pk] is None:
                raise model.DoesNotExist(f"{model._meta.object_name} #{pk} does not exist.")
        for chunk in _chunks(sorted(pks)):
            for item in changeset.items.filter(content_type=types[model], object_id__in=chunk).order_by("id"):
                pending.setdefault((item.content_type_id, item.object_id), item)

    # Rows a new item's name is made of, when given by pk (the first two relations, as _repr_for_new reads).
    named: dict[type[models.Model], set[Any]] = defaultdict(set)
    for change, fields, *_rest in prepared:
        if change.action == ChangeItem.Action.CREATE and not (change.values.get("name") or change.values.get("title")):
            for name, value in change.values.items():
                if fields[name].is_relation and isinstance(value, int):
                    named[fields[name].related_model].add(value)
    for model, pks in named.items():
        cache.load(model, pks)

    results: list[ChangeItem | None] = []
    created: list[ChangeItem] = []
    new_by_key: dict[str, ChangeItem] = {}
    changed: dict[int, ChangeItem] = {}  # items saved before this call that this call rewrites
    removed: set[int] = set()
    audited: list[ChangeItem] = []
    drafted: list[tuple[ChangeItem, models.Model | None]] = []
    for change, fields, content_type, source_id, field_sources in prepared:
        model = change.model
        if change.action == ChangeItem.Action.CREATE:
            item = ChangeItem(
                changeset=changeset,
                action=ChangeItem.Action.CREATE,
                content_type=content_type,
                temp_key=change.key or uuid.uuid4().hex[:12],
                object_repr=_repr_for_new(model, change.values, row=cache.get),
                changes={name: [None, value_to_json(fields[name], value)] for name, value in change.values.items()},
                source_id=source_id,
                field_sources=field_sources,
            )
            created.append(item)
            new_by_key[item.temp_key] = item
            drafted.append((item, None))
            audited.append(item)
            results.append(item)
            continue
        live = cache.rows[model][change.target.pk]
        existing = pending.get((content_type.pk, live.pk))
        changes_ = _merged_changes(existing, change, live, fields)
        if existing is not None and existing.action == ChangeItem.Action.DELETE:
            results.append(existing)
            continue
        if not changes_:
            if existing is not None:
                del pending[(content_type.pk, live.pk)]
                if existing.pk is None:
                    created.remove(existing)
                else:
                    removed.add(existing.pk)
                    changed.pop(existing.pk, None)
            results.append(None)
            continue
        item = _update_item(changeset, content_type, existing, change, live, changes_, source_id, field_sources)
        if existing is None:
            created.append(item)
            pending[(content_type.pk, live.pk)] = item
        elif item.pk is not None:
            changed[item.pk] = item
        drafted.append((item, live))
        audited.append(item)
        results.append(item)

    # Warnings (a price row against its offering's live rows, read once) and review groups, as proposed.
    cache.load_parents(drafted)
    price_type = types.get(Price)
    offering_ids = set()
    for item, live in drafted:
        if item.content_type_id == getattr(price_type, "pk", None):
            offering_id = live.offering_id if live is not None else item.changes.get("offering", [None, None])[1]
            if isinstance(offering_id, int):
                offering_ids.add(offering_id)
    contexts: dict = {}
    for chunk in _chunks(sorted(offering_ids)):
        contexts |= price_contexts(set(chunk))

    def parent_item(key: str) -> ChangeItem | None:
        return new_by_key.get(key) or changeset.items.filter(temp_key=key).first()

    for item, live in drafted:
        offering_id = None
        if item.content_type_id == getattr(price_type, "pk", None):
            offering_id = live.offering_id if live is not None else item.changes.get("offering", [None, None])[1]
        item.warnings = item_warnings(item, live, contexts if isinstance(offering_id, int) else None)
        item.group_key, item.group_label, item.depth = _group_of(item, live, row=cache.get, parent_item=parent_item)

    if removed:
        ChangeItem.objects.filter(pk__in=sorted(removed)).delete()
    ChangeItem.objects.bulk_create(created, batch_size=BATCH)
    now = timezone.now()
    for item in changed.values():
        item.updated_at = now
    bulk_update_rows(
        ChangeItem,
        list(changed.values()),
        [
            "changes",
            "object_repr",
            "source",
            "field_sources",
            "warnings",
            "group_key",
            "group_label",
            "depth",
            "updated_at",
        ],
    )
    bulk_insert_rows(
        AuditEvent,
        [
            AuditEvent(
                changeset=changeset,
                actor=user,
                action=AuditEvent.Action.PROPOSED,
                from_state=changeset.state,
                to_state=changeset.state,
                details={"item": item.pk},
            )
            for item in audited
            if item.pk is not None
        ],
    )
    return results


def _merged_changes(
    existing: ChangeItem | None, change: ProposedChange, live: models.Model, fields: dict[str, models.Field]
) -> dict[str, list[Any]]:
    """field -> [old, new] after adding an update to the item already pending on the row (if any)."""
    changes = dict(existing.changes) if existing and existing.action == ChangeItem.Action.UPDATE else {}
    for name, value in change.values.items():
        new = value_to_json(fields[name], value)
        old = changes[name][0] if name in changes else live_json(live, fields[name])
        if new == old:
            changes.pop(name, None)
        else:
            changes[name] = [old, new]
    return changes


def _annotate_item(item: ChangeItem, live: models.Model | None) -> None:
    """Store the item's warnings and where the review page lists it (under its model, for an offering)."""
    item.warnings = item_warnings(item, live)
    item.group_key, item.group_label, item.depth = _group_of(item, live)
    item.save(update_fields=["warnings", "group_key", "group_label", "depth"])


RowLookup = Callable[[type[models.Model], Any], models.Model | None]


def _parent_value(item: ChangeItem, live: models.Model | None, f: models.Field) -> Any:
    """The review parent's pk (or {"new": key}) as the row reads after the item, else before it."""
    if f.name in item.changes and item.action != ChangeItem.Action.DELETE:
        return item.changes[f.name][1]
    if live is not None:
        return getattr(live, f.attname)
    return item.changes.get(f.name, [None, None])[0]


def _group_of(
    item: ChangeItem,
    live: models.Model | None,
    *,
    row: RowLookup | None = None,
    parent_item: Callable[[str], ChangeItem | None] | None = None,
) -> tuple[str, str, int]:
    """(key, label, depth) of the top object above this item, following each model's `review_parent` field.

    `row(model, pk)` and `parent_item(temp_key)` find the parents; by default a query each (the bulk
    proposal passes lookups into rows it read in bulk)."""
    row = row or (lambda model, pk: model._default_manager.filter(pk=pk).first())
    parent_item = parent_item or (lambda key, item=item: item.changeset.items.filter(temp_key=key).first())
    model = item.target_model()
    key = f"{model._meta.model_name}:{item.object_id}" if item.object_id else f"new:{item.temp_key}"
    label, depth = item.object_repr, 0
    parent_name = getattr(model, "review_parent", None)
    while parent_name:
        f = model._meta.get_field(parent_name)
        value = _parent_value(item, live, f)
        depth += 1
        if isinstance(value, dict):  # a parent created by the same change set
            parent = parent_item(value.get("new"))
            if parent is None:
                break
            return _group_of_parent(parent, depth)
        if value is None:
            break
        model = f.related_model
        live = row(model, value)
        key, label = f"{model._meta.model_name}:{value}", str(live) if live else f"#{value}"
        parent_name = getattr(model, "review_parent", None)
        item = ChangeItem(content_type=item.content_type, action=ChangeItem.Action.UPDATE, changes={})
    return key, label[:300], depth


def _group_of_parent(parent_item: ChangeItem, depth: int) -> tuple[str, str, int]:
    key, label, parent_depth = parent_item.group_key, parent_item.group_label, parent_item.depth
    if not key:
        key, label, parent_depth = f"new:{parent_item.temp_key}", parent_item.object_repr, 0
    return key, label, parent_depth + depth


def deletion_plan(obj: models.Model) -> tuple[list[models.Model], list[tuple[models.Model, str]]]:
    """What deleting `obj` takes with it: (rows to delete, children first; (row, field) links to clear).

    Walks every reverse foreign key from a catalog entity (a VersionedModel) generically, level by level
    (one query per relation and level, not per row), so a new entity such as a price is covered without
    listing it here. A non-null reference means the row goes too; a nullable one is cleared instead.
    """
    from catalog.models import VersionedModel

    seen = {(type(obj), obj.pk)}
    levels: list[list[models.Model]] = []
    links: list[tuple[models.Model, str]] = []
    level = [obj]
    while level:
        by_model: dict[type[models.Model], list[Any]] = defaultdict(list)
        for row in level:
            by_model[type(row)].append(row.pk)
        below: list[models.Model] = []
        for parent_model, pks in by_model.items():
            for relation in parent_model._meta.related_objects:
                related = relation.related_model
                if relation.many_to_many or not issubclass(related, VersionedModel):
                    continue
                fk = relation.field
                for row in related._default_manager.filter(**{f"{fk.name}__in": pks}).order_by("pk"):
                    if (type(row), row.pk) in seen:
                        continue
                    if fk.null:
                        links.append((row, fk.name))
                    else:
                        seen.add((type(row), row.pk))
                        below.append(row)
        if below:
            levels.append(below)
        level = below
    deletes = [row for rows in reversed(levels) for row in rows]
    links = [(row, name) for row, name in links if (type(row), row.pk) not in seen]
    return deletes, links


def _propose_dependants(*, user, change: ProposedChange, changeset: ChangeSet, live: models.Model) -> None:
    """Before a delete: propose clearing nullable references and deleting dependent rows, children first."""
    if change.dependants == "included":
        return
    deletes, links = deletion_plan(live)
    proposed = {
        (ct_id, pk)
        for ct_id, pk in changeset.items.filter(action=ChangeItem.Action.DELETE).values_list(
            "content_type_id", "object_id"
        )
    }

    def key(row: models.Model) -> tuple[int, Any]:
        return ContentType.objects.get_for_model(row).pk, row.pk

    deletes = [row for row in deletes if key(row) not in proposed]
    links = [(row, name) for row, name in links if key(row) not in proposed]
    if not deletes and not links:
        return
    if change.dependants == "refuse":
        named = [f"{row._meta.verbose_name} “{row}”" for row in deletes] + [
            f"{row._meta.verbose_name} “{row}” ({name})" for row, name in links
        ]
        shown = ", ".join(named[:10]) + (f" and {len(named) - 10} more" if len(named) > 10 else "")
        raise ChangeSetError(f"{live} cannot be deleted on its own: these rows refer to it: {shown}.")
    for row, name in links:
        changeset_propose(
            user=user,
            change=ProposedChange(
                ChangeItem.Action.UPDATE, type(row), values={name: None}, target=row, source=change.source
            ),
            changeset=changeset,
        )
    for row in deletes:
        changeset_propose(
            user=user,
            change=ProposedChange(
                ChangeItem.Action.DELETE, type(row), target=row, source=change.source, dependants="included"
            ),
            changeset=changeset,
        )


def row_changes_since(*, obj: models.Model, version: int) -> list[tuple[ChangeSet, set[str]]]:
    """Applied change sets that wrote `obj` after it was at `version`, newest first, with the fields each wrote."""
    content_type = ContentType.objects.get_for_model(obj)
    items = (
        ChangeItem.objects.applied()
        .filter(content_type=content_type, object_id=obj.pk, base_version__gte=version)
        .select_related("changeset__author")
        .prefetch_related("changeset__reviews__reviewer")
        .order_by("-changeset__applied_at", "-id")
    )
    return [(item.changeset, set(item.changes)) for item in items]


def _update_item(
    changeset: ChangeSet, content_type, existing: ChangeItem | None, change, live, changes, source_id, field_sources
) -> ChangeItem:
    """The update item for `live` carrying `changes`: the pending `existing` one merged, else a new one (unsaved;
    the caller saves it, one by one or in bulk)."""
    if existing is not None:
        default_id = source_id or existing.source_id
        existing.field_sources = _merged_field_sources(existing, change, field_sources, default_id, changes)
        existing.changes = changes
        existing.object_repr = str(live)[:300]
        existing.source_id = default_id
        return existing
    return ChangeItem(
        changeset=changeset,
        action=ChangeItem.Action.UPDATE,
        content_type=content_type,
        object_id=live.pk,
        object_repr=str(live)[:300],
        changes=changes,
        base_version=live.version,
        source_id=source_id,
        field_sources={name: pk for name, pk in field_sources.items() if name in changes},
    )


def _merged_field_sources(
    existing: ChangeItem,
    change: ProposedChange,
    field_sources: dict[str, int],
    default_id: int | None,
    changes: dict[str, Any],
) -> dict[str, int]:
    """Per-field sources after merging `change` into `existing`: each field keeps the source that backed it.

    Fields this change sets take its sources; earlier fields keep theirs, pinned when the default changes.
    """
    merged = {}
    for name in changes:
        if name in change.values:
            pk = field_sources.get(name, change.source.pk if change.source else existing.source_id_for(name))
        else:
            pk = existing.source_id_for(name)
        if pk is not None and pk != default_id:
            merged[name] = pk
    return merged


def _repr_for_new(model: type[models.Model], values: dict[str, Any], *, row: RowLookup | None = None) -> str:
    """A readable name for a row that does not exist yet: its name, else its first two relations
    (`row(model, pk)` finds a related row given by its pk; by default a query)."""
    for name in ("name", "title"):
        if values.get(name):
            return str(values[name])[:300]
    row = row or (lambda related, pk: related._default_manager.filter(pk=pk).first())
    fields = _fields_by_name(model)
    parts = []
    for name, value in values.items():
        if not fields[name].is_relation or value is None:
            continue
        if isinstance(value, NewRef):
            parts.append(f"new {fields[name].related_model._meta.verbose_name}")
        elif isinstance(value, models.Model):
            parts.append(str(value))
        else:
            parts.append(str(row(fields[name].related_model, value) or f"#{value}"))
        if len(parts) == 2:
            break
    return (" / ".join(parts) or f"new {model._meta.verbose_name}")[:300]


@transaction.atomic
def changeset_cite_source(*, changeset: ChangeSet, user, source: Source, only_missing: bool = True) -> int:
    """Cite `source` on the draft's items (those without one, or all). Returns how many items changed."""
    changeset._locked()
    _require_editable(changeset, user)
    items = changeset.items.all()
    if only_missing:
        count = items.filter(source__isnull=True).update(source=source, updated_at=timezone.now())
    else:
        # "every change": the one source now backs every field, so no per-field source remains.
        count = items.update(source=source, field_sources={}, updated_at=timezone.now())
    if count:
        changeset._record(
            user=user,
            action=AuditEvent.Action.SOURCED,
            from_state=changeset.state,
            details={"source": source.pk, "items": count},
        )
    return count


@transaction.atomic
def changeset_remove_item(*, item: ChangeItem, user) -> None:
    """Drop one proposed change from the author's draft."""
    changeset = item.changeset._locked()
    _require_editable(changeset, user)
    description = item.describe()
    item.delete()
    changeset._record(
        user=user,
        action=AuditEvent.Action.ITEM_REMOVED,
        from_state=changeset.state,
        details={"item": description},
    )


# -- applying -------------------------------------------------------------------------------------------


def _lock_targets(items: list[ChangeItem]) -> dict[int, models.Model]:
    """Live rows of update/delete items, locked for the rest of the transaction, keyed by item pk."""
    ids_by_model: dict[type[models.Model], set[int]] = defaultdict(set)
    for item in items:
        if item.action != ChangeItem.Action.CREATE:
            ids_by_model[item.target_model()].add(item.object_id)
    rows: dict[tuple[type[models.Model], int], models.Model] = {}
    for model, ids in ids_by_model.items():
        for pk, obj in model._default_manager.select_for_update().in_bulk(ids).items():
            rows[(model, pk)] = obj
    return {
        item.pk: rows[(item.target_model(), item.object_id)]
        for item in items
        if item.action != ChangeItem.Action.CREATE and (item.target_model(), item.object_id) in rows
    }


def _conflicts(items: list[ChangeItem], targets: dict[int, models.Model]) -> list[dict[str, Any]]:
    """Per field: a field conflicts only when its live value differs from the one it was drafted against.

    Another change set that moved other fields of the same row is no conflict: this item writes only its
    own fields. Each conflict names the field, both values and the applied change set that moved it.
    """
    problems = []
    moved_fields: list[tuple[ChangeItem, models.Model, str]] = []
    for item in items:
        if item.action == ChangeItem.Action.CREATE:
            continue
        obj = targets.get(item.pk)
        if obj is None:
            problems.append(
                {
                    "item": item.pk,
                    "object": item.object_repr,
                    "field": "",
                    "kind": "deleted",
                    "message": f"{item.object_repr} was deleted after this change was drafted.",
                }
            )
            continue
        if obj.version == item.base_version:
            continue
        fields = _fields_by_name(type(obj))
        moved_fields += [
            (item, obj, name)
            for name, (old, _new) in item.changes.items()
            if name in fields and live_json(obj, fields[name]) != old
        ]
    movers = _movers([(item, name) for item, _obj, name in moved_fields])
    for item, obj, name in moved_fields:
        old, new = item.changes[name]
        live = live_json(obj, _fields_by_name(type(obj))[name])
        mover = movers.get((item.pk, name))
        by = f" by {mover.describe_decision()}" if mover else ""
        problems.append(
            {
                "item": item.pk,
                "object": item.object_repr,
                "field": name,
                "kind": "moved",
                "drafted": old,
                "live": live,
                "proposed": new,
                "moved_by": mover.pk if mover else None,
                "message": (
                    f"{item.object_repr}: {name} was drafted against {_shown(old)} but is now {_shown(live)}, "
                    f"changed{by} since this was drafted."
                ),
            }
        )
    return problems


def _shown(value: Any) -> str:
    return "empty" if value is None or value == "" else repr(value)


def _movers(pairs: list[tuple[ChangeItem, str]]) -> dict[tuple[int, str], ChangeSet]:
    """For each (item, field): the newest applied change set that wrote that field of the target after the
    item was drafted (one query for all of them)."""
    if not pairs:
        return {}
    condition = models.Q()
    for item, _name in pairs:
        condition |= models.Q(content_type_id=item.content_type_id, object_id=item.object_id)
    applied = (
        ChangeItem.objects.applied()
        .filter(condition)
        .select_related("changeset__author")
        .prefetch_related("changeset__reviews__reviewer")
        .order_by("-changeset__applied_at", "-id")
    )
    by_target: dict[tuple[int, int], list[ChangeItem]] = defaultdict(list)
    for other in applied:
        by_target[(other.content_type_id, other.object_id)].append(other)
    found = {}
    for item, name in pairs:
        for other in by_target[(item.content_type_id, item.object_id)]:
            # an update drafted on version v writes v + 1; a create (no base version) wrote version 1
            wrote_after = other.base_version is not None and other.base_version >= (item.base_version or 0)
            if name in other.changes and wrote_after and other.changeset_id != item.changeset_id:
                found[(item.pk, name)] = other.changeset
                break
    return found


def _validation_problems(item: ChangeItem, error: ValidationError) -> list[dict[str, Any]]:
    problems = []
    for name, messages in error.message_dict.items():
        label = "" if name == "__all__" else name
        problems.append(
            {
                "item": item.pk,
                "object": item.object_repr,
                "field": label,
                "kind": "invalid",
                "message": f"{item.object_repr}: {label + ': ' if label else ''}{' '.join(messages)}",
            }
        )
    return problems


def changeset_apply(*, changeset: ChangeSet, user, approval: str | None = None) -> None:
    """Write an approved change set to the live catalog: all items or none.

    Each fact's provenance is labelled `approval` (default: `approval_by(user)`); only the demo loader
    passes it, for its hand-curated file (see `catalog.demo.demo_catalog_write`).

    Call inside the transaction that approved it (`changeset_approve` does). Raises ChangeSetConflict,
    with nothing written by the caller's savepoint, when a target moved, vanished or would become invalid.

    Items apply in their order, in runs of the same action on the same model written with bulk operations
    (an import of 20,000 price updates is a handful of UPDATE statements), so the query count grows with
    the number of runs and batches, not with the number of items.
    """
    if changeset.state != ChangeSet.State.APPROVED:
        raise ChangeSetError(f"Change set #{changeset.pk} must be approved before it is applied.")
    now = timezone.now()
    items = _write_items(changeset, now, approval=approval or approval_by(user))
    for item in items:
        item.updated_at = now
    bulk_update_rows(ChangeItem, items, ["object_id", "object_repr", "previous_provenance", "updated_at"])
    touched = _affected_models(items)
    refresh_price_summaries(touched)
    LanguageModel.objects.filter(pk__in=touched).update(facts_changed_at=now)
    if any(item.target_model() is Offering for item in items):
        refresh_provider_counts()

    revision = CatalogRevision.bump()
    changeset._move(
        user=user,
        to_state=ChangeSet.State.APPLIED,
        action=AuditEvent.Action.APPLIED,
        details={"revision": revision, "items": len(items)},
        applied_at=now,
        revision=revision,
    )


def _affected_models(items: list[ChangeItem]) -> set[int]:
    """Language models whose facts an applied set wrote (its own, its offerings', their prices', its benchmark
    results'): their stored headline prices may have moved and their pages changed."""
    model_ids: set[int] = set()
    offering_ids: set[int] = set()
    price_ids: set[int] = set()
    result_ids: set[int] = set()
    for item in items:
        kind = item.target_model()
        snapshot = {name: pair[0] if pair[0] is not None else pair[1] for name, pair in item.changes.items()}
        if kind is LanguageModel and item.object_id:
            model_ids.add(item.object_id)
        elif kind is Offering:
            if isinstance(snapshot.get("model"), int):
                model_ids.add(snapshot["model"])
            if item.object_id:
                offering_ids.add(item.object_id)
        elif kind is BenchmarkResult:
            if isinstance(snapshot.get("model"), int):
                model_ids.add(snapshot["model"])
            if item.object_id:
                result_ids.add(item.object_id)
        elif kind is Price:
            if isinstance(snapshot.get("offering"), int):
                offering_ids.add(snapshot["offering"])
            if item.object_id:
                price_ids.add(item.object_id)
    if price_ids:
        offering_ids |= set(Price.objects.filter(pk__in=price_ids).values_list("offering_id", flat=True))
    if offering_ids:
        model_ids |= set(Offering.objects.filter(pk__in=offering_ids).values_list("model_id", flat=True))
    if result_ids:
        model_ids |= set(BenchmarkResult.objects.filter(pk__in=result_ids).values_list("model_id", flat=True))
    return model_ids


def approval_by(user) -> str:
    """How a fact approved by `user` is labelled: a staff account is a person; a system account
    (`system_user`: importers, the demo loader, no admin access) applies an import nobody reviewed."""
    return Provenance.Approval.PERSON if user.is_staff else Provenance.Approval.IMPORT


def _write_items(
    changeset: ChangeSet, now: datetime.datetime, *, approval: str = Provenance.Approval.PERSON
) -> list[ChangeItem]:
    """Lock the targets, refuse conflicts, write every item and its provenance (approved as `approval`);
    returns the items updated in memory (object ids, names, previous provenance) for the caller to save or
    discard."""
    items = list(changeset.items.all())
    content_type_field = ChangeItem._meta.get_field("content_type")
    for item in items:  # content types from their cache, not a join per item
        content_type_field.set_cached_value(item, ContentType.objects.get_for_id(item.content_type_id))
    targets = _lock_targets(items)
    problems = _conflicts(items, targets)
    if problems:
        raise ChangeSetConflict(problems)
    refs: dict[str, int] = {}
    written: dict[int, models.Model] = {}
    for run in _runs(items):
        if run[0].action == ChangeItem.Action.DELETE:
            _apply_deletes(run, targets)
        else:
            written |= _apply_writes(run, targets, refs)
    _check_prices(items, written)
    _apply_provenance(items, written, now, approval)
    _refresh_reprs(items, written)
    return items


def _check_prices(items: list[ChangeItem], written: dict[int, models.Model]) -> None:
    """Every price row the set wrote, against its offering's rows and context window as they read after the
    whole set: a set that raises the standard price and adds a batch price between the old and the new one
    applies whatever the order of its items. Two queries per batch of offerings."""
    rows = [(item, written[item.pk]) for item in items if item.pk in written and isinstance(written[item.pk], Price)]
    contexts: dict = {}
    for chunk in _chunks(sorted({obj.offering_id for _item, obj in rows})):
        contexts |= price_contexts(set(chunk))
    for item, obj in rows:
        window, siblings = contexts.get(obj.offering_id, (None, []))
        errors = price_row_errors(
            (obj.dimension, obj.tier, obj.context_threshold, obj.usd_per_million),
            [key for pk, key in siblings if pk != obj.pk],
            window,
        )
        if errors:
            raise ChangeSetConflict(_validation_problems(item, ValidationError(errors)))


@contextmanager
def changeset_preview(*, changeset: ChangeSet) -> Iterator[list[ChangeItem]]:
    """Inside the block, the live catalog reads as if the set were applied; everything is rolled back after.

    Nothing else changes: no state, audit event or catalog revision (caches stay keyed to the live catalog).
    Raises ChangeSetConflict when the set could not apply.
    """
    with transaction.atomic():
        try:
            yield _write_items(changeset, timezone.now())
        finally:
            transaction.set_rollback(True)


def preview_model_slugs(*, changeset: ChangeSet, limit: int = 20) -> list[tuple[str, str]]:
    """(slug, name) of the language models whose public page the set changes (existing and new ones)."""
    ids = set()
    new: list[tuple[str, str]] = []
    for key in changeset.items.values_list("group_key", flat=True).distinct()[: limit * 5]:
        kind, _, value = key.partition(":")
        if kind == "languagemodel" and value.isdigit():
            ids.add(int(value))
    for changes in changeset.items.filter(
        action=ChangeItem.Action.CREATE, content_type__model="languagemodel"
    ).values_list("changes", flat=True)[:limit]:
        if changes.get("slug"):
            new.append((changes["slug"][1], (changes.get("name") or [None, changes["slug"][1]])[1]))
    existing = list(LanguageModel.objects.filter(pk__in=ids).order_by("name").values_list("slug", "name")[:limit])
    return (existing + new)[:limit]


BATCH = 500


def bulk_update_rows(model: type[models.Model], objs: list[models.Model], fields: list[str]) -> None:
    """UPDATE many rows with their own values in one statement per batch.

    PostgreSQL: `UPDATE ... FROM jsonb_to_recordset(%s)`, one JSON parameter per batch of 5,000 rows. SQLite
    (>= 3.33): `WITH v(...) AS (VALUES ...) UPDATE ... FROM v`. Django's bulk_update writes a CASE WHEN per
    field per row, which grows quadratically to compile and run: 20,000 rows take minutes. Other databases
    fall back to it.
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor not in ("postgresql", "sqlite"):
        model._default_manager.bulk_update(objs, fields, batch_size=BATCH)
        return
    columns = [model._meta.get_field(name) for name in fields]
    pk = model._meta.pk
    quote = connection.ops.quote_name
    names = ["pk", *[f"c{i}" for i in range(len(columns))]]
    assignments = ", ".join(f"{quote(f.column)} = v.c{i}" for i, f in enumerate(columns))
    table = quote(model._meta.db_table)
    where = f"{table}.{quote(pk.column)} = v.pk"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [pk.db_type(connection), *[f.db_type(connection) for f in columns]]
            record = ", ".join(f"{name} {db_type}" for name, db_type in zip(names, types, strict=True))
            sql = f"UPDATE {table} SET {assignments} FROM jsonb_to_recordset(%s::jsonb) AS v({record}) WHERE {where}"
            for chunk in _chunks(objs, 5000):
                rows = [
                    {"pk": obj.pk, **{f"c{i}": _json_cell(f, obj, connection) for i, f in enumerate(columns)}}
                    for obj in chunk
                ]
                cursor.execute(sql, [json.dumps(rows, default=_json_default)])
            return
        # SQLite: the column's affinity converts each value on assignment.
        row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
        size = max(1, min(1000, (connection.features.max_query_params or 999) // len(names)))
        for chunk in _chunks(objs, size):
            params: list[Any] = []
            for obj in chunk:
                params.append(pk.get_db_prep_save(obj.pk, connection))
                params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]
            cursor.execute(
                f"WITH v({', '.join(names)}) AS (VALUES {', '.join([row_sql] * len(chunk))}) "
                f"UPDATE {table} SET {assignments} FROM v WHERE {where}",
                params,
            )


def bulk_insert_rows(model: type[models.Model], objs: list[models.Model]) -> None:
    """INSERT many rows whose primary keys nobody reads back (provenance, audit events).

    PostgreSQL: `INSERT ... SELECT ... FROM jsonb_to_recordset(%s)`, one JSON parameter per 5,000 rows, which
    skips Django's compilation of every value (70,000 provenance rows: a few seconds less). Elsewhere
    bulk_create.
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        return
    columns = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    names = [f"c{i}" for i in range(len(columns))]
    record = ", ".join(f"{name} {f.db_type(connection)}" for name, f in zip(names, columns, strict=True))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) "
        f"SELECT {', '.join(names)} FROM jsonb_to_recordset(%s::jsonb) AS v({record})"
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(objs, 5000):
            rows = []
            for obj in chunk:
                for f in columns:
                    f.pre_save(obj, add=True)  # auto_now_add and the like, as bulk_create does
                rows.append({name: _json_cell(f, obj, connection) for name, f in zip(names, columns, strict=True)})
            cursor.execute(sql, [json.dumps(rows, default=_json_default)])


def _json_cell(f: models.Field, obj: models.Model, connection) -> Any:
    value = getattr(obj, f.attname)
    if isinstance(f, models.JSONField):
        return value  # nested JSON in the record: jsonb_to_recordset reads it as jsonb
    return f.get_db_prep_save(value, connection)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()  # full precision (DjangoJSONEncoder would cut microseconds)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _chunks(values: list, size: int = BATCH):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _runs(items: list[ChangeItem]) -> list[list[ChangeItem]]:
    """Consecutive items with the same action on the same model; a create that refers to a row created
    earlier in the same run starts a new run (the referenced row needs its primary key first)."""
    runs: list[list[ChangeItem]] = []
    keys_in_run: set[str] = set()
    for item in items:
        run = runs[-1] if runs else None
        same = run is not None and run[0].action == item.action and run[0].content_type_id == item.content_type_id
        needs = {v[1]["new"] for v in item.changes.values() if isinstance(v[1], dict) and "new" in v[1]}
        if same and not (needs & keys_in_run):
            run.append(item)
        else:
            runs.append([item])
            keys_in_run = set()
        if item.temp_key:
            keys_in_run.add(item.temp_key)
    return runs


def _database_refused(item: ChangeItem, error: Exception) -> ChangeSetConflict:
    return ChangeSetConflict(
        [
            {
                "item": item.pk,
                "object": item.object_repr,
                "field": "",
                "kind": "invalid",
                "message": f"{item.object_repr}: the database refused it ({error}).",
            }
        ]
    )


def _apply_writes(run: list[ChangeItem], targets: dict[int, models.Model], refs: dict[str, int]) -> dict:
    """Creates or updates of one model, validated row by row (no queries), written in bulk."""
    model = run[0].target_model()
    fields = _fields_by_name(model)
    creating = run[0].action == ChangeItem.Action.CREATE
    objs: list[models.Model] = []
    attnames: set[str] = set()
    relation_names = [f.name for f in model._meta.concrete_fields if f.is_relation]
    for item in run:
        obj = model() if creating else targets[item.pk]
        for name, (_old, new) in item.changes.items():
            setattr(obj, fields[name].attname, value_from_json(fields[name], new, refs))
            attnames.add(fields[name].attname)
        obj.version = 1 if creating else obj.version + 1
        objs.append(obj)
    if model is Price:
        # Here each row is checked on its own; against its offering's other rows (cached above input, batch
        # above standard, a tier beyond the context window) once the whole set is written: _check_prices.
        for obj in objs:
            obj._price_context = (None, [])
    for item, obj in zip(run, objs, strict=True):
        try:
            # Uniqueness, check constraints and foreign keys are checked for the whole run below (one
            # statement per batch or per related model, not a query per row).
            obj.full_clean(exclude=relation_names, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise ChangeSetConflict(_validation_problems(item, error)) from error
    _require_related_rows(run, objs, [fields[n] for n in relation_names if n in fields])
    try:
        with transaction.atomic():
            if creating:
                model._default_manager.bulk_create(objs, batch_size=BATCH)
            else:
                names = sorted({fields[n].name for n in fields if fields[n].attname in attnames} | {"version"})
                bulk_update_rows(model, objs, names)
    except IntegrityError as error:
        _find_refused(run, objs, creating, error)
        raise _database_refused(run[0], error) from error
    for item, obj in zip(run, objs, strict=True):
        if creating:
            refs[item.temp_key] = obj.pk
            item.object_id = obj.pk
    return {item.pk: obj for item, obj in zip(run, objs, strict=True)}


def _require_related_rows(run: list[ChangeItem], objs: list[models.Model], relations: list[models.Field]) -> None:
    """Every foreign key a run sets points at an existing row (one query per relation, not per row)."""
    for f in relations:
        wanted = {getattr(obj, f.attname) for item, obj in zip(run, objs, strict=True) if f.name in item.changes}
        wanted.discard(None)
        if not wanted:
            continue
        found: set = set()
        for chunk in _chunks(sorted(wanted)):
            found |= set(f.related_model._default_manager.filter(pk__in=chunk).values_list("pk", flat=True))
        for item, obj in zip(run, objs, strict=True):
            value = getattr(obj, f.attname)
            if f.name in item.changes and value is not None and value not in found:
                label = f.related_model._meta.verbose_name
                raise ChangeSetConflict(
                    [
                        {
                            "item": item.pk,
                            "object": item.object_repr,
                            "field": f.name,
                            "kind": "invalid",
                            "message": f"{item.object_repr}: {f.name}: {label} #{value} does not exist.",
                        }
                    ]
                )


def _find_refused(run: list[ChangeItem], objs: list[models.Model], creating: bool, error: IntegrityError) -> None:
    """After a batch was refused: find the row, with the model's own message when it has one."""
    for item, obj in zip(run, objs, strict=True):
        if creating:
            obj.pk = None
            obj._state.adding = True
        try:
            obj.full_clean()
        except ValidationError as invalid:
            raise ChangeSetConflict(_validation_problems(item, invalid)) from error
        try:
            with transaction.atomic():
                obj.save(force_insert=creating)
                transaction.set_rollback(True)  # only probing: the batch is retried as a whole or not at all
        except IntegrityError as refused:
            raise _database_refused(item, refused) from error


def _apply_deletes(run: list[ChangeItem], targets: dict[int, models.Model]) -> None:
    model = run[0].target_model()
    ids = [item.object_id for item in run]
    try:
        for chunk in _chunks(ids):
            model._default_manager.filter(pk__in=chunk).delete()
    except ProtectedError as error:
        by_target = {item.object_id: item for item in run}
        blockers = list(error.protected_objects)
        item = run[0]
        for blocker in blockers:
            for f in blocker._meta.concrete_fields:
                if f.is_relation and f.related_model is model and getattr(blocker, f.attname) in by_target:
                    item = by_target[getattr(blocker, f.attname)]
                    break
        names = ", ".join(str(o) for o in blockers[:5])
        raise ChangeSetConflict(
            [
                {
                    "item": item.pk,
                    "object": item.object_repr,
                    "field": "",
                    "kind": "protected",
                    "message": f"{item.object_repr} cannot be deleted while these refer to it: {names}.",
                }
            ]
        ) from error


def _apply_provenance(
    items: list[ChangeItem], written: dict[int, models.Model], now: datetime.datetime, approval: str
) -> None:
    """Point every applied field at its source (per-field, else the item's), approved now as `approval`; a
    cleared fact or a deleted row loses its provenance. Records on each item what backed its fields before.
    Bulk, batched by type."""
    ids_by_type: dict[int, set[int]] = defaultdict(set)
    for item in items:
        object_id = item.object_id if item.action == ChangeItem.Action.DELETE else written[item.pk].pk
        ids_by_type[item.content_type_id].add(object_id)
    existing: dict[tuple[int, int], dict[str, Provenance]] = defaultdict(dict)
    for content_type_id, ids in ids_by_type.items():
        for chunk in _chunks(sorted(ids)):
            for p in Provenance.objects.filter(content_type_id=content_type_id, object_id__in=chunk):
                existing[(content_type_id, p.object_id)][p.field] = p
    to_delete: list[int] = []
    to_update: list[Provenance] = []
    to_create: list[Provenance] = []
    for item in items:
        if item.action == ChangeItem.Action.DELETE:
            gone = existing.get((item.content_type_id, item.object_id), {})
            item.previous_provenance = {name: p.source_id for name, p in gone.items()}
            to_delete += [p.pk for p in gone.values()]
            continue
        object_id = written[item.pk].pk
        current = existing.get((item.content_type_id, object_id), {})
        item.previous_provenance = {
            name: (current[name].source_id if name in current else None) for name in item.changes
        }
        for name, (_old, new) in item.changes.items():
            source_id = item.source_id_for(name)
            if new is None or new == "" or new == [] or source_id is None:
                if name in current:
                    to_delete.append(current[name].pk)
            elif name in current:
                current[name].source_id, current[name].reviewed_at = source_id, now
                current[name].approval = approval
                to_update.append(current[name])
            else:
                to_create.append(
                    Provenance(
                        content_type_id=item.content_type_id,
                        object_id=object_id,
                        field=name,
                        source_id=source_id,
                        reviewed_at=now,
                        approval=approval,
                    )
                )
    for chunk in _chunks(to_delete):
        Provenance.objects.filter(pk__in=chunk).delete()
    bulk_update_rows(Provenance, to_update, ["source", "reviewed_at", "approval"])
    bulk_insert_rows(Provenance, to_create)


def _refresh_reprs(items: list[ChangeItem], written: dict[int, models.Model]) -> None:
    """Each written item's name as the row now reads; the rows' relations are loaded in bulk (one query per
    relation and batch) and attached, so naming 20,000 offerings does not load each model and provider."""
    by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for obj in written.values():
        by_model[type(obj)].append(obj)
    for model, objs in by_model.items():
        for f in model._meta.concrete_fields:
            if not (f.is_relation and f.many_to_one):
                continue
            ids = {getattr(obj, f.attname) for obj in objs} - {None}
            related: dict[Any, models.Model] = {}
            # One level further too: a price is named after its offering, named after its model and provider.
            parents = [g.name for g in f.related_model._meta.concrete_fields if g.is_relation and g.many_to_one]
            rows = f.related_model._default_manager.all()
            if parents:
                rows = rows.select_related(*parents)
            for chunk in _chunks(sorted(ids)):
                related |= rows.in_bulk(chunk)
            for obj in objs:
                value = getattr(obj, f.attname)
                if value is not None and value in related:
                    f.set_cached_value(obj, related[value])
    for item in items:
        if item.pk in written:
            item.object_repr = str(written[item.pk])[:300]


def changeset_rebase_items(*, changeset: ChangeSet) -> list[str]:
    """Re-draft update/delete items against the live rows; drop those whose target is gone or already done."""
    dropped: list[str] = []
    for item in list(changeset.items.select_related("content_type")):
        if item.action == ChangeItem.Action.CREATE:
            continue
        model = item.target_model()
        live = model._default_manager.filter(pk=item.object_id).first()
        if live is None:
            dropped.append(f"{item.describe()}: the row was deleted")
            item.delete()
            continue
        fields = _fields_by_name(model)
        if item.action == ChangeItem.Action.DELETE:
            item.changes = {name: [live_json(live, f), None] for name, f in fields.items()}
        else:
            changes = {}
            for name, (_old, new) in item.changes.items():
                current = live_json(live, fields[name])
                if current != new:
                    changes[name] = [current, new]
            if not changes:
                dropped.append(f"{item.describe()}: the live row already has these values")
                item.delete()
                continue
            item.changes = changes
        item.base_version = live.version
        item.object_repr = str(live)[:300]
        item.save(update_fields=["changes", "base_version", "object_repr", "updated_at"])
    return dropped


# -- approving ------------------------------------------------------------------------------------------


@transaction.atomic
def changeset_approve(
    *, changeset: ChangeSet, user, comment: str = "", acknowledge_warnings: bool = False, approval: str | None = None
) -> bool:
    """submitted -> approved -> applied in one transaction, or -> conflicted with nothing written.

    Returns True when applied. The row lock makes a second concurrent approval wait, then refuse. A set
    whose items carry warnings (price jumps, cutoff after release) needs `acknowledge_warnings`.
    """
    changeset._locked()
    changeset._require_state(ChangeSet.State.SUBMITTED, action="approve")
    changeset._require_reviewer(user, "approve")
    warned = changeset.items.exclude(warnings=[]).count()
    if warned and not acknowledge_warnings:
        raise ChangeSetError(
            f"{warned} change{'s' if warned != 1 else ''} of change set #{changeset.pk} carry warnings: "
            "check them and tick the acknowledgement before approving."
        )
    try:
        with transaction.atomic():  # savepoint: a conflict rolls back every write of the attempt
            Review.objects.create(
                changeset=changeset,
                author_id=changeset.author_id,
                reviewer=user,
                decision=Review.Decision.APPROVE,
                comment=comment,
            )
            changeset._move(
                user=user, to_state=ChangeSet.State.APPROVED, action=AuditEvent.Action.APPROVED, comment=comment
            )
            changeset_apply(changeset=changeset, user=user, approval=approval)
    except ChangeSetConflict as conflict:
        changeset.state = ChangeSet.State.SUBMITTED
        changeset._move(
            user=user,
            to_state=ChangeSet.State.CONFLICTED,
            action=AuditEvent.Action.CONFLICTED,
            comment=comment,
            details={"problems": conflict.problems},
            problems=conflict.problems,
        )
        notifications.notify_author(
            changeset,
            what="conflicted",
            actor=user,
            comment=comment,
            details="It could not apply:\n" + "\n".join(f"- {p['message']}" for p in conflict.problems),
        )
        return False
    notifications.notify_author(changeset, what="approved and applied", actor=user, comment=comment)
    return True


@transaction.atomic
def changeset_rebase(*, changeset: ChangeSet, user) -> None:
    """conflicted -> draft, by the author: re-draft every item against the current live values."""
    changeset._locked()
    changeset._require_state(ChangeSet.State.CONFLICTED, action="rebase")
    changeset._require_author(user, "rebase")
    dropped = changeset_rebase_items(changeset=changeset)
    changeset._move(
        user=user,
        to_state=ChangeSet.State.DRAFT,
        action=AuditEvent.Action.REBASED,
        details={"dropped": dropped},
        problems=[],
    )


# -- programmatic use and revert -------------------------------------------------------------------------


@transaction.atomic
def changeset_create_applied(
    *, author, reviewer, changes: list[ProposedChange], summary: str, approval: str | None = None
) -> ChangeSet:
    """Propose, submit, approve and apply `changes` in one go (importers, the demo loader).

    Four-eyes holds here too: `author` and `reviewer` must differ, and the reviewer needs the
    `catalog.review_changeset` permission (`system_user("...", reviewer=True)`). Every change needs a
    source. Raises ChangeSetConflict, with nothing written, when the set cannot apply.
    """
    changeset = ChangeSet.objects.create(author=author, summary=summary)
    changeset._record(user=author, action=AuditEvent.Action.CREATED, from_state="")
    changeset_propose_many(user=author, changes=changes, changeset=changeset)
    changeset.submit(user=author, summary=summary)
    approved = changeset_approve(
        changeset=changeset,
        user=reviewer,
        comment="Applied programmatically.",
        acknowledge_warnings=True,
        approval=approval,
    )
    if not approved:
        raise ChangeSetConflict(changeset.problems)
    return changeset


@transaction.atomic
def changeset_revert(*, changeset: ChangeSet, user, comment: str = "", publish_comment: bool = False) -> ChangeSet:
    """Generate and submit the reverse of an applied change set, authored by `user` (a reviewer).

    It is reviewed like any other change set: someone other than `user` must approve it.
    """
    if not user.has_perm("catalog.review_changeset"):
        raise ChangeSetError("You need reviewer permission to revert a change set.")
    changeset._locked()
    changeset._require_state(ChangeSet.State.APPLIED, action="revert")
    pending = changeset.reverted_by.filter(state__in=[*ChangeSet.PENDING_STATES, ChangeSet.State.APPLIED]).first()
    if pending is not None:
        raise ChangeSetError(f"Change set #{pending.pk} already reverts #{changeset.pk}.")

    items = list(changeset.items.select_related("content_type", "source").order_by("-id"))
    sources = Source.objects.in_bulk(
        {pk for item in items for pk in [*item.previous_provenance.values(), *item.field_sources.values()] if pk}
    )
    summary = f"Revert change set #{changeset.pk}" + (f" ({changeset.summary})" if changeset.summary else "")
    if comment.strip() and publish_comment:  # the summary is the public headline; the comment stays internal
        summary += f": {comment.strip()}"
    reverse_set = ChangeSet.objects.create(author=user, summary=summary, reverts=changeset)
    reverse_set._record(
        user=user,
        action=AuditEvent.Action.REVERT_CREATED,
        from_state="",
        comment=comment,
        details={"reverts": changeset.pk},
    )
    # Rows this set deleted come back as new rows: references to them point at the recreated row.
    recreated = {
        (item.content_type_id, item.object_id): f"restore-{item.pk}"
        for item in items
        if item.action == ChangeItem.Action.DELETE
    }

    def old_values(model: type[models.Model], fields: dict[str, models.Field], item: ChangeItem) -> dict[str, Any]:
        values = {}
        for name, (old, _new) in item.changes.items():
            if name not in fields:
                continue
            f = fields[name]
            if f.is_relation and old is not None and not isinstance(old, dict):
                key = recreated.get((ContentType.objects.get_for_model(f.related_model).pk, old))
                if key is not None:
                    values[name] = NewRef(key)
                    continue
            values[name] = value_from_json(f, old)
        return values

    for item in items:  # newest first: a parent deleted after its children is recreated before them
        model = item.target_model()
        fields = _fields_by_name(model)
        live = model._default_manager.filter(pk=item.object_id).first() if item.object_id else None
        source, field_sources = _revert_sources(item, sources)
        if item.action == ChangeItem.Action.DELETE:
            values = old_values(model, fields, item)
            field_sources = {name: s for name, s in field_sources.items() if values.get(name) not in (None, "", [])}
            # A value that had no provenance when deleted comes back without one (not backed by the revert).
            field_sources |= dict.fromkeys(set(values) - set(item.previous_provenance))
            change = ProposedChange(
                ChangeItem.Action.CREATE,
                model,
                values=values,
                source=source,
                field_sources=field_sources,
                key=recreated[(item.content_type_id, item.object_id)],
            )
        elif live is None:
            raise ChangeSetError(f"Cannot revert: {item.object_repr} no longer exists.")
        elif item.action == ChangeItem.Action.CREATE:
            change = ProposedChange(ChangeItem.Action.DELETE, model, target=live, source=source)
        else:
            values = old_values(model, fields, item)
            change = ProposedChange(
                ChangeItem.Action.UPDATE, model, target=live, values=values, source=source, field_sources=field_sources
            )
        changeset_propose(user=user, change=change, changeset=reverse_set)
    if not reverse_set.items.exists():
        raise ChangeSetError(f"Change set #{changeset.pk} has nothing left to revert: the live rows match.")
    reverse_set.submit(user=user, summary=summary)
    changeset._record(
        user=user,
        action=AuditEvent.Action.REVERT_CREATED,
        from_state=changeset.state,
        comment=comment,
        details={"revert": reverse_set.pk},
    )
    return reverse_set


def _revert_sources(item: ChangeItem, sources: dict[int, Source]) -> tuple[Source | None, dict[str, Source]]:
    """The sources that backed the values before the item applied: a default and per-field ones.

    The default is the most common previous source (else the item's own); a field whose previous source
    differs, or that had none and so falls back to what the item cited for it, carries its own.
    """
    previous = Counter(pk for pk in item.previous_provenance.values() if pk)
    default = sources.get(previous.most_common(1)[0][0]) if previous else None
    default = default or item.source
    per_field = {}
    for name in item.changes:
        pk = item.previous_provenance.get(name) or item.source_id_for(name)
        source = sources.get(pk) if pk != item.source_id else item.source
        if source is not None and source != default:
            per_field[name] = source
    return default, per_field
