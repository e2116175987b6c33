"""The public changelog: applied change sets read into plain dataclasses, values worded for people.

Only applied change sets are public. What they show: the summary, when it applied, and per changed row
what changed (old -> new) and which source backs it. Nobody's comments are read here, nor who wrote or
reviewed a change: the accounts are internal, and "applied" already means a second person approved it.

Queries are bounded by the schema, not by the number of change sets or items: the page of change sets,
their first items (one windowed prefetch) and their totals (one grouped query), then one query per kind of
row the items name (to link or to name them), and one for the sources items name for single fields. A
set's own page shows its items a page at a time.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse

from catalog.models import (
    CAPABILITY_FIELDS,
    BenchmarkResult,
    ChangeItem,
    ChangeSet,
    LanguageModel,
    Offering,
    Price,
    Provider,
    Source,
)
from catalog.review.services import editable_fields

from . import text

EMPTY = "—"
TOKEN_FIELDS = frozenset({"context_window", "max_output_tokens", "context_threshold"})
PARAMETER_FIELDS = frozenset({"parameter_count", "active_parameter_count"})
LONG_TEXT = 200
# The list of change sets shows each set's first rows and links to the set's page for the rest, so a bulk
# load does not bury the rest and the page (and its cached copy) stays the same size however large the sets
# are; a set's own page shows its rows in pages of ENTRIES_PER_PAGE.
ENTRIES_ON_LIST = 10
ENTRIES_PER_PAGE = 500


# -- price changes -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceChange:
    """How one price moved: `direction` is up / down / new / removed; `words` says it for people."""

    direction: str
    percent: Decimal | None
    words: str


def price_change(old: Decimal | None, new: Decimal | None) -> PriceChange:
    """'up 20%', 'down 50%', 'up from free', 'now free', 'first listed', 'price removed'. Pure."""
    if old is None and new is None:
        return PriceChange("", None, "")
    if old is None:
        return PriceChange("new", None, "first listed")
    if new is None:
        return PriceChange("removed", None, "price removed")
    if old == 0:
        return PriceChange("up", None, "up from free")
    percent = (new - old) / old * 100
    direction = "up" if percent > 0 else "down"
    if new == 0:
        return PriceChange(direction, percent, "now free")
    return PriceChange(direction, percent, f"{direction} {format_percent_change(percent)}")


def format_percent_change(percent: Decimal) -> str:
    """The size of a change: '20%', '33.3%', 'under 0.1%' (no sign: the direction is said in words)."""
    size = abs(percent)
    if size < Decimal("0.05"):
        return "under 0.1%"
    rounded = size.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rounded.normalize():f}%"


# -- values for people ---------------------------------------------------------------------------------------


def _fields(model: type[models.Model]) -> dict[str, models.Field]:
    return {f.name: f for f in editable_fields(model)}


def _field_order(model: type[models.Model]) -> dict[str, int]:
    return {name: index for index, name in enumerate(_fields(model))}


def format_value(model_field: models.Field | None, value: Any, names: dict[tuple[type, Any], str]) -> str:
    """One stored JSON value of a change item as people read it: '$0.10 / 1M', '128K tokens', 'Supported'."""
    if value is None or value == "" or value == []:
        return EMPTY
    if model_field is None:
        return str(value)
    name = model_field.name
    if model_field.is_relation:
        if isinstance(value, dict):
            return f"a new {model_field.related_model._meta.verbose_name} in the same change set"
        return names.get(
            (model_field.related_model, value), f"a since removed {model_field.related_model._meta.verbose_name}"
        )
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        if name in CAPABILITY_FIELDS:
            return text.capability_word(value)
        return "yes" if value else "no"
    if name == "usd_per_million":
        return text.format_price(Decimal(str(value)))
    if isinstance(model_field, models.DecimalField):
        return f"{Decimal(str(value)).normalize():f}"
    if name in TOKEN_FIELDS and isinstance(value, int):
        return f"{value:,} tokens"
    if name in PARAMETER_FIELDS and isinstance(value, int):
        return text.format_parameters(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int):
        return f"{value:,}"
    value = str(value)
    return value if len(value) <= LONG_TEXT else value[: LONG_TEXT - 1].rstrip() + "…"


# -- the changelog -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    price: PriceChange | None = None


@dataclass(frozen=True)
class FieldSource:
    """A source that backs some of an entry's fields instead of the entry's own: 'status, deprecation date'."""

    labels: str
    title: str
    url: str


@dataclass(frozen=True)
class ChangeEntry:
    action: str  # create / update / delete
    kind: str
    name: str
    url: str
    fields: tuple[FieldChange, ...] = ()
    detail: str = ""
    source_title: str = ""
    source_url: str = ""
    field_sources: tuple[FieldSource, ...] = ()

    @property
    def price_change_count(self) -> int:
        return sum(1 for f in self.fields if f.price is not None)


@dataclass(frozen=True)
class SetTotals:
    """Counts over every item of a change set, not only the entries a page shows."""

    create: int = 0
    update: int = 0
    delete: int = 0
    price_changes: int = 0

    @property
    def items(self) -> int:
        return self.create + self.update + self.delete


@dataclass(frozen=True)
class ChangelogSet:
    pk: int
    summary: str
    applied_at: datetime.datetime
    entries: tuple[ChangeEntry, ...]  # all of them, or the first ones (see `more`)
    reverts: int | None = None
    totals: SetTotals | None = None  # None: `entries` is the whole set

    @property
    def entry_count(self) -> int:
        return self.totals.items if self.totals is not None else len(self.entries)

    @property
    def more(self) -> int:
        """How many of the set's rows this page leaves to the set's own page."""
        return self.entry_count - len(self.entries)

    @property
    def anchor(self) -> str:
        return f"changeset-{self.pk}"

    @property
    def url(self) -> str:
        return reverse("comparisons:change-detail", args=[self.pk])

    @property
    def title(self) -> str:
        return self.summary or f"Change set #{self.pk}"

    def count(self, action: str) -> int:
        if self.totals is not None:
            return getattr(self.totals, action)
        return sum(1 for e in self.entries if e.action == action)

    @property
    def counts(self) -> str:
        """'3 rows added, 1 row updated' for the set's heading."""
        parts = []
        for action, verb in (("create", "added"), ("update", "updated"), ("delete", "removed")):
            number = self.count(action)
            if number:
                parts.append(f"{text.plural(number, 'row')} {verb}")
        return ", ".join(parts)

    @property
    def price_change_count(self) -> int:
        if self.totals is not None:
            return self.totals.price_changes
        return sum(e.price_change_count for e in self.entries)


