"""Endpoints of the read-only API. Each one reads the catalog in a fixed number of queries."""

from __future__ import annotations

import dataclasses
import datetime
import math
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpRequest, JsonResponse, QueryDict
from django.urls import reverse
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import HttpError, ValidationError

from catalog.models import (
    CAPABILITY_FIELDS,
    MAX_TOKENS,
    ChangeItem,
    ChangeSet,
    LanguageModel,
    License,
    Offering,
    Price,
    Provider,
    headline_summary,
)
from comparisons import facts as facts_module
from comparisons.calculator import TIERS, Workload, all_costs, round_cost
from comparisons.forms import SORT_CHOICES, STATUS_CHOICES, ExplorerForm
from comparisons.text import price_gap

from . import compat
from . import resolve as resolve_module
from . import schemas as s
from .asof import HistoricPrice, offerings_created_after, prices_as_of
from .disagreements import FieldKey, OpenDisagreement, disagreements_of, open_disagreements
from .evidence import Evidence, evidence_for, lookup
from .http import catalog_state, public_get

api = NinjaAPI(
    title="LLM Reference API",
    version="1",
    description=(
        "Read-only, public catalog data: every fact with its source, review date and reviewer kind. Money is a "
        "string of a decimal (USD per 1M tokens unless said otherwise); unknown values are null. Answers carry an "
        "ETag and Last-Modified from the catalog revision (send If-None-Match for a 304). Rate limit: "
        f"{settings.API_RATE_LIMIT} requests per client IP; over it, 429 with Retry-After."
    ),
    urls_namespace="api",
    # The rate limit is a middleware ahead of the page cache (comparisons/api/throttle.py).
)
api.add_decorator(public_get, mode="view")

Slug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,119}$", description="A slug, as in the site's URLs.")]
AsOf = Annotated[
    datetime.date | None,
    Query(None, description="YYYY-MM-DD: prices in force at the end of that day (UTC), from applied change sets."),
]
ERRORS = {404: s.ErrorOut, 422: s.ErrorOut}
MAX_PAGE = 100_000
MAX_PER_PAGE = 100
PRICE_PLACES = Decimal("0.000001")


def invalid(name: str, message: str, where: str = "query") -> ValidationError:
    return ValidationError([{"loc": [where, name], "msg": message, "type": "value_error"}])


def money(amount: Decimal | None) -> str | None:
    """A price in USD per 1M as the catalog stores it: a Decimal string with 6 places ("0.150000")."""
    return None if amount is None else format(amount.quantize(PRICE_PLACES), "f")


def cost(amount: Decimal) -> str:
    """A monthly cost, rounded as the calculator rounds it (to the cent, or to the micro-dollar under a cent)."""
    return format(round_cost(amount), "f")


def _check_day(as_of: datetime.date | None) -> datetime.date | None:
    if as_of is not None and as_of > datetime.date.today() + datetime.timedelta(days=1):
        raise invalid("as_of", "The date is in the future: prices are known up to today.")
    return as_of


# --- serializing rows -----------------------------------------------------------------------------------


def _evidence(e: Evidence | None) -> s.EvidenceOut | None:
    return None if e is None else s.EvidenceOut(**dataclasses.asdict(e))


def _evidence_map(found: dict, obj, names) -> dict[str, s.EvidenceOut | None]:
    return {name: _evidence(e) for name, e in lookup(found, obj, names).items()}


def _disagreements(items: list[OpenDisagreement]) -> list[s.DisagreementOut]:
    return [s.DisagreementOut(**dataclasses.asdict(d)) for d in items]


def _disagreement_map(disputes: dict, obj, names) -> dict[str, list[s.DisagreementOut]]:
    return {name: _disagreements(items) for name, items in disagreements_of(disputes, obj, names).items()}


def _rows(offering: Offering) -> list[HistoricPrice]:
    return [
        HistoricPrice(p.dimension, p.tier, p.context_threshold, p.usd_per_million, p.pk) for p in offering.prices.all()
    ]


