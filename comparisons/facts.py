"""The facts a public page shows, read once from the catalog into frozen dataclasses.

This is the one place that queries for a pair (and for a single model's page): everything downstream
(`text`, `calculator`, `charts`, templates) works on these plain values. Each fact carries the source that
backs it, taken from `Provenance` for that (object, field); sources are numbered in order of first use so a
page can cite them as [1], [2], ... and list them once at the bottom.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from catalog.models import (
    CAPABILITY_FIELDS,
    LanguageModel,
    License,
    Offering,
    Price,
    Provenance,
    Provider,
    Source,
    SourceDisagreement,
    price_label,
)

# The blend the pages use for "price per 1M blended tokens": 70% input, 30% output.
INPUT_SHARE = Decimal("0.7")
OUTPUT_SHARE = Decimal("0.3")

CAPABILITY_LABELS = {
    "vision": "Vision (image understanding)",
    "multimodal": "Multimodal input",
    "reasoning": "Reasoning mode",
    "function_calling": "Function calling",
    "tool_use": "Tool use",
    "structured_outputs": "Structured outputs",
    "code_execution": "Code execution",
}


@dataclass(frozen=True)
class SourceRef:
    number: int
    title: str
    url: str
    publisher: str
    retrieved_on: datetime.date
    # How the facts citing it were approved. On one fact's citation: that fact's date, as reviewed by a person
    # or as imported without a person's review. In a page's source list: the newest of each among the facts
    # the page cites from it. Not part of equality: two citations of one source are the same source.
    reviewed_on: datetime.date | None = field(default=None, compare=False)
    imported_on: datetime.date | None = field(default=None, compare=False)


STANDARD = Price.Tier.STANDARD
TIER_ORDER = {tier: index for index, tier in enumerate(Price.Tier.values)}
DIMENSION_ORDER = {dimension: index for index, dimension in enumerate(Price.Dimension.values)}


@dataclass(frozen=True)
class PriceFacts:
    """One price row: (dimension, tier, context threshold) -> USD per 1M, with its source."""

    dimension: str
    tier: str
    threshold: int
    amount: Decimal
    source: SourceRef | None = field(default=None, compare=False)
    disputed: bool = field(default=False, compare=False)  # an import says otherwise, still under review

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.dimension, self.tier, self.threshold)

    @property
    def label(self) -> str:
        return price_label(self.dimension, self.tier, self.threshold)


@dataclass(frozen=True)
class PriceColumn:
    """A column of a pricing table: one (dimension, tier, threshold) some listed offering has a price for."""

    dimension: str
    tier: str
    threshold: int

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.dimension, self.tier, self.threshold)

    @property
    def label(self) -> str:
        dimension = {"input": "Input", "output": "Output", "cache_read": "Cached input"}.get(
            self.dimension, str(Price.Dimension(self.dimension).label)
        )
        if self.tier != STANDARD:
            dimension = f"{Price.Tier(self.tier).label} {dimension.lower()}"
        if self.threshold:
            dimension += f" above {format_threshold(self.threshold)}"
        return dimension


@dataclass(frozen=True)
class PriceCell:
    """What a pricing table shows for one offering and column: a price, "not yet sourced" or "not offered"."""

    kind: str  # "price", "unsourced", "not_offered"
    price: PriceFacts | None = None


def format_threshold(tokens: int) -> str:
    from .text import format_token_count  # text imports facts; keep the cycle out of import time

    return f"{format_token_count(tokens)} prompt tokens"


@dataclass(frozen=True)
class OfferingFacts:
    provider_name: str
    provider_slug: str
    provider_kind: str
    provider_model_id: str
    prices: tuple[PriceFacts, ...] = ()
    status: str = "active"
    context_window: int | None = None  # the offering's own, when it differs from the model's
    max_output_tokens: int | None = None
    served_context_window: int | None = None  # the offering's own, else the model's
    served_max_output_tokens: int | None = None
    sources: dict[str, SourceRef] = field(default_factory=dict, compare=False)
    provider_kind_code: str = ""  # Provider.Kind value; provider_kind is its label
    disputed: frozenset[str] = field(default=frozenset(), compare=False)  # fields sources disagree on
    pk: int | None = field(default=None, compare=False)

    def price(self, dimension: str, tier: str = STANDARD, threshold: int = 0) -> Decimal | None:
        for row in self.prices:
            if row.key == (dimension, tier, threshold):
                return row.amount
        return None

    def price_row(self, dimension: str, tier: str = STANDARD, threshold: int = 0) -> PriceFacts | None:
        for row in self.prices:
            if row.key == (dimension, tier, threshold):
                return row
        return None

    @property
    def input_price(self) -> Decimal | None:
        """Standard tier, base context tier: the headline input price."""
        return self.price(Price.Dimension.INPUT)

    @property
    def output_price(self) -> Decimal | None:
        return self.price(Price.Dimension.OUTPUT)

    @property
    def cached_input_price(self) -> Decimal | None:
        return self.price(Price.Dimension.CACHE_READ)

    @property
    def batch_input_price(self) -> Decimal | None:
        return self.price(Price.Dimension.INPUT, Price.Tier.BATCH)

    @property
    def batch_output_price(self) -> Decimal | None:
        return self.price(Price.Dimension.OUTPUT, Price.Tier.BATCH)

    @property
    def is_active(self) -> bool:
        return self.status != Offering.Status.RETIRED

    @property
    def tiers(self) -> tuple[str, ...]:
        """Service tiers this offering has any price in, in tier order."""
        return tuple(sorted({p.tier for p in self.prices}, key=TIER_ORDER.__getitem__))

    @property
    def context_thresholds(self) -> tuple[int, ...]:
        return tuple(sorted({p.threshold for p in self.prices if p.threshold}))

    def cell(self, column: PriceColumn) -> PriceCell:
        row = self.price_row(*column.key)
        if row is not None:
            return PriceCell("price", row)
        if column.tier == STANDARD and not column.threshold:
            return PriceCell("unsourced")
        # A tier or context tier this offering lists no price in at all is one its provider does not offer.
        offered = any(p.tier == column.tier and p.threshold == column.threshold for p in self.prices)
        return PriceCell("unsourced" if offered else "not_offered")

    @property
    def blended_price(self) -> Decimal | None:
        """USD per 1M tokens at a 70/30 input/output blend (standard tier); None unless both are sourced."""
        if self.input_price is None or self.output_price is None:
            return None
        return self.input_price * INPUT_SHARE + self.output_price * OUTPUT_SHARE

    def source(self, name: str) -> SourceRef | None:
        legacy = {
            "input_price": (Price.Dimension.INPUT, STANDARD),
            "output_price": (Price.Dimension.OUTPUT, STANDARD),
            "cached_input_price": (Price.Dimension.CACHE_READ, STANDARD),
            "batch_input_price": (Price.Dimension.INPUT, Price.Tier.BATCH),
            "batch_output_price": (Price.Dimension.OUTPUT, Price.Tier.BATCH),
        }
        if name in legacy:
            row = self.price_row(*legacy[name])
            return row.source if row else None
        return self.sources.get(name)


def price_columns(offerings: Iterable[OfferingFacts]) -> tuple[PriceColumn, ...]:
    """The columns a pricing table needs for these offerings: standard input and output always, then every
    other (dimension, tier, threshold) at least one of them has, so no column is empty."""
    keys = {(Price.Dimension.INPUT, STANDARD, 0), (Price.Dimension.OUTPUT, STANDARD, 0)}
    for offering in offerings:
        keys.update(p.key for p in offering.prices)
    ordered = sorted(keys, key=lambda k: (k[2], TIER_ORDER.get(k[1], 99), DIMENSION_ORDER.get(k[0], 99)))
    return tuple(PriceColumn(*key) for key in ordered)


def cheapest_offering(offerings: Iterable[OfferingFacts]) -> OfferingFacts | None:
    """The active offering with the lowest standard-tier 70/30 blend (ties: provider name); None when none
    is priced. Batch, flex, priority and long-context prices never enter the headline."""
    priced = [o for o in offerings if o.is_active and o.blended_price is not None]
    if not priced:
        return None
    return min(priced, key=lambda o: (o.blended_price, o.provider_name.lower()))


@dataclass(frozen=True)
class BenchmarkFacts:
    benchmark_name: str
    benchmark_slug: str
    benchmark_url: str
    unit: str
    higher_is_better: bool
    variant: str
    score: Decimal
    measured_on: datetime.date | None
    self_reported: bool
    source: SourceRef | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.benchmark_slug, self.variant)


@dataclass(frozen=True)
class ModelFacts:
    name: str
    slug: str
    organization_name: str
    organization_label: str
    release_date: datetime.date | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    parameter_count: int | None = None
    active_parameter_count: int | None = None
    architecture: str = ""
    family: str = ""
    description: str = ""
    license_name: str | None = None
    license_kind: str | None = None
    license_url: str = ""
    knowledge_cutoff: datetime.date | None = None
    knowledge_cutoff_display: str = ""
    input_modalities: tuple[str, ...] | None = None
    output_modalities: tuple[str, ...] | None = None
    capabilities: dict[str, bool | None] = field(default_factory=lambda: dict.fromkeys(CAPABILITY_FIELDS))
    status: str = LanguageModel.Status.ACTIVE
    deprecation_date: datetime.date | None = None
    successor_name: str = ""
    successor_slug: str = ""
    offerings: tuple[OfferingFacts, ...] = ()
    benchmarks: tuple[BenchmarkFacts, ...] = ()
    sources: dict[str, SourceRef] = field(default_factory=dict, compare=False)
    organization_slug: str = ""
    url: str = ""
    disputed: frozenset[str] = field(default=frozenset(), compare=False)  # fields sources disagree on
    # Row ids, for the page's other lookups (related comparisons, price history) to skip a join or a query.
    pk: int | None = field(default=None, compare=False)
    organization_id: int | None = field(default=None, compare=False)

    def source(self, name: str) -> SourceRef | None:
        return self.sources.get(name)

    def capability(self, name: str) -> bool | None:
        return self.capabilities.get(name)

    @property
    def active_offerings(self) -> tuple[OfferingFacts, ...]:
        """Offerings a reader can use now: none once the model itself is retired."""
        if self.status == LanguageModel.Status.RETIRED:
            return ()
        return tuple(o for o in self.offerings if o.is_active)

    @property
    def provider_count(self) -> int:
        """Providers serving it now (a retired offering is history, not a provider)."""
        return len(self.active_offerings)

    @property
    def provider_names(self) -> list[str]:
        return [o.provider_name for o in self.active_offerings]

    @property
    def is_retired(self) -> bool:
        return self.status == LanguageModel.Status.RETIRED

    @property
    def price_columns(self) -> tuple[PriceColumn, ...]:
        return price_columns(self.offerings)

    @property
    def offerings_by_price(self) -> tuple[OfferingFacts, ...]:
        """Active offerings by standard blended price (unpriced after), then retired ones."""
        return tuple(
            sorted(
                self.offerings,
                key=lambda o: (not o.is_active, o.blended_price is None, o.blended_price or 0, o.provider_name.lower()),
            )
        )

    @property
    def served_context_window(self) -> int | None:
        """The largest context window a tracked provider serves now; None when none is known."""
        windows = [o.served_context_window for o in self.active_offerings if o.served_context_window]
        return max(windows) if windows else None

    @property
    def served_context_differs(self) -> bool:
        """Whether every tracked provider serves less than the maker's published context window."""
        served = self.served_context_window
        return served is not None and self.context_window is not None and served < self.context_window

    @property
    def usable_context_window(self) -> int | None:
        """What a reader can actually use: the served window when providers serve less, else the model's."""
        return self.served_context_window if self.served_context_differs else self.context_window

    @property
    def cheapest(self) -> OfferingFacts | None:
        """The active offering with the lowest standard-tier 70/30 blend (ties: provider name)."""
        return cheapest_offering(self.active_offerings)

    @property
    def license_kind_label(self) -> str | None:
        if self.license_kind is None:
            return None
        try:
            return License.Kind(self.license_kind).label
        except ValueError:
            return self.license_kind

    @property
    def license_kind_note(self) -> str:
        """The kind label to show beside the license name, unless the name already says it."""
        label = self.license_kind_label or ""
        return "" if (self.license_name or "").lower() == label.lower() else label

    @property
    def allows_self_hosting(self) -> bool | None:
        """True for open source / open weights licenses, False for proprietary, None when not sourced."""
        if self.license_kind is None:
            return None
        return self.license_kind in {License.Kind.OPEN_SOURCE, License.Kind.OPEN_WEIGHTS}

    @property
    def capability_rows(self) -> list[tuple[str, str, bool | None, SourceRef | None]]:
        return [
            (name, CAPABILITY_LABELS[name], self.capabilities.get(name), self.sources.get(name))
            for name in CAPABILITY_FIELDS
        ]