class _Lookups:
    """Names and public links of the rows a batch of items mentions: one query per kind of row."""

    def __init__(self, items: list[ChangeItem]) -> None:
        ids: dict[type[models.Model], set[int]] = defaultdict(set)
        for item in items:
            model = item.target_model()
            if item.object_id:
                ids[model].add(item.object_id)
            fields = _fields(model)
            for name, pair in item.changes.items():
                f = fields.get(name)
                if f is not None and f.is_relation:
                    ids[f.related_model].update(v for v in pair if isinstance(v, int) and not isinstance(v, bool))
        # Offerings, prices and benchmark results have no page of their own: they link to their model's.
        self.model_slug_of: dict[type[models.Model], dict[int, str]] = {}
        for model, path in (
            (Offering, "model__slug"),
            (BenchmarkResult, "model__slug"),
            (Price, "offering__model__slug"),
        ):
            pks = ids.pop(model, set())
            # No ordering: the default one joins the provider and sorts, for a plain lookup by primary key.
            rows = model.objects.filter(pk__in=pks).order_by().values_list("pk", path) if pks else []
            self.model_slug_of[model] = dict(rows)
        self.rows: dict[tuple[type[models.Model], int], models.Model] = {}
        for model, pks in ids.items():
            for pk, obj in model._default_manager.in_bulk(pks).items():
                self.rows[(model, pk)] = obj
        self.names = {key: str(obj) for key, obj in self.rows.items()}
        source_ids = {pk for item in items for pk in item.field_sources.values()}
        self.sources: dict[int, Source] = Source.objects.in_bulk(source_ids) if source_ids else {}

    def month_precision(self, item: ChangeItem) -> bool:
        """Whether a knowledge cutoff this item sets is known to the month only (then '2024-04', not a day)."""
        if "knowledge_cutoff_precision" in item.changes:
            return item.changes["knowledge_cutoff_precision"][1] == LanguageModel.Precision.MONTH
        live = self.rows.get((LanguageModel, item.object_id))
        return live is not None and live.knowledge_cutoff_precision == LanguageModel.Precision.MONTH

    def url(self, item: ChangeItem) -> str:
        model = item.target_model()
        if model in self.model_slug_of:
            slug = self.model_slug_of[model].get(item.object_id)
            if slug is None and item.action == ChangeItem.Action.DELETE:
                # A removed offering still belongs on its model's page, if the model is still there.
                parent = self.rows.get((LanguageModel, item.changes.get("model", [None])[0]))
                slug = parent.slug if parent is not None else None
            return reverse("comparisons:model-detail", args=[slug]) if slug else ""
        obj = self.rows.get((model, item.object_id))
        if obj is None or item.action == ChangeItem.Action.DELETE:
            return ""
        if model is LanguageModel:
            return reverse("comparisons:model-detail", args=[obj.slug])
        if model is Provider:
            return reverse("comparisons:provider-detail", args=[obj.slug])
        return ""