def _offering_out(
    offering: Offering,
    rows: list[HistoricPrice],
    found: dict,
    live: dict[int, Price],
    disputes: dict[FieldKey, list[OpenDisagreement]],
) -> s.OfferingOut:
    price_ct = ContentType.objects.get_for_model(Price).pk

    def is_live(row: HistoricPrice) -> bool:
        # A past amount is not what today's provenance backs (its evidence is the change that set it), nor
        # what an import disputes today.
        current = live.get(row.price_id) if row.price_id is not None else None
        return current is not None and current.usd_per_million == row.amount

    def price_evidence(row: HistoricPrice) -> s.EvidenceOut | None:
        return _evidence(found.get((price_ct, row.price_id, "usd_per_million"))) if is_live(row) else None

    def price_disagreements(row: HistoricPrice) -> list[s.DisagreementOut]:
        return _disagreements(disputes.get((price_ct, row.price_id, "usd_per_million"), [])) if is_live(row) else []

    provider = offering.provider
    return s.OfferingOut(
        provider=s.ProviderRef(slug=provider.slug, name=provider.name, kind=provider.kind),
        provider_model_id=offering.provider_model_id,
        status=offering.status,
        context_window=offering.context_window,
        max_output_tokens=offering.max_output_tokens,
        prices=[
            s.PriceOut(
                dimension=r.dimension,
                tier=r.tier,
                context_threshold=r.threshold,
                usd_per_million=money(r.amount),
                evidence=price_evidence(r),
                disagreements=price_disagreements(r),
            )
            for r in rows
        ],
        evidence=_evidence_map(found, offering, facts_module.OFFERING_FIELDS),
        disagreements=_disagreement_map(disputes, offering, facts_module.OFFERING_FIELDS),
    )


def _headline(offerings: list[Offering], rows: dict[int, list[HistoricPrice]]) -> s.HeadlineOut:
    def standard(pk: int, dimension: str) -> Decimal | None:
        for r in rows.get(pk, []):
            if r.key == (dimension, Price.Tier.STANDARD, 0):
                return r.amount
        return None

    summary = headline_summary([(o.pk, o.status, standard(o.pk, "input"), standard(o.pk, "output")) for o in offerings])
    return s.HeadlineOut(
        min_input_price=money(summary["min_input_price"]),
        min_output_price=money(summary["min_output_price"]),
        min_blended_price=money(summary["min_blended_price"]),
        provider_count=summary["provider_count"],
    )


def _stored_headline(m: LanguageModel) -> s.HeadlineOut:
    return s.HeadlineOut(
        min_input_price=money(m.min_input_price),
        min_output_price=money(m.min_output_price),
        min_blended_price=money(m.min_blended_price),
        provider_count=m.provider_count,
    )


def _organization(m: LanguageModel) -> s.OrganizationOut:
    return s.OrganizationOut(slug=m.organization.slug, name=m.organization.name, label=m.organization.label)


def _priced_offerings(
    offerings: list[Offering], as_of: datetime.date | None
) -> tuple[list[Offering], dict[int, list[HistoricPrice]]]:
    """The offerings on sale and their price rows: live ones, or as they stood on `as_of`."""
    if as_of is None:
        return offerings, {o.pk: _rows(o) for o in offerings}
    ids = [o.pk for o in offerings]
    later = offerings_created_after(ids, as_of)
    kept = [o for o in offerings if o.pk not in later]
    return kept, prices_as_of([o.pk for o in kept], as_of)


# --- models ---------------------------------------------------------------------------------------------