@dataclass(frozen=True)
class SharedBenchmark:
    """One (benchmark, variant) every compared model has a sourced result for (results in model order)."""

    name: str
    url: str
    unit: str
    higher_is_better: bool
    variant: str
    results: tuple[BenchmarkFacts, ...]

    @property
    def a(self) -> BenchmarkFacts:
        return self.results[0]

    @property
    def b(self) -> BenchmarkFacts:
        return self.results[1]


@dataclass(frozen=True)
class PageFacts:
    """What every public page built from facts needs: the sources it cites and how fresh they are."""

    sources: tuple[SourceRef, ...]
    # The newest date a person approved a fact on the page; None when no fact on it was (imported facts and
    # facts without a record of their approval never count as reviewed).
    last_reviewed: datetime.date | None
    # "review" when last_reviewed is set, else None.
    last_reviewed_basis: str | None
    # The newest date a fact on the page was applied from an import without a person's review, and the
    # publishers of those facts' sources ("models.dev", "LiteLLM (BerriAI)").
    last_imported: datetime.date | None = None
    imported_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairFacts:
    a: ModelFacts
    b: ModelFacts
    shared_benchmarks: tuple[SharedBenchmark, ...]
    page: PageFacts

    @property
    def models(self) -> tuple[ModelFacts, ModelFacts]:
        return (self.a, self.b)

    @property
    def any_active_parameters(self) -> bool:
        return any(m.active_parameter_count for m in self.models)

    @property
    def capability_rows(self) -> list[CapabilityRow]:
        return [
            CapabilityRow(name, CAPABILITY_LABELS[name], self.a.capability(name), self.b.capability(name))
            for name in CAPABILITY_FIELDS
        ]


