"""Per-fact evidence: the source behind each (row, field), when it was reviewed and whether a person did.

"import" means the change set that last set the field was approved by a system account (an importer or the
demo loader: `system_user` accounts, which have no admin access), "person" that a staff reviewer approved it.
Two queries for any number of rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from catalog.models import ChangeItem, Provenance, Review

FieldKey = tuple[int, int, str]  # (content type id, object id, field)


@dataclass(frozen=True)
class Evidence:
    source_url: str
    source_title: str
    publisher: str
    retrieved_on: datetime.date
    reviewed_on: datetime.date
    reviewed_by: str | None  # "person", "import", or None when no applied change set records it


def _by_type(objects: Iterable[models.Model]) -> dict[int, list[int]]:
    by_type: dict[int, list[int]] = {}
    for obj in objects:
        by_type.setdefault(ContentType.objects.get_for_model(obj).pk, []).append(obj.pk)
    return by_type


def evidence_for(objects: list[models.Model]) -> dict[FieldKey, Evidence]:
    """(content type id, pk, field) -> Evidence for every sourced field of these rows."""
    by_type = _by_type(objects)
    if not by_type:
        return {}
    condition = Q()
    for ct_id, ids in by_type.items():
        condition |= Q(content_type_id=ct_id, object_id__in=ids)
    imported = Review.objects.filter(
        changeset=OuterRef("changeset"), decision=Review.Decision.APPROVE, reviewer__is_staff=False
    )
    reviewers: dict[FieldKey, str] = {}
    items = (
        ChangeItem.objects.applied()
        .filter(condition)
        .annotate(imported=Exists(imported))
        .order_by("changeset__applied_at", "id")
        .values_list("content_type_id", "object_id", "changes", "imported")
    )
    for ct_id, object_id, changes, was_imported in items:
        for name in changes:
            reviewers[(ct_id, object_id, name)] = "import" if was_imported else "person"
    found: dict[FieldKey, Evidence] = {}
    for p in Provenance.objects.filter(condition).select_related("source"):
        key = (p.content_type_id, p.object_id, p.field)
        found[key] = Evidence(
            source_url=p.source.url,
            source_title=p.source.title,
            publisher=p.source.publisher,
            retrieved_on=p.source.retrieved_on,
            reviewed_on=timezone.localtime(p.reviewed_at).date(),
            reviewed_by=reviewers.get(key),
        )
    return found


def lookup(found: dict[FieldKey, Evidence], obj: models.Model, names: Iterable[str]) -> dict[str, Evidence | None]:
    """field -> Evidence (None: not yet sourced) for each name, present even when unknown."""
    ct_id = ContentType.objects.get_for_model(obj).pk
    return {name: found.get((ct_id, obj.pk, name)) for name in names}