class ModelFilters(Schema):
    """The explorer's filters (/models/), with the same meaning."""

    q: str | None = Field(None, max_length=100, pattern=r"^[^\x00]*$", description="Name, family or organization.")
    capability: list[Literal[*CAPABILITY_FIELDS]] = Field(default_factory=list)  # type: ignore[valid-type]
    license_kind: list[Literal[*License.Kind.values]] = Field(default_factory=list)  # type: ignore[valid-type]
    organization: str | None = Field(None, max_length=120, pattern=r"^[a-z0-9_-]+$", description="Organization slug.")
    provider: str | None = Field(None, max_length=120, pattern=r"^[a-z0-9_-]+$", description="Provider slug.")
    max_input_price: Decimal | None = Field(None, ge=0, le=Decimal("999999"), decimal_places=6)
    max_output_price: Decimal | None = Field(None, ge=0, le=Decimal("999999"), decimal_places=6)
    min_context: int | None = Field(None, ge=1, le=2_147_483_647)
    year: int | None = Field(None, ge=1900, le=2999)
    status: Literal[*[value for value, _ in STATUS_CHOICES if value]] | None = None  # type: ignore[valid-type]
    sort: Literal[*[value for value, _ in SORT_CHOICES if value]] | None = None  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE)


def filtered_models(filters: ModelFilters):
    """The explorer's queryset for these filters; a value the explorer would ignore is a 422 naming it."""
    data = QueryDict(mutable=True)
    for name, value in filters.dict(exclude={"page", "per_page"}).items():
        if isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        elif value is not None:
            data[name] = str(value)
    form = ExplorerForm(data)
    models = form.apply(LanguageModel.objects.select_related("organization", "license"))
    if form.errors:
        name, errors = next(iter(form.errors.items()))
        raise invalid(name, " ".join(errors))
    return models


def model_summary(m: LanguageModel) -> s.ModelSummaryOut:
    return s.ModelSummaryOut(
        slug=m.slug,
        name=m.name,
        url=m.get_absolute_url(),
        organization=_organization(m),
        family=m.family,
        release_date=m.release_date,
        context_window=m.context_window,
        max_output_tokens=m.max_output_tokens,
        license_kind=m.license.kind if m.license else None,
        capabilities=m.capabilities(),
        status=m.status,
        headline=_stored_headline(m),
    )


@api.get("/models", response={200: s.ModelPageOut, 422: s.ErrorOut}, tags=["models"])
def list_models(request: HttpRequest, filters: Query[ModelFilters]):
    """Models filtered and ordered like the explorer, a page at a time, with the total."""
    models = filtered_models(filters)
    total = models.count()
    start = (filters.page - 1) * filters.per_page
    items = [model_summary(m) for m in models[start : start + filters.per_page]]
    return s.ModelPageOut(
        items=items,
        page=filters.page,
        per_page=filters.per_page,
        total=total,
        pages=max(1, math.ceil(total / filters.per_page)),
    )


MODEL_FIELDS = facts_module.MODEL_PAGE_FIELDS