@dataclass(frozen=True)
class CapabilityRow:
    name: str
    label: str
    a: bool | None
    b: bool | None


@dataclass(frozen=True)
class SingleModelFacts:
    model: ModelFacts
    page: PageFacts


# Fields each page shows with a citation, in the order they are cited. Only what a page shows is cited, so its
# source list and "last reviewed" date cover exactly the facts on it.
PAIR_MODEL_FIELDS = (
    "organization",
    "release_date",
    "context_window",
    "max_output_tokens",
    "parameter_count",
    "active_parameter_count",
    "architecture",
    "license",
    "knowledge_cutoff",
    "input_modalities",
    "output_modalities",
    *CAPABILITY_FIELDS,
    "status",
    "deprecation_date",
    "successor",
)
MODEL_PAGE_FIELDS = (*PAIR_MODEL_FIELDS, "family", "description")


class _SourceNumbering:
    """Numbers sources in order of first citation and remembers, per source and for the page, the newest
    date a person approved a cited fact and the newest date one was imported without a person's review."""

    def __init__(self, provenance: Iterable[Provenance]) -> None:
        self._by_field: dict[tuple[int, int, str], Provenance] = {
            (p.content_type_id, p.object_id, p.field): p for p in provenance
        }
        self._refs: dict[int, SourceRef] = {}
        self._reviewed: dict[int, datetime.datetime] = {}  # source pk -> newest person approval
        self._imported: dict[int, datetime.datetime] = {}  # source pk -> newest import

    def cite(self, source: Source) -> SourceRef:
        ref = self._refs.get(source.pk)
        if ref is None:
            ref = SourceRef(
                number=len(self._refs) + 1,
                title=source.title,
                url=source.url,
                publisher=source.publisher,
                retrieved_on=source.retrieved_on,
            )
            self._refs[source.pk] = ref
        return ref

    def cite_fields(self, content_type_id: int, obj: models.Model, names: Iterable[str]) -> dict[str, SourceRef]:
        """field -> the citation of its source, carrying how and when that fact was approved."""
        cited: dict[str, SourceRef] = {}
        for name in names:
            provenance = self._by_field.get((content_type_id, obj.pk, name))
            if provenance is None:
                continue
            ref = self.cite(provenance.source)
            when = provenance.reviewed_at
            if provenance.approval == Provenance.Approval.PERSON:
                newest = self._reviewed
                ref = replace(ref, reviewed_on=timezone.localtime(when).date())
            elif provenance.approval == Provenance.Approval.IMPORT:
                newest = self._imported
                ref = replace(ref, imported_on=timezone.localtime(when).date())
            else:
                newest = None  # no record of who approved it: neither reviewed nor imported
            if newest is not None and (provenance.source_id not in newest or newest[provenance.source_id] < when):
                newest[provenance.source_id] = when
            cited[name] = ref
        return cited

    def page(self) -> PageFacts:
        def day(when: datetime.datetime | None) -> datetime.date | None:
            return timezone.localtime(when).date() if when is not None else None

        sources = tuple(
            replace(ref, reviewed_on=day(self._reviewed.get(pk)), imported_on=day(self._imported.get(pk)))
            for pk, ref in sorted(self._refs.items(), key=lambda item: item[1].number)
        )
        reviewed = day(max(self._reviewed.values(), default=None))
        imported_from = tuple(dict.fromkeys(r.publisher or r.title for r in sources if r.imported_on))
        return PageFacts(
            sources,
            reviewed,
            "review" if reviewed else None,
            last_imported=day(max(self._imported.values(), default=None)),
            imported_from=imported_from,
        )


