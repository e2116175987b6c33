"""A realistic synthetic catalog, written in bulk, for benchmarks and size tests (`manage.py generate_catalog`).

Unlike the demo loader it writes live rows directly with `bulk_create` (the review workflow saves row by
row, far too slow for 40,000 offerings), but it leaves what the workflow would: provenance for every fact,
applied change sets of price updates (so `/changes/` and price histories have content), and one bump of the
catalog revision. The same seed gives the same catalog.

Every offering price is decided in one function, `_offering_prices`, and written in `_price_rows`.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from .models import (
    AuditEvent,
    Benchmark,
    BenchmarkResult,
    CatalogRevision,
    ChangeItem,
    ChangeSet,
    LanguageModel,
    License,
    Offering,
    Organization,
    Price,
    Provenance,
    Provider,
    Source,
    recompute_facts_changed_at,
    refresh_price_summaries,
    refresh_provider_counts,
)
from .review.services import system_user

GENERATOR_AUTHOR = "catalog-generator"
GENERATOR_REVIEWER = "catalog-generator-reviewer"
BATCH = 5000
FAMILIES = (
    "Nova", "Orion", "Lyra", "Vega", "Atlas", "Helix", "Quill", "Sable", "Tern", "Umbra",
    "Cobalt", "Drift", "Ember", "Fjord", "Gale", "Harbor", "Iris", "Juniper", "Kestrel", "Lumen",
)  # fmt: skip
SIZES = ("Mini", "Small", "Medium", "Large", "XL", "Pro", "Flash", "Lite", "Ultra", "Max")
BENCHMARKS = (
    "MMLU", "MMLU-Pro", "GPQA Diamond", "HumanEval", "MATH-500", "SWE-bench Verified",
    "LiveCodeBench", "AIME 2025", "IFEval", "MMMU", "SimpleQA", "Arena Elo",
)  # fmt: skip
PROVIDER_KINDS = (
    Provider.Kind.FIRST_PARTY,
    Provider.Kind.CLOUD,
    Provider.Kind.AGGREGATOR,
    Provider.Kind.INFERENCE,
    Provider.Kind.INFERENCE,
)
MODEL_FACTS = (
    "name", "organization", "family", "description", "release_date", "context_window", "max_output_tokens",
    "parameter_count", "license", "knowledge_cutoff", "input_modalities", "output_modalities", "vision",
    "multimodal", "reasoning", "function_calling", "tool_use", "structured_outputs", "status",
)  # fmt: skip


@dataclass
class GeneratedCatalog:
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return "Generated " + ", ".join(f"{n} {label}" for label, n in self.counts.items()) + "."


class CatalogNotEmpty(Exception):
    pass


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    """A price between low and high (log-uniform, as real price lists are), to the cent of a cent."""
    value = low * (high / low) ** rng.random()
    return Decimal(str(round(value, 4)))


PriceKey = tuple[str, str, int]


def _offering_prices(rng: random.Random, base_input: Decimal, base_output: Decimal) -> dict[PriceKey, Decimal]:
    """One provider's prices for a model whose first-party prices are the bases: the only price decisions.

    Keys are (dimension, tier, context threshold), as `catalog.Price` rows are."""
    factor = Decimal(str(round(rng.uniform(0.6, 1.6), 2)))
    input_price = (base_input * factor).quantize(Decimal("0.0001"))
    output_price = (base_output * factor).quantize(Decimal("0.0001"))
    prices = {("input", "standard", 0): input_price, ("output", "standard", 0): output_price}
    if rng.random() < 0.5:
        prices["cache_read", "standard", 0] = (input_price / 4).quantize(Decimal("0.0001"))
    if rng.random() < 0.3:
        prices["input", "batch", 0] = (input_price / 2).quantize(Decimal("0.0001"))
        prices["output", "batch", 0] = (output_price / 2).quantize(Decimal("0.0001"))
    if rng.random() < 0.1:
        prices["input", "standard", 200_000] = input_price * 2
        prices["output", "standard", 200_000] = output_price * 2
    return prices


def _price_rows(offering: Offering, prices: dict[PriceKey, Decimal]) -> list[Price]:
    """The (unsaved) price rows of a saved offering."""
    return [
        Price(offering=offering, dimension=dimension, tier=tier, context_threshold=threshold, usd_per_million=amount)
        for (dimension, tier, threshold), amount in prices.items()
    ]


def _bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


@transaction.atomic
def generate_catalog(*, models: int, providers: int, seed: int, offerings_per_model: int = 20) -> GeneratedCatalog:
    if LanguageModel.objects.exists() or Provider.objects.exists():
        raise CatalogNotEmpty("The catalog is not empty: generate into a fresh database.")
    rng = random.Random(seed)
    now = timezone.now()
    result = GeneratedCatalog()
    retrieved = datetime.date(2026, 11, 1)

    org_count = max(1, models // 20)
    organizations = _bulk(
        Organization,
        [
            Organization(
                name=f"Lab {i:03d}",
                display_name=f"Lab {i:03d} AI",
                slug=f"lab-{i:03d}",
                website=f"https://lab-{i:03d}.example",
            )
            for i in range(org_count)
        ],
    )
    licenses = _bulk(
        License,
        [
            License(name="Proprietary (generated)", slug="gen-proprietary", kind=License.Kind.PROPRIETARY),
            License(name="Apache 2.0 (generated)", slug="gen-apache-2-0", kind=License.Kind.OPEN_SOURCE),
            License(name="Open weights (generated)", slug="gen-open-weights", kind=License.Kind.OPEN_WEIGHTS),
        ],
    )
    provider_rows = _bulk(
        Provider,
        [
            Provider(
                name=f"Provider {i:03d}",
                slug=f"provider-{i:03d}",
                website=f"https://provider-{i:03d}.example",
                kind=PROVIDER_KINDS[i % len(PROVIDER_KINDS)],
            )
            for i in range(providers)
        ],
    )
    source_rows = [
        Source(url=f"https://lab-{i:03d}.example/models", title=f"Lab {i:03d} model cards", retrieved_on=retrieved)
        for i in range(org_count)
    ]
    source_rows += [
        Source(
            url=f"https://provider-{i:03d}.example/pricing", title=f"Provider {i:03d} pricing", retrieved_on=retrieved
        )
        for i in range(providers)
    ]
    source_rows.append(
        Source(url="https://benchmarks.example/leaderboard", title="Benchmark leaderboard", retrieved_on=retrieved)
    )
    sources = _bulk(Source, source_rows)
    org_source = sources[:org_count]
    provider_source = sources[org_count : org_count + providers]
    benchmark_source = sources[-1]

    model_rows = []
    for i in range(models):
        org_index = i % org_count
        family = f"{FAMILIES[i % len(FAMILIES)]} {1 + (i // len(FAMILIES)) % 5}"
        size = SIZES[(i // 100) % len(SIZES)]
        release = datetime.date(2022, 1, 1) + datetime.timedelta(days=rng.randrange(1400))
        vision = rng.random() < 0.5
        model_rows.append(
            LanguageModel(
                name=f"{family} {size} {i}",
                slug=f"lab-{org_index:03d}-{family.lower().replace(' ', '-')}-{size.lower()}-{i}",
                organization=organizations[org_index],
                family=family,
                description=f"A generated {size.lower()} model of the {family} family.",
                release_date=release,
                context_window=rng.choice((8192, 32768, 128000, 200000, 1000000)),
                max_output_tokens=rng.choice((4096, 8192, 16384)),
                parameter_count=rng.choice((1, 3, 8, 14, 32, 70, 405)) * 1_000_000_000,
                license=licenses[i % len(licenses)],
                knowledge_cutoff=(release - datetime.timedelta(days=rng.randrange(60, 400))).replace(day=1),
                input_modalities=["text", "image"] if vision else ["text"],
                output_modalities=["text"],
                vision=vision,
                multimodal=vision,
                reasoning=rng.random() < 0.4,
                function_calling=rng.random() < 0.7,
                tool_use=rng.choice((True, False, None)),
                structured_outputs=rng.choice((True, False, None)),
                status=rng.choices(
                    (LanguageModel.Status.ACTIVE, LanguageModel.Status.DEPRECATED, LanguageModel.Status.RETIRED),
                    weights=(90, 7, 3),
                )[0],
            )
        )
    model_rows = _bulk(LanguageModel, model_rows)

    offering_rows, offering_facts = [], []
    per_model = min(offerings_per_model, providers)
    for model in model_rows:
        base_input = _money(rng, 0.02, 15)
        base_output = (base_input * Decimal(rng.choice(("2", "3", "4", "5")))).quantize(Decimal("0.0001"))
        for p in rng.sample(range(providers), per_model):
            offering = Offering(model=model, provider=provider_rows[p], provider_model_id=f"{model.slug}@p{p}")
            offering_facts.append((_offering_prices(rng, base_input, base_output), p))
            offering_rows.append(offering)
    offering_rows = _bulk(Offering, offering_rows)
    price_rows = _bulk(
        Price,
        [
            row
            for offering, (prices, _p) in zip(offering_rows, offering_facts, strict=True)
            for row in _price_rows(offering, prices)
        ],
    )
    provider_of = {offering.pk: p for offering, (_prices, p) in zip(offering_rows, offering_facts, strict=True)}
    input_rows = {
        row.offering_id: row
        for row in price_rows
        if (row.dimension, row.tier, row.context_threshold) == ("input", "standard", 0)
    }

    benchmarks = _bulk(
        Benchmark,
        [
            Benchmark(
                name=name,
                slug=name.lower().replace(" ", "-").replace(".", ""),
                unit="Elo" if name == "Arena Elo" else "%",
            )
            for name in BENCHMARKS
        ],
    )
    results = []
    for model in model_rows:
        for benchmark in rng.sample(benchmarks, 6):
            score = rng.uniform(1000, 1400) if benchmark.unit == "Elo" else rng.uniform(10, 95)
            results.append(
                BenchmarkResult(
                    model=model, benchmark=benchmark, score=Decimal(str(round(score, 1))), source=benchmark_source
                )
            )
    results = _bulk(BenchmarkResult, results)

    types = ContentType.objects.get_for_models(LanguageModel, Offering, Price, BenchmarkResult)
    reviewed = now - datetime.timedelta(days=30)
    source_of_org = {org.pk: source for org, source in zip(organizations, org_source, strict=True)}
    provenance = [
        Provenance(
            content_type=types[LanguageModel],
            object_id=model.pk,
            field=name,
            source=source_of_org[model.organization_id],
            reviewed_at=reviewed,
        )
        for model in model_rows
        for name in MODEL_FACTS
    ]
    provenance += [
        Provenance(
            content_type=types[Offering],
            object_id=offering.pk,
            field="provider_model_id",
            source=provider_source[p],
            reviewed_at=reviewed,
        )
        for offering, (_prices, p) in zip(offering_rows, offering_facts, strict=True)
    ]
    provenance += [
        Provenance(
            content_type=types[Price],
            object_id=row.pk,
            field="usd_per_million",
            source=provider_source[provider_of[row.offering_id]],
            reviewed_at=reviewed,
        )
        for row in price_rows
    ]
    provenance += [
        Provenance(
            content_type=types[BenchmarkResult],
            object_id=r.pk,
            field="score",
            source=benchmark_source,
            reviewed_at=reviewed,
        )
        for r in results
    ]
    _bulk(Provenance, provenance)

    changesets = _price_update_changesets(rng, offering_rows, input_rows, offering_facts, provider_source, now)
    refresh_price_summaries()
    refresh_provider_counts()
    recompute_facts_changed_at()
    result.counts = {
        "organizations": len(organizations),
        "providers": len(provider_rows),
        "models": len(model_rows),
        "offerings": len(offering_rows),
        "prices": len(price_rows),
        "benchmark results": len(results),
        "provenance rows": len(provenance),
        "applied change sets": changesets,
    }
    return result


def _price_update_changesets(
    rng: random.Random,
    offerings: list[Offering],
    input_rows: dict[int, Price],
    facts: list[tuple[dict, int]],
    provider_source: list[Source],
    now: datetime.datetime,
    *,
    sets: int = 30,
    items_per_set: int = 200,
) -> int:
    """Applied change sets of earlier input-price moves, so histories and /changes/ look like a live catalog.

    The live prices are the newest; each item records an older price it replaced.
    """
    author = system_user(GENERATOR_AUTHOR)
    reviewer = system_user(GENERATOR_REVIEWER, reviewer=True)
    price_type = ContentType.objects.get_for_model(Price)
    first_revision = CatalogRevision.current() + 1
    changesets = []
    for k in range(sets):
        applied = now - datetime.timedelta(days=sets - k)
        changesets.append(
            ChangeSet(
                author=author,
                summary=f"Price update {k + 1} (generated)",
                state=ChangeSet.State.APPLIED,
                revision=first_revision + k,
                submitted_at=applied,
                applied_at=applied,
            )
        )
    changesets = _bulk(ChangeSet, changesets)
    items, events = [], []
    for changeset in changesets:
        for index in rng.sample(range(len(offerings)), min(items_per_set, len(offerings))):
            offering = offerings[index]
            row = input_rows[offering.pk]
            new = row.usd_per_million
            old = (new * Decimal(str(round(rng.uniform(1.05, 1.5), 2)))).quantize(Decimal("0.0001"))
            items.append(
                ChangeItem(
                    changeset=changeset,
                    action=ChangeItem.Action.UPDATE,
                    content_type=price_type,
                    object_id=row.pk,
                    object_repr=f"{offering.model.name} on {offering.provider.name}: Input"[:300],
                    changes={"usd_per_million": [str(old), str(new)]},
                    base_version=1,
                    source=provider_source[facts[index][1]],
                )
            )
        events.append(
            AuditEvent(
                changeset=changeset,
                actor=reviewer,
                action=AuditEvent.Action.APPLIED,
                from_state=ChangeSet.State.APPROVED,
                to_state=ChangeSet.State.APPLIED,
                created_at=changeset.applied_at,
            )
        )
    _bulk(ChangeItem, items)
    _bulk(AuditEvent, events)
    for _ in range(sets):
        CatalogRevision.bump()
    return len(changesets)