@api.get("/models/{slug}", response={200: s.ModelDetailOut, **ERRORS}, tags=["models"])
def get_model(request: HttpRequest, slug: Slug, as_of: AsOf = None):
    """One model: every fact with its evidence, offerings with every price row, benchmarks, lifecycle."""
    as_of = _check_day(as_of)
    m = LanguageModel.objects.filter(slug=slug).with_related().with_offerings().with_benchmarks().first()
    if m is None:
        raise HttpError(404, f"No model with the slug {slug!r}.")
    all_offerings = list(m.offerings.all())
    offerings, rows = _priced_offerings(all_offerings, as_of)
    live = {p.pk: p for o in all_offerings for p in o.prices.all()}
    found = evidence_for([m, *all_offerings, *live.values()])
    disputes = open_disagreements([m, *all_offerings, *live.values()])
    lic = m.license
    return s.ModelDetailOut(
        slug=m.slug,
        name=m.name,
        url=m.get_absolute_url(),
        organization=_organization(m),
        family=m.family,
        description=m.description,
        release_date=m.release_date,
        context_window=m.context_window,
        max_output_tokens=m.max_output_tokens,
        parameter_count=m.parameter_count,
        active_parameter_count=m.active_parameter_count,
        architecture=m.architecture,
        license=s.LicenseOut(slug=lic.slug, name=lic.name, kind=lic.kind, url=lic.url) if lic else None,
        knowledge_cutoff=m.knowledge_cutoff,
        knowledge_cutoff_precision=m.knowledge_cutoff_precision,
        input_modalities=m.input_modalities if isinstance(m.input_modalities, list) else None,
        output_modalities=m.output_modalities if isinstance(m.output_modalities, list) else None,
        capabilities=m.capabilities(),
        lifecycle=s.LifecycleOut(
            status=m.status, deprecation_date=m.deprecation_date, successor=m.successor.slug if m.successor else None
        ),
        headline=_stored_headline(m) if as_of is None else _headline(offerings, rows),
        offerings=[_offering_out(o, rows[o.pk], found, live, disputes) for o in offerings],
        benchmarks=[
            s.BenchmarkOut(
                benchmark_slug=r.benchmark.slug,
                benchmark_name=r.benchmark.name,
                benchmark_url=r.benchmark.url,
                unit=r.benchmark.unit,
                higher_is_better=r.benchmark.higher_is_better,
                variant=r.variant,
                score=format(r.score, "f"),
                measured_on=r.measured_on,
                self_reported=r.self_reported,
                source_url=r.source.url,
                source_title=r.source.title,
            )
            for r in m.benchmark_results.all()
        ],
        evidence=_evidence_map(found, m, MODEL_FIELDS),
        disagreements=_disagreement_map(disputes, m, MODEL_FIELDS),
        feeds=s.FeedsOut(
            rss=reverse("comparisons:model-changes-feed", args=[m.slug]),
            atom=reverse("comparisons:model-changes-feed-atom", args=[m.slug]),
        ),
        as_of=as_of,
        catalog_revision=catalog_state(request)[0],
    )


@api.get(
    "/models/{slug}/offerings/{provider}/history",
    response={200: s.OfferingHistoryOut, **ERRORS},
    tags=["models"],
)
def offering_price_history(request: HttpRequest, slug: Slug, provider: Slug):
    """Every applied change to this offering's price rows (removed rows included), oldest first."""
    offering = Offering.objects.filter(model__slug=slug, provider__slug=provider).first()
    if offering is None:
        raise HttpError(404, f"{provider!r} does not offer a model {slug!r}.")
    live = {
        pk: (dimension, tier, threshold)
        for pk, dimension, tier, threshold in Price.objects.filter(offering=offering).values_list(
            "pk", "dimension", "tier", "context_threshold"
        )
    }
    price_type = ContentType.objects.get_for_model(Price)
    items = (
        ChangeItem.objects.applied()
        .filter(content_type=price_type)
        .filter(Q(object_id__in=list(live)) | Q(action=ChangeItem.Action.DELETE, changes__offering__0=offering.pk))
        .touching_prices()
        .select_related("changeset")
        .order_by("changeset__applied_at", "changeset_id", "id")
    )
    history = []
    for item in items:
        key = live.get(item.object_id)
        changes = item.changes

        def value(name: str, index: int, changes=changes, key=key):
            pair = changes.get(name)
            if pair is not None and pair[1 if pair[1] is not None else 0] is not None:
                return pair[1] if pair[1] is not None else pair[0]
            return key[index] if key else None

        old, new = changes["usd_per_million"]
        threshold = value("context_threshold", 2)
        history.append(
            s.PriceHistoryOut(
                applied_at=item.changeset.applied_at,
                changeset=item.changeset_id,
                revision=item.changeset.revision,
                dimension=value("dimension", 0),
                tier=value("tier", 1),
                context_threshold=int(threshold) if threshold is not None else None,
                old=money(Decimal(str(old))) if old not in (None, "") else None,
                new=money(Decimal(str(new))) if new not in (None, "") else None,
            )
        )
    return s.OfferingHistoryOut(model=slug, provider=provider, history=history)