def _content_type_ids() -> tuple[int, int, int]:
    from django.contrib.contenttypes.models import ContentType

    types = ContentType.objects.get_for_models(LanguageModel, Offering, Price)  # cached after the first call
    return types[LanguageModel].pk, types[Offering].pk, types[Price].pk


def _kind_label(kind: str) -> str:
    try:
        return Provider.Kind(kind).label
    except ValueError:
        return kind


OFFERING_FIELDS = ("status", "context_window", "max_output_tokens")


def _offering_facts(
    offering: Offering,
    numbering: _SourceNumbering | None,
    *,
    cite: bool = True,
    model: LanguageModel | None = None,
    disputed: frozenset[tuple[int, int, str]] = frozenset(),
) -> OfferingFacts:
    """`cite=False` builds the facts without citing them (a page that shows none of this offering's values)."""
    _, offering_ct, price_ct = _content_type_ids()
    provider = offering.provider
    model = model or offering.model
    prices = tuple(
        PriceFacts(
            dimension=row.dimension,
            tier=row.tier,
            threshold=row.context_threshold,
            amount=row.usd_per_million,
            source=(
                numbering.cite_fields(price_ct, row, ("usd_per_million",)).get("usd_per_million")
                if cite and numbering
                else None
            ),
            disputed=(price_ct, row.pk, "usd_per_million") in disputed,
        )
        for row in offering.prices.all()
    )
    return OfferingFacts(
        provider_name=provider.name,
        provider_slug=provider.slug,
        provider_kind=_kind_label(provider.kind),
        provider_kind_code=provider.kind,
        provider_model_id=offering.provider_model_id,
        prices=prices,
        status=offering.status,
        context_window=offering.context_window,
        max_output_tokens=offering.max_output_tokens,
        served_context_window=offering.context_window or model.context_window,
        served_max_output_tokens=offering.max_output_tokens or model.max_output_tokens,
        sources=numbering.cite_fields(offering_ct, offering, OFFERING_FIELDS) if cite and numbering else {},
        disputed=frozenset(name for ct, pk, name in disputed if (ct, pk) == (offering_ct, offering.pk)),
        pk=offering.pk,
    )


