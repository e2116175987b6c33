"""Open disagreements per fact: an import proposed another value for a (row, field) than the one its live source
backs, and the change set holding that proposal still waits for a decision (`SourceDisagreement.objects.open()`).

Kept apart from `evidence` (which says what backs the live value) so each reads one table; one query for any
number of rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from catalog.models import SourceDisagreement

FieldKey = tuple[int, int, str]  # (content type id, object id, field)


@dataclass(frozen=True)
class OpenDisagreement:
    value: Any  # the other value, as JSON (a price is a decimal string)
    source_url: str
    source_title: str
    publisher: str
    proposed_in: int  # the change set waiting for a decision
    recorded_on: datetime.date


def open_disagreements(objects: Iterable[models.Model]) -> dict[FieldKey, list[OpenDisagreement]]:
    """(content type id, pk, field) -> the open disagreements on that fact, oldest first. One query."""
    by_type: dict[int, list[int]] = {}
    for obj in objects:
        by_type.setdefault(ContentType.objects.get_for_model(obj).pk, []).append(obj.pk)
    if not by_type:
        return {}
    condition = Q()
    for ct_id, ids in by_type.items():
        condition |= Q(content_type_id=ct_id, object_id__in=ids)
    rows = (
        SourceDisagreement.objects.open()
        .filter(condition)
        .select_related("imported_source", "change_item")
        .order_by("id")
    )
    found: dict[FieldKey, list[OpenDisagreement]] = {}
    for row in rows:
        # the knowledge cutoff's precision is part of the cutoff fact
        name = "knowledge_cutoff" if row.field == "knowledge_cutoff_precision" else row.field
        found.setdefault((row.content_type_id, row.object_id, name), []).append(
            OpenDisagreement(
                value=row.imported_value,
                source_url=row.imported_source.url,
                source_title=row.imported_source.title,
                publisher=row.imported_source.publisher,
                proposed_in=row.change_item.changeset_id,
                recorded_on=timezone.localtime(row.created_at).date(),
            )
        )
    return found


def disagreements_of(
    found: dict[FieldKey, list[OpenDisagreement]], obj: models.Model, names: Iterable[str]
) -> dict[str, list[OpenDisagreement]]:
    """field -> its open disagreements (an empty list when none), for each name."""
    ct_id = ContentType.objects.get_for_model(obj).pk
    return {name: found.get((ct_id, obj.pk, name), []) for name in names}
