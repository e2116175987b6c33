"""Per-fact evidence: the source behind each (row, field), when it was reviewed and whether a person did.

"import" means the value was applied from an import by a system account without a person's review (an
importer or the demo loader: `system_user` accounts, which have no admin access), "person" that a staff
reviewer approved it; both stored on the fact's `Provenance.approval` when it was applied. One query for
any number of rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from catalog.models import Provenance

FieldKey = tuple[int, int, str]  # (content type id, object id, field)


@dataclass(frozen=True)
class Evidence:
    source_url: str
    source_title: str
    publisher: str
    retrieved_on: datetime.date
    reviewed_on: datetime.date
    reviewed_by: str | None  # "person", "import", or None when no record says (facts from before the workflow)


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
    found: dict[FieldKey, Evidence] = {}
    for p in Provenance.objects.filter(condition).select_related("source"):
        found[(p.content_type_id, p.object_id, p.field)] = Evidence(
            source_url=p.source.url,
            source_title=p.source.title,
            publisher=p.source.publisher,
            retrieved_on=p.source.retrieved_on,
            reviewed_on=timezone.localtime(p.reviewed_at).date(),
            reviewed_by=p.approval or None,
        )
    return found


def lookup(found: dict[FieldKey, Evidence], obj: models.Model, names: Iterable[str]) -> dict[str, Evidence | None]:
    """field -> Evidence (None: not yet sourced) for each name, present even when unknown."""
    ct_id = ContentType.objects.get_for_model(obj).pk
    return {name: found.get((ct_id, obj.pk, name)) for name in names}