def _modalities(value: object) -> tuple[str, ...] | None:
    if value is None or not isinstance(value, list):
        return None
    return tuple(str(m) for m in value)


def _model_facts(
    model: LanguageModel,
    numbering: _SourceNumbering,
    model_sources: dict[str, SourceRef],
    cited_benchmarks: set[tuple[int, str]] | None,
    cheapest_prices_only: bool = False,
    disputed: frozenset[tuple[int, int, str]] = frozenset(),
) -> ModelFacts:
    """`cited_benchmarks`: the (benchmark id, variant) rows the page shows; None for all of them.
    `cheapest_prices_only`: the page shows only the cheapest offering's prices, so only those are cited."""
    rows = list(model.offerings.all())
    if cheapest_prices_only:
        plain = [_offering_facts(o, None, cite=False, model=model) for o in rows]
        cheapest = cheapest_offering(plain)
        offerings = tuple(
            _offering_facts(row, numbering, model=model) if fact is cheapest else fact
            for row, fact in zip(rows, plain, strict=True)
        )
    else:
        offerings = tuple(_offering_facts(o, numbering, model=model, disputed=disputed) for o in rows)
    benchmarks = tuple(
        BenchmarkFacts(
            benchmark_name=r.benchmark.name,
            benchmark_slug=r.benchmark.slug,
            benchmark_url=r.benchmark.url,
            unit=r.benchmark.unit,
            higher_is_better=r.benchmark.higher_is_better,
            variant=r.variant,
            score=r.score,
            measured_on=r.measured_on,
            self_reported=r.self_reported,
            source=(
                numbering.cite(r.source)
                if cited_benchmarks is None or (r.benchmark_id, r.variant) in cited_benchmarks
                else None
            ),
        )
        for r in model.benchmark_results.all()
    )
    lic = model.license
    return ModelFacts(
        name=model.name,
        slug=model.slug,
        url=model.get_absolute_url(),
        organization_name=model.organization.name,
        organization_label=model.organization.label,
        organization_slug=model.organization.slug,
        pk=model.pk,
        organization_id=model.organization_id,
        family=model.family,
        description=model.description,
        release_date=model.release_date,
        context_window=model.context_window,
        max_output_tokens=model.max_output_tokens,
        parameter_count=model.parameter_count,
        active_parameter_count=model.active_parameter_count,
        architecture=model.architecture,
        license_name=lic.name if lic else None,
        license_kind=lic.kind if lic else None,
        license_url=lic.url if lic else "",
        knowledge_cutoff=model.knowledge_cutoff,
        knowledge_cutoff_display=model.knowledge_cutoff_display,
        input_modalities=_modalities(model.input_modalities),
        output_modalities=_modalities(model.output_modalities),
        capabilities=model.capabilities(),
        status=model.status,
        deprecation_date=model.deprecation_date,
        successor_name=model.successor.name if model.successor else "",
        successor_slug=model.successor.slug if model.successor else "",
        offerings=offerings,
        benchmarks=benchmarks,
        sources=model_sources,
        disputed=frozenset(name for ct, pk, name in disputed if (ct, pk) == (_content_type_ids()[0], model.pk)),
    )