# --- providers ------------------------------------------------------------------------------------------


@api.get("/providers", response=list[s.ProviderSummaryOut], tags=["providers"])
def list_providers(request: HttpRequest):
    """Every provider with the number of models it serves."""
    providers = Provider.objects.order_by("name")  # model_count: stored, see refresh_provider_counts
    return [
        s.ProviderSummaryOut(
            slug=p.slug,
            name=p.name,
            kind=p.kind,
            website=p.website,
            model_count=p.model_count,
            url=p.get_absolute_url(),
        )  # fmt: skip
        for p in providers
    ]


@api.get("/providers/{slug}", response={200: s.ProviderDetailOut, **ERRORS}, tags=["providers"])
def get_provider(request: HttpRequest, slug: Slug, as_of: AsOf = None):
    """A provider and every model it serves, with every price row and its evidence."""
    as_of = _check_day(as_of)
    provider = Provider.objects.filter(slug=slug).first()
    if provider is None:
        raise HttpError(404, f"No provider with the slug {slug!r}.")
    all_offerings = list(
        Offering.objects.filter(provider=provider)
        .select_related("model", "provider")
        .with_prices()
        .order_by("model__name", "model__slug")
    )
    offerings, rows = _priced_offerings(all_offerings, as_of)
    live = {p.pk: p for o in all_offerings for p in o.prices.all()}
    found = evidence_for([*all_offerings, *live.values()])
    disputes = open_disagreements([*all_offerings, *live.values()])
    return s.ProviderDetailOut(
        slug=provider.slug,
        name=provider.name,
        kind=provider.kind,
        website=provider.website,
        served=[
            s.ServedOut(
                model_slug=o.model.slug,
                model_name=o.model.name,
                offering=_offering_out(o, rows[o.pk], found, live, disputes),
            )
            for o in offerings
        ],
        as_of=as_of,
        catalog_revision=catalog_state(request)[0],
    )


# --- comparison and quote -------------------------------------------------------------------------------


def _facts_as_of(models: list[facts_module.ModelFacts], as_of: datetime.date | None) -> list[facts_module.ModelFacts]:
    """The models' facts with the prices in force on `as_of` (unchanged when None): three queries."""
    if as_of is None:
        return models
    ids = {
        (model_slug, provider_slug): pk
        for pk, model_slug, provider_slug in Offering.objects.filter(
            model__slug__in=[m.slug for m in models]
        ).values_list("pk", "model__slug", "provider__slug")
    }
    later = offerings_created_after(list(ids.values()), as_of)
    rows = prices_as_of([pk for pk in ids.values() if pk not in later], as_of)
    rebuilt = []
    for m in models:
        offerings = []
        for o in m.offerings:
            pk = ids.get((m.slug, o.provider_slug))
            if pk is None or pk in later:
                continue
            prices = tuple(facts_module.PriceFacts(r.dimension, r.tier, r.threshold, r.amount) for r in rows[pk])
            offerings.append(dataclasses.replace(o, prices=prices))
        rebuilt.append(dataclasses.replace(m, offerings=tuple(offerings)))
    return rebuilt


def _gap(a: facts_module.ModelFacts, pa: Decimal | None, b: facts_module.ModelFacts, pb: Decimal | None) -> s.GapOut:
    gap = price_gap(a.slug, pa, b.slug, pb)
    ratio = percent = difference = None
    if gap.low is not None and gap.high is not None:
        difference = money(gap.high - gap.low)
        if gap.low:
            ratio = format((gap.high / gap.low).quantize(Decimal("0.01")), "f")
        if gap.high:
            percent = format(((gap.high - gap.low) / gap.high * 100).quantize(Decimal("0.1")), "f")
    return s.GapOut(
        kind=gap.kind,
        cheaper=gap.cheaper,
        low=money(gap.low),
        high=money(gap.high),
        ratio=ratio,
        percent_cheaper=percent,
        difference=difference,
    )