def _created_detail(item: ChangeItem) -> str:
    values = {name: new for name, (_old, new) in item.changes.items() if new not in (None, "", [])}
    if item.target_model() is Price and "usd_per_million" in values:
        return f"{item.price_label()} {text.format_price(Decimal(str(values['usd_per_million'])))}"
    return text.plural(len(values), "fact")


def _entry(item: ChangeItem, lookups: _Lookups) -> ChangeEntry:
    model = item.target_model()
    fields = _fields(model)
    changes: list[FieldChange] = []
    if item.action == ChangeItem.Action.UPDATE:
        # A price row's amount is its one price field; price_changes() names it by its label.
        prices = {"usd_per_million": (old, new) for _label, old, new in item.price_changes()[:1]}  # noqa: B035
        order = _field_order(model)
        for name in sorted(item.changes, key=lambda n: order.get(n, len(order))):
            old, new = item.changes[name]
            f = fields.get(name)
            if name == "knowledge_cutoff" and lookups.month_precision(item):
                old, new = (value[:7] if isinstance(value, str) else value for value in (old, new))
            changes.append(
                FieldChange(
                    label=str(f.verbose_name) if f is not None else name,
                    old=format_value(f, old, lookups.names),
                    new=format_value(f, new, lookups.names),
                    price=price_change(*prices[name]) if name in prices else None,
                )
            )
    source = item.source
    return ChangeEntry(
        action=item.action,
        kind=str(model._meta.verbose_name),
        name=item.object_repr,
        url=lookups.url(item),
        fields=tuple(changes),
        detail=_created_detail(item) if item.action == ChangeItem.Action.CREATE else "",
        source_title=source.title if source else "",
        source_url=source.url if source else "",
        field_sources=_field_sources(item, lookups),
    )


def _field_sources(item: ChangeItem, lookups: _Lookups) -> tuple[FieldSource, ...]:
    """The sources an item names for some of its fields, each with the fields it backs, in field order."""
    fields = _fields(item.target_model())
    order = _field_order(item.target_model())
    labels: dict[int, list[str]] = defaultdict(list)
    for name in sorted(item.field_sources, key=lambda n: order.get(n, len(order))):
        pk = item.field_sources[name]
        if name in item.changes and pk in lookups.sources and pk != item.source_id:
            labels[pk].append(str(fields[name].verbose_name) if name in fields else name)
    return tuple(
        FieldSource(labels=", ".join(names), title=lookups.sources[pk].title, url=lookups.sources[pk].url)
        for pk, names in labels.items()
    )


def set_totals(changeset_ids: list[int]) -> dict[int, SetTotals]:
    """Per change set: its items by action and its price changes, in one grouped query."""
    if not changeset_ids:
        return {}
    price_type = ContentType.objects.get_for_model(Price)
    # A price change is an update of a price row's amount (proposals hold only fields that changed).
    price_change = Q(action=ChangeItem.Action.UPDATE, content_type=price_type, changes__has_key="usd_per_million")
    rows = (
        ChangeItem.objects.filter(changeset_id__in=changeset_ids)
        .order_by()
        .values("changeset_id", "action")
        .annotate(n=Count("pk"), prices=Count("pk", filter=price_change))
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"price_changes": 0})
    for row in rows:
        of_set = counts[row["changeset_id"]]
        of_set[row["action"]] = row["n"]
        of_set["price_changes"] += row["prices"]
    return {pk: SetTotals(**counts[pk]) for pk in changeset_ids}


