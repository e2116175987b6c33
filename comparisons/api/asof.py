"""Offering prices as they stood on a past date, rebuilt from applied change sets.

The one place the API reconstructs price history. A change set's `applied_at` is its effective date: a change
applied on the day asked for is in force that day. Starting from the live rows, every applied change item on a
price row of the given offerings that took effect after that day is undone, newest first: an update gets its
old amount back, a create is dropped, a delete is restored from the values it recorded. Two queries, however
many offerings, rows or changes there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from catalog.models import ChangeItem, Offering, Price

PriceKey = tuple[str, str, int]  # (dimension, tier, context threshold)


@dataclass(frozen=True)
class HistoricPrice:
    dimension: str
    tier: str
    threshold: int
    amount: Decimal
    price_id: int | None  # the live row, or the removed row's old id

    @property
    def key(self) -> PriceKey:
        return (self.dimension, self.tier, self.threshold)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` in the site's time zone: changes applied from then on are undone."""
    start = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start, timezone.get_default_timezone())


def _decimal(value: object) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def prices_as_of(offering_ids: list[int], day: datetime.date) -> dict[int, list[HistoricPrice]]:
    """offering id -> its price rows in force at the end of `day` (an offering created later has none)."""
    cutoff = end_of_day(day)
    ids = sorted(set(offering_ids))
    state: dict[int, dict[int, HistoricPrice]] = {pk: {} for pk in ids}
    owner: dict[int, int] = {}
    for pk, offering_id, dimension, tier, threshold, amount in Price.objects.filter(offering_id__in=ids).values_list(
        "pk", "offering_id", "dimension", "tier", "context_threshold", "usd_per_million"
    ):
        state[offering_id][pk] = HistoricPrice(dimension, tier, threshold, amount, pk)
        owner[pk] = offering_id
    price_type = ContentType.objects.get_for_model(Price)
    later = (
        ChangeItem.objects.applied()
        .filter(content_type=price_type, changeset__applied_at__gte=cutoff)
        .filter(Q(object_id__in=list(owner)) | Q(action=ChangeItem.Action.DELETE, changes__offering__0__in=ids))
        .order_by("-changeset__applied_at", "-changeset_id", "-id")
        .only("action", "object_id", "changes")
    )
    for item in later:
        changes = item.changes
        if item.action == ChangeItem.Action.DELETE:
            offering_id = changes.get("offering", [None])[0]
            old = {name: pair[0] for name, pair in changes.items()}
            amount = _decimal(old.get("usd_per_million"))
            if offering_id in state and amount is not None:
                state[offering_id][item.object_id] = HistoricPrice(
                    old.get("dimension") or Price.Dimension.INPUT,
                    old.get("tier") or Price.Tier.STANDARD,
                    int(old.get("context_threshold") or 0),
                    amount,
                    item.object_id,
                )
                owner[item.object_id] = offering_id
            continue
        offering_id = owner.get(item.object_id)
        if offering_id is None:
            continue
        rows = state[offering_id]
        if item.action == ChangeItem.Action.CREATE:
            rows.pop(item.object_id, None)
            continue
        current = rows.get(item.object_id)
        if current is None:
            continue
        values = {
            "dimension": current.dimension,
            "tier": current.tier,
            "threshold": current.threshold,
            "amount": current.amount,
        }
        for name, target in (
            ("dimension", "dimension"),
            ("tier", "tier"),
            ("context_threshold", "threshold"),
            ("usd_per_million", "amount"),
        ):
            if name in changes:
                old = changes[name][0]
                values[target] = _decimal(old) if target == "amount" else (int(old) if target == "threshold" else old)
        if values["amount"] is None:
            rows.pop(item.object_id, None)
        else:
            rows[item.object_id] = HistoricPrice(price_id=item.object_id, **values)
    order = {dimension: index for index, dimension in enumerate(Price.Dimension.values)}
    tiers = {tier: index for index, tier in enumerate(Price.Tier.values)}
    return {
        pk: sorted(rows.values(), key=lambda r: (r.threshold, tiers.get(r.tier, 99), order.get(r.dimension, 99)))
        for pk, rows in state.items()
    }


def offerings_created_after(offering_ids: list[int], day: datetime.date) -> set[int]:
    """Offerings whose create item took effect after `day`: they were not on sale then. One query."""
    offering_type = ContentType.objects.get_for_model(Offering)
    return set(
        ChangeItem.objects.applied()
        .filter(
            content_type=offering_type,
            action=ChangeItem.Action.CREATE,
            object_id__in=sorted(set(offering_ids)),
            changeset__applied_at__gte=end_of_day(day),
        )
        .values_list("object_id", flat=True)
    )