def _pair_disagreements(*models: facts_module.ModelFacts) -> dict[tuple[str, str], dict[str, list]]:
    """Open disagreements on the figures a comparison shows (each model's context window, its cheapest standard
    input and output price): three queries."""
    cheapest = {m.slug: m.cheapest.provider_slug for m in models if m.cheapest}
    rows = Price.objects.filter(
        offering__model__slug__in=list(cheapest),
        tier=Price.Tier.STANDARD,
        context_threshold=0,
        dimension__in=[Price.Dimension.INPUT, Price.Dimension.OUTPUT],
    ).values_list("pk", "offering__model__slug", "offering__provider__slug", "dimension")
    prices = {(slug, dimension): pk for pk, slug, provider, dimension in rows if cheapest.get(slug) == provider}
    model_ids = dict(LanguageModel.objects.filter(slug__in=[m.slug for m in models]).values_list("slug", "pk"))
    disputes = open_disagreements(
        [Price(pk=pk) for pk in prices.values()] + [LanguageModel(pk=pk) for pk in model_ids.values()]
    )
    price_ct, model_ct = (ContentType.objects.get_for_model(k).pk for k in (Price, LanguageModel))
    out: dict[tuple[str, str], dict[str, list]] = {}
    for m in models:
        out[(m.slug, "cheapest")] = {
            f"{dim}_price": _disagreements(disputes.get((price_ct, prices.get((m.slug, dim)), "usd_per_million"), []))
            for dim in ("input", "output")
        }
        out[(m.slug, "model")] = {
            "context_window": _disagreements(disputes.get((model_ct, model_ids.get(m.slug), "context_window"), []))
        }
    return out


@api.get("/compare/{a}/{b}", response={200: s.ComparisonOut, **ERRORS}, tags=["comparisons"])
def compare(request: HttpRequest, a: Slug, b: Slug, as_of: AsOf = None):
    """Two models as the comparison page sees them: cheapest standard prices, the gaps, shared benchmarks."""
    as_of = _check_day(as_of)
    if a == b:
        raise invalid("b", "Compare two different models.", where="path")
    pair = facts_module.pair_facts(a, b)
    if pair is None:
        raise HttpError(404, f"No model with the slug {a!r} or {b!r}.")
    ma, mb = _facts_as_of([pair.a, pair.b], as_of)
    disputes = _pair_disagreements(ma, mb) if as_of is None else {}
    cheapest = []
    for m in (ma, mb):
        o = m.cheapest
        cheapest.append(
            s.CheapestOut(
                model=m.slug,
                provider=o.provider_slug if o else None,
                input_price=money(o.input_price) if o else None,
                output_price=money(o.output_price) if o else None,
                blended_price=money(o.blended_price) if o else None,
                disagreements=disputes.get((m.slug, "cheapest"), {"input_price": [], "output_price": []}),
            )
        )
    oa, ob = ma.cheapest, mb.cheapest
    gaps = {
        name: _gap(ma, getattr(oa, attr) if oa else None, mb, getattr(ob, attr) if ob else None)
        for name, attr in (("input", "input_price"), ("output", "output_price"), ("blended", "blended_price"))
    }
    return s.ComparisonOut(
        models=[ma.slug, mb.slug],
        cheapest=cheapest,
        gaps=gaps,
        context_window={ma.slug: ma.usable_context_window, mb.slug: mb.usable_context_window},
        disagreements={m.slug: disputes.get((m.slug, "model"), {"context_window": []}) for m in (ma, mb)},
        shared_benchmarks=[
            s.SharedBenchmarkOut(
                benchmark_name=row.name,
                variant=row.variant,
                unit=row.unit,
                higher_is_better=row.higher_is_better,
                scores={ma.slug: format(row.a.score, "f"), mb.slug: format(row.b.score, "f")},
            )
            for row in pair.shared_benchmarks
        ],
        as_of=as_of,
        catalog_revision=catalog_state(request)[0],
    )