def changelog_sets(changesets: Iterable[ChangeSet], *, limited: bool = False) -> list[ChangelogSet]:
    """Applied change sets (fetched `with_items()`) worded for the public pages and the feed.

    `limited`: they were fetched `with_first_items()`, so their totals come from the database (one query).
    """
    changesets = [c for c in changesets if c.state == ChangeSet.State.APPLIED]
    items_of = {c.pk: c.first_items if limited else list(c.items.all()) for c in changesets}
    lookups = _Lookups([item for items in items_of.values() for item in items])
    totals = set_totals([c.pk for c in changesets]) if limited else {}
    return [
        ChangelogSet(
            pk=changeset.pk,
            summary=changeset.summary,
            applied_at=changeset.applied_at,
            entries=tuple(_entry(item, lookups) for item in items_of[changeset.pk]),
            reverts=changeset.reverts_id,
            totals=totals.get(changeset.pk),
        )
        for changeset in changesets
    ]


def recent_changesets(queryset: models.QuerySet[ChangeSet], *, entries: int = ENTRIES_ON_LIST) -> list[ChangelogSet]:
    """A page of applied change sets, each with its first `entries` rows and its totals: the same number of
    queries and about the same size whatever the sets hold."""
    return changelog_sets(queryset.with_first_items(entries), limited=True)


def applied_changeset(pk: int, page: int | str | None = 1) -> tuple[ChangelogSet, Page] | None:
    """One applied change set for its own page, ENTRIES_PER_PAGE rows at a time, with the page of rows;
    None for any other state (drafts stay private)."""
    changeset = ChangeSet.objects.applied().filter(pk=pk).first()
    if changeset is None:
        return None
    totals = set_totals([changeset.pk])[changeset.pk]
    # Paged over the known total (no COUNT query), then only that slice of items is read.
    rows = Paginator(range(totals.items), ENTRIES_PER_PAGE).get_page(page)
    start = rows.start_index() - 1 if totals.items else 0
    items = list(
        ChangeItem.objects.filter(changeset=changeset)
        .select_related("content_type", "source")
        .order_by("id")[start : start + ENTRIES_PER_PAGE]
    )
    lookups = _Lookups(items)
    found = ChangelogSet(
        pk=changeset.pk,
        summary=changeset.summary,
        applied_at=changeset.applied_at,
        entries=tuple(_entry(item, lookups) for item in items),
        reverts=changeset.reverts_id,
        totals=totals,
    )
    return found, rows


# -- price history on a model's page -------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceHistoryRow:
    applied_at: datetime.datetime
    changeset: int
    provider: str
    label: str
    old: str
    new: str
    change: PriceChange

    @property
    def changeset_url(self) -> str:
        return reverse("comparisons:change-detail", args=[self.changeset])


def price_history(slug: str) -> list[PriceHistoryRow]:
    """Applied price changes of a model's price rows (removed rows and offerings included), newest first."""
    model_id = LanguageModel.objects.filter(slug=slug).values_list("pk", flat=True).first()
    return [] if model_id is None else model_price_history(model_id)


def model_price_history(model_id: int, live_offering_ids: Iterable[int] | None = None) -> list[PriceHistoryRow]:
    """`price_history` for a model whose id (and live offerings' ids, when the page has them) are known.

    Bounded queries: its removed offerings (and its live ones unless given), the items with their live provider.
    """
    live_provider = Price.objects.filter(pk=OuterRef("object_id")).values("offering__provider__name")[:1]
    items = list(
        ChangeItem.objects.applied()
        .prices_of_model(model_id, live_offering_ids)
        .touching_prices()
        .select_related("changeset", "content_type")
        .annotate(provider_name=Subquery(live_provider))
        .order_by("-changeset__applied_at", "-changeset_id", "id")
    )
    rows = []
    for item in items:
        # A removed row is named by how it read when applied: "<model> on <provider>: <price>".
        provider = item.provider_name or item.object_repr.split(": ", 1)[0].rsplit(" on ", 1)[-1]
        for label, old, new in item.price_changes():
            rows.append(
                PriceHistoryRow(
                    applied_at=item.changeset.applied_at,
                    changeset=item.changeset_id,
                    provider=provider,
                    label=label,
                    old=text.format_price(old) if old is not None else EMPTY,
                    new=text.format_price(new) if new is not None else EMPTY,
                    change=price_change(old, new),
                )
            )
    return rows