def _load(
    slugs: list[str], *, model_fields: tuple[str, ...], cheapest_prices_only: bool = False, disputes: bool = False
) -> tuple[dict[str, ModelFacts], PageFacts] | None:
    """Fixed number of queries: models, offerings, benchmark results, provenance (and, with `disputes`, the
    open disagreements between sources on these rows: one more)."""
    found = list(LanguageModel.objects.filter(slug__in=slugs).with_related().with_offerings().with_benchmarks())
    if len(found) != len(set(slugs)):
        return None
    by_slug = {m.slug: m for m in found}
    objects: list[models.Model] = [*found]
    for m in found:
        for offering in m.offerings.all():
            objects.append(offering)
            objects.extend(offering.prices.all())
    numbering = _SourceNumbering(Provenance.objects.for_objects(objects))
    disputed: frozenset[tuple[int, int, str]] = frozenset()
    if disputes:
        disputed = frozenset(
            SourceDisagreement.objects.open().for_objects(objects).values_list("content_type_id", "object_id", "field")
        )
    model_ct, _, _ = _content_type_ids()
    # A pair page shows only the benchmark rows both models have; a model page shows all of its own.
    cited_benchmarks = None
    if len(found) > 1:
        keys = [{(r.benchmark_id, r.variant) for r in m.benchmark_results.all()} for m in found]
        cited_benchmarks = set.intersection(*keys)
    # Model facts are numbered first, so [1], [2] ... follow the specs table; prices and benchmarks after.
    model_sources = {slug: numbering.cite_fields(model_ct, by_slug[slug], model_fields) for slug in slugs}
    facts = {
        slug: _model_facts(
            by_slug[slug], numbering, model_sources[slug], cited_benchmarks, cheapest_prices_only, disputed
        )
        for slug in slugs
    }
    return facts, numbering.page()


