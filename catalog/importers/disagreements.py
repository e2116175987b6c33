"""Where sources disagree, as the review table shows it: one flag per disagreeing field, both values, both sources."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from catalog.models import SourceDisagreement


def disagreement_flags(diffs: list[Any]) -> list[Any]:
    """Add a "sources disagree" flag to each item diff (catalog.services.ItemDiff) with disagreements: one query."""
    by_item: dict[int, list[SourceDisagreement]] = defaultdict(list)
    rows = SourceDisagreement.objects.filter(change_item__in=[d.item.pk for d in diffs]).select_related(
        "live_source", "imported_source"
    )
    for row in rows:
        by_item[row.change_item_id].append(row)
    for diff in diffs:
        for row in by_item.get(diff.item.pk, []):
            live_source = row.live_source.title if row.live_source else "no source"
            diff.flags.append(
                f"Sources disagree on {row.field}: live {row.live_value} ({live_source}) "
                f"vs imported {row.imported_value} ({row.imported_source.title})."
            )
    return diffs