class QuoteParams(Schema):
    """The calculator's workload: monthly tokens, or requests per day x tokens per request (30 days)."""

    model: str = Field(..., max_length=120, pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Model slug.")
    input_tokens: int = Field(7_000_000, ge=0, le=10**12, description="Input tokens per month.")
    output_tokens: int = Field(3_000_000, ge=0, le=10**12)
    reasoning_tokens: int = Field(0, ge=0, le=10**12)
    requests_per_day: int | None = Field(None, ge=1, le=10**9, description="Set to give the volume per request.")
    input_per_request: int = Field(2000, ge=0, le=MAX_TOKENS)
    output_per_request: int = Field(500, ge=0, le=MAX_TOKENS)
    reasoning_per_request: int = Field(0, ge=0, le=MAX_TOKENS)
    cached_percent: Decimal = Field(Decimal(0), ge=0, le=100, decimal_places=2, description="Input read from cache.")
    cache_write_percent: Decimal = Field(Decimal(0), ge=0, le=100, decimal_places=2)
    tier: Literal[*TIERS] = "standard"  # type: ignore[valid-type]
    prompt_tokens: int | None = Field(None, ge=1, le=MAX_TOKENS, description="One request's prompt length.")
    provider: str | None = Field(None, max_length=120, pattern=r"^[a-z0-9_-]+$", description="Only this provider.")
    as_of: datetime.date | None = Field(None, description="YYYY-MM-DD: prices in force at the end of that day.")


def _cost(c) -> s.CostOut:
    return s.CostOut(
        provider=c.provider_slug,
        provider_name=c.provider_name,
        total=cost(c.total),
        input_cost=cost(c.input_cost),
        cached_cost=cost(c.cached_cost),
        cache_write_cost=cost(c.cache_write_cost),
        output_cost=cost(c.output_cost),
        reasoning_cost=cost(c.reasoning_cost),
        tier=c.tier,
        tier_fallback=c.tier_fallback,
        context_threshold=c.context_threshold,
        fits=c.fits,
        notes=list(c.notes),
    )


@api.get("/quote", response={200: s.QuoteOut, **ERRORS}, tags=["comparisons"])
def quote(request: HttpRequest, params: Query[QuoteParams]):
    """Monthly cost of a workload on each active offering of a model, cheapest first (the page's calculator)."""
    as_of = _check_day(params.as_of)
    if params.cached_percent + params.cache_write_percent > 100:
        raise invalid("cache_write_percent", "Cache reads and cache writes together cannot exceed 100% of the input.")
    loaded = facts_module.model_facts(params.model)
    if loaded is None:
        raise HttpError(404, f"No model with the slug {params.model!r}.")
    (model,) = _facts_as_of([loaded.model], as_of)
    if params.requests_per_day is not None:
        workload = Workload.from_requests(
            params.requests_per_day,
            params.input_per_request,
            params.output_per_request,
            reasoning_per_request=params.reasoning_per_request,
            cached_percent=params.cached_percent,
            cache_write_percent=params.cache_write_percent,
            tier=params.tier,
        )
    else:
        workload = Workload.from_tokens(
            params.input_tokens,
            params.output_tokens,
            params.cached_percent,
            reasoning_tokens=params.reasoning_tokens,
            cache_write_percent=params.cache_write_percent,
            tier=params.tier,
            prompt_tokens=params.prompt_tokens,
        )
    offerings = model.active_offerings
    if params.provider:
        offerings = tuple(o for o in offerings if o.provider_slug == params.provider)
        if not offerings:
            raise HttpError(404, f"{params.provider!r} has no active offering of {params.model!r}.")
    costs = all_costs(offerings, workload)
    fitting = [c for c in costs if c.fits]
    return s.QuoteOut(
        model=model.slug,
        input_tokens=workload.input_tokens,
        output_tokens=workload.output_tokens,
        reasoning_tokens=workload.reasoning_tokens,
        cached_percent=format(workload.cached_percent, "f"),
        cache_write_percent=format(workload.cache_write_percent, "f"),
        tier=workload.tier,
        prompt_tokens=workload.prompt_tokens,
        cheapest=_cost(fitting[0]) if fitting else None,
        costs=[_cost(c) for c in costs],
        as_of=as_of,
        catalog_revision=catalog_state(request)[0],
    )


# --- resolve -------------------------------------------------------------------------------------------


@api.get("/resolve", response={200: s.ResolvedOut, 404: s.UnresolvedOut, 422: s.ErrorOut}, tags=["models"])
def resolve(
    request: HttpRequest,
    source: Annotated[Literal[*resolve_module.SOURCES], Query(description="The other catalog.")],  # type: ignore[valid-type]
    id: Annotated[str, Query(min_length=1, max_length=300, pattern=r"^[^\x00]+$", description="Its id.")],
):
    """Another catalog's id -> our model (and offering): a recorded match, or 404 listing explicit candidates."""
    found = resolve_module.crosswalk_lookup(source, id)
    if found.model is None:
        candidates = [s.TargetOut(**dataclasses.asdict(t)) for t in found.candidates]
        detail = f"{id!r} names several models." if found.ambiguous else f"No recorded match for {id!r} in {source}."
        return Status(404, s.UnresolvedOut(detail=detail, candidates=candidates))
    offering = s.TargetOut(**dataclasses.asdict(found.offering)) if found.offering else None
    return s.ResolvedOut(source=source, id=id, model=found.model, offering=offering, matched_by=found.matched_by)


# --- compatibility exports -----------------------------------------------------------------------------


@api.get("/export/litellm.json", response=dict[str, dict[str, Any]], tags=["exports"])
def export_litellm(request: HttpRequest):
    """Reviewed prices in the shape of LiteLLM's model_prices_and_context_window.json (USD per token)."""
    # The whole catalog: written as it is built (its shape is the schema's), not validated again item by item.
    return JsonResponse(compat.litellm_map())


@api.get("/export/models.dev.json", response=dict[str, dict[str, Any]], tags=["exports"])
def export_models_dev(request: HttpRequest):
    """Reviewed facts and prices in the shape of models.dev's api.json (USD per 1M tokens)."""
    return JsonResponse(compat.models_dev_api())


# --- changes --------------------------------------------------------------------------------------------


@api.get("/changes", response={200: s.ChangesOut, 422: s.ErrorOut}, tags=["changes"])
def changes_since(
    request: HttpRequest,
    since: Annotated[int, Query(0, ge=0, le=2**53, description="A catalog revision: changes after it.")] = 0,
    limit: Annotated[int, Query(50, ge=1, le=200, description="At most this many change sets.")] = 50,
):
    """Applied change sets after a catalog revision, oldest first, with every item and its source."""
    sets = list(
        ChangeSet.objects.filter(state=ChangeSet.State.APPLIED, revision__gt=since)
        .order_by("revision", "id")
        .with_items()[: limit + 1]
    )
    more = len(sets) > limit
    return s.ChangesOut(
        since=since,
        catalog_revision=catalog_state(request)[0],
        changesets=[
            s.ChangeSetOut(
                id=cs.pk,
                revision=cs.revision,
                applied_at=cs.applied_at,
                summary=cs.summary,
                items=[
                    s.ChangeItemOut(
                        action=item.action,
                        object_type=item.content_type.model,
                        object_id=item.object_id,
                        object_repr=item.object_repr,
                        changes=item.changes,
                        source_url=item.source.url if item.source else None,
                    )
                    for item in cs.items.all()
                ],
            )
            for cs in sets[:limit]
        ],
        more=more,
    )