def shared_benchmarks(*models: ModelFacts) -> tuple[SharedBenchmark, ...]:
    """The (benchmark, variant) rows all the models have, in benchmark-name order."""
    by_key = [{r.key: r for r in m.benchmarks} for m in models]
    rows = []
    for first in models[0].benchmarks:
        results = tuple(keyed.get(first.key) for keyed in by_key)
        if any(r is None for r in results):
            continue
        rows.append(
            SharedBenchmark(
                name=first.benchmark_name,
                url=first.benchmark_url,
                unit=first.unit,
                higher_is_better=first.higher_is_better,
                variant=first.variant,
                results=results,  # type: ignore[arg-type]  # no None left
            )
        )
    rows.sort(key=lambda r: (r.name.lower(), r.variant))
    return tuple(rows)


def pair_facts(slug_a: str, slug_b: str) -> PairFacts | None:
    """Facts for the comparison page of two distinct models, in the order given; None if either is unknown."""
    if slug_a == slug_b:
        return None
    loaded = _load([slug_a, slug_b], model_fields=PAIR_MODEL_FIELDS)
    if loaded is None:
        return None
    facts, page = loaded
    a, b = facts[slug_a], facts[slug_b]
    return PairFacts(a=a, b=b, shared_benchmarks=shared_benchmarks(a, b), page=page)


def model_facts(slug: str) -> SingleModelFacts | None:
    loaded = _load([slug], model_fields=MODEL_PAGE_FIELDS, disputes=True)
    if loaded is None:
        return None
    facts, page = loaded
    return SingleModelFacts(model=facts[slug], page=page)


def pair_exists(slug_a: str, slug_b: str) -> bool:
    return slug_a != slug_b and LanguageModel.objects.filter(slug__in=[slug_a, slug_b]).count() == 2


@dataclass(frozen=True)
class RemovedModel:
    """A model an applied change set deleted: its page answers 410 Gone and names its recorded successor."""

    name: str
    slug: str
    removed_on: datetime.date | None
    changeset_url: str
    successor_name: str = ""
    successor_slug: str = ""


def removed_model(slug: str) -> RemovedModel | None:
    """The newest applied deletion of the model with this slug, if any (one query; one more for a successor
    that is still in the catalog). Only reached when no live model has the slug."""
    from django.contrib.contenttypes.models import ContentType

    from catalog.models import ChangeItem

    item = (
        ChangeItem.objects.applied()
        .filter(
            content_type=ContentType.objects.get_for_model(LanguageModel),
            action=ChangeItem.Action.DELETE,
            changes__slug__0=slug,
        )
        .select_related("changeset")
        .order_by("-changeset__applied_at", "-pk")
        .first()
    )
    if item is None:
        return None
    name = (item.changes.get("name") or [item.object_repr])[0] or item.object_repr
    successor_id = (item.changes.get("successor") or [None])[0]
    successor = LanguageModel.objects.filter(pk=successor_id).only("name", "slug").first() if successor_id else None
    applied_at = item.changeset.applied_at
    return RemovedModel(
        name=str(name),
        slug=slug,
        removed_on=timezone.localtime(applied_at).date() if applied_at else None,
        changeset_url=reverse("comparisons:change-detail", args=[item.changeset_id]),
        successor_name=successor.name if successor else "",
        successor_slug=successor.slug if successor else "",
    )


def existing_slugs(slugs: Iterable[str]) -> set[str]:
    """Which of these slugs name a model in the catalog: one query."""
    return set(LanguageModel.objects.filter(slug__in=list(slugs)).values_list("slug", flat=True))


@dataclass(frozen=True)
class MultiFacts:
    """Three or four models side by side, in the order given."""

    models: tuple[ModelFacts, ...]
    shared_benchmarks: tuple[SharedBenchmark, ...]
    page: PageFacts

    @property
    def capability_rows(self) -> list[tuple[str, str, tuple[tuple[ModelFacts, bool | None], ...]]]:
        """(field, label, ((model, value), ...)) per capability, so each value can cite its source."""
        return [
            (name, CAPABILITY_LABELS[name], tuple((m, m.capability(name)) for m in self.models))
            for name in CAPABILITY_FIELDS
        ]

    @property
    def any_active_parameters(self) -> bool:
        return any(m.active_parameter_count for m in self.models)

    @property
    def pairs(self) -> list[tuple[ModelFacts, ModelFacts]]:
        """Every pair of these models, in canonical (slug) order."""
        ordered = sorted(self.models, key=lambda m: m.slug)
        return [(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]]


def multi_facts(slugs: list[str]) -> MultiFacts | None:
    """Facts for 2 or more distinct models in a fixed number of queries; None if any is unknown or repeated."""
    if len(set(slugs)) != len(slugs) or len(slugs) < 2:
        return None
    loaded = _load(slugs, model_fields=PAIR_MODEL_FIELDS, cheapest_prices_only=True)
    if loaded is None:
        return None
    facts, page = loaded
    ordered = tuple(facts[slug] for slug in slugs)
    return MultiFacts(models=ordered, shared_benchmarks=shared_benchmarks(*ordered), page=page)


@dataclass(frozen=True)
class ProviderSummary:
    name: str
    slug: str
    kind: str
    website: str
    model_count: int
    url: str


@dataclass(frozen=True)
class ServedModel:
    """One model on a provider's page, with that provider's offering of it."""

    model_name: str
    model_slug: str
    model_url: str
    organization_label: str
    offering: OfferingFacts


@dataclass(frozen=True)
class ProviderFacts:
    name: str
    slug: str
    kind: str
    website: str
    served: tuple[ServedModel, ...]
    page: PageFacts
    served_count: int = 0
    listing: Page | None = None  # which slice of the served models `served` is

    @property
    def price_columns(self) -> tuple[PriceColumn, ...]:
        return price_columns(s.offering for s in self.served)


PROVIDER_PAGE_SIZE = 50


PROVIDER_DIRECTORY_PAGE_SIZE = 50


def provider_summaries(page: int | str | None = 1) -> Page:
    """One page (50, by name) of the providers with the number of models each serves (stored on the provider,
    see `refresh_provider_counts`): a COUNT and one indexed read, whatever the number of offerings."""
    # A to Z whatever the case ("Lilac" before "LLM Gateway"), as the models are listed.
    providers = Provider.objects.order_by(Lower("name"), "name")
    listing = Paginator(providers, PROVIDER_DIRECTORY_PAGE_SIZE).get_page(page)
    listing.object_list = [
        ProviderSummary(
            name=p.name,
            slug=p.slug,
            kind=_kind_label(p.kind),
            website=p.website,
            model_count=p.model_count,
            url=p.get_absolute_url(),
        )
        for p in listing.object_list
    ]
    return listing


def provider_facts(slug: str, page: int | str | None = 1) -> ProviderFacts | None:
    """A provider and one page (50, by model name) of the models it serves, with prices and sources: 4 queries."""
    provider = Provider.objects.filter(slug=slug).first()
    if provider is None:
        return None
    listing = Paginator(
        Offering.objects.filter(provider=provider)
        .select_related("model__organization", "provider")
        .with_prices()
        .order_by("model__name", "model__slug"),
        PROVIDER_PAGE_SIZE,
    ).get_page(page)
    offerings = list(listing.object_list)
    objects: list[models.Model] = [*offerings]
    for offering in offerings:
        objects.extend(offering.prices.all())
    numbering = _SourceNumbering(Provenance.objects.for_objects(objects))
    served = tuple(
        ServedModel(
            model_name=o.model.name,
            model_slug=o.model.slug,
            model_url=o.model.get_absolute_url(),
            organization_label=o.model.organization.label,
            offering=_offering_facts(o, numbering),
        )
        for o in offerings
    )
    return ProviderFacts(
        name=provider.name,
        slug=provider.slug,
        kind=_kind_label(provider.kind),
        website=provider.website,
        served=served,
        page=numbering.page(),
        served_count=listing.paginator.count,
        listing=listing,
    )
