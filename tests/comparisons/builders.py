"""Catalogs for the public-page tests, built with the factories: the seed pair and n-model catalogs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from decimal import Decimal as D

from django.contrib.contenttypes.models import ContentType
from django.db import models

from catalog.models import LanguageModel, License, Offering, Provenance
from comparisons.facts import ModelFacts, OfferingFacts, PriceFacts
from tests.factories import (
    PRICE_KWARGS,
    create_benchmark,
    create_benchmark_result,
    create_license,
    create_model,
    create_offering,
    create_organization,
    create_provider,
    create_source,
    offering_price,
)

# --- plain facts dataclasses, for the pure tests ---------------------------------------------------------

ALL_UNKNOWN = {
    "vision": None,
    "multimodal": None,
    "reasoning": None,
    "function_calling": None,
    "tool_use": None,
    "structured_outputs": None,
    "code_execution": None,
}


def offer(provider: str, input_price: str | None, output_price: str | None, **kwargs) -> OfferingFacts:
    """Offering facts: standard input/output, `cached`, `batch_in`, `batch_out`, and `prices` rows
    [(dimension, tier, threshold, amount)]; `status`, `context` (served context window)."""
    rows = [
        (dimension, tier, 0, amount)
        for dimension, tier, amount in (
            ("input", "standard", input_price),
            ("output", "standard", output_price),
            ("cache_read", "standard", kwargs.get("cached")),
            ("input", "batch", kwargs.get("batch_in")),
            ("output", "batch", kwargs.get("batch_out")),
        )
        if amount is not None
    ]
    rows += kwargs.get("prices", [])
    return OfferingFacts(
        provider_name=provider,
        provider_slug=provider.lower().replace(" ", "-"),
        provider_kind="Inference host",
        provider_model_id="",
        prices=tuple(PriceFacts(d, t, th, D(str(a))) for d, t, th, a in rows),
        status=kwargs.get("status", "active"),
        context_window=kwargs.get("context"),
        served_context_window=kwargs.get("context"),
    )


def mf(name: str = "Alpha", **kwargs) -> ModelFacts:
    capabilities = {**ALL_UNKNOWN, **kwargs.pop("caps", {})}
    defaults = {
        "name": name,
        "slug": name.lower().replace(" ", "-"),
        "organization_name": f"{name} Org",
        "organization_label": f"{name} Labs",
        "capabilities": capabilities,
    }
    return ModelFacts(**{**defaults, **kwargs})


# --- catalogs in the database -------------------------------------------------------------------------------

REVIEWED_AT = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.UTC)


def cite(
    obj: models.Model,
    fields: list[str],
    source,
    reviewed_at: datetime.datetime = REVIEWED_AT,
    approval: str = Provenance.Approval.PERSON,
) -> None:
    """Provenance for fields of a row, as a person reviewed them unless `approval` says "import"; an
    offering's "input_price" etc. cite the matching price row."""
    for field in fields:
        target, name = obj, field
        if isinstance(obj, Offering) and field in PRICE_KWARGS:
            target, name = offering_price(obj, field), "usd_per_million"
        Provenance.objects.create(
            content_type=ContentType.objects.get_for_model(target),
            object_id=target.pk,
            field=name,
            source=source,
            reviewed_at=reviewed_at,
            approval=approval,
        )


@dataclass
class SeedPair:
    llama: LanguageModel
    o4: LanguageModel


def create_seed_pair() -> SeedPair:
    """Llama 3.2 1B and o4-mini as the seed page lists them, every fact cited."""
    meta = create_organization(name="Meta", display_name="AI at Meta", slug="meta")
    openai = create_organization(name="OpenAI", display_name="OpenAI", slug="openai")
    llama_license = create_license(
        name="Llama 3.2 Community License",
        slug="llama-3-2-community-license",
        kind=License.Kind.OPEN_WEIGHTS,
        url="https://www.llama.com/llama3_2/license/",
    )
    proprietary = create_license(name="OpenAI Terms", slug="openai-terms", kind=License.Kind.PROPRIETARY)
    llama = create_model(
        name="Llama 3.2 1B",
        slug="llama-3-2-1b",
        organization=meta,
        family="Llama 3.2",
        release_date=datetime.date(2024, 9, 25),
        context_window=131072,
        parameter_count=1_230_000_000,
        architecture="decoder-only transformer",
        license=llama_license,
        knowledge_cutoff=datetime.date(2023, 12, 1),
        input_modalities=["text"],
        output_modalities=["text"],
        reasoning=False,
        vision=False,
        multimodal=False,
        function_calling=False,
    )
    o4 = create_model(
        name="o4-mini",
        slug="o4-mini",
        organization=openai,
        release_date=datetime.date(2025, 4, 16),
        license=proprietary,
        knowledge_cutoff=None,
        input_modalities=["text", "image"],
        output_modalities=["text"],
        reasoning=True,
        vision=True,
        multimodal=True,
        function_calling=True,
    )
    card = create_source(
        url="https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/MODEL_CARD.md",
        title="Llama 3.2 model card",
        publisher="Meta",
        retrieved_on=datetime.date(2026, 11, 1),
    )
    o4_page = create_source(
        url="https://platform.openai.com/docs/models/o4-mini",
        title="o4-mini model page",
        publisher="OpenAI",
        retrieved_on=datetime.date(2026, 11, 2),
    )
    cite(
        llama,
        [
            "organization",
            "release_date",
            "context_window",
            "parameter_count",
            "architecture",
            "license",
            "knowledge_cutoff",
            "input_modalities",
            "output_modalities",
            "reasoning",
            "vision",
            "multimodal",
            "function_calling",
        ],
        card,
    )
    cite(
        o4,
        [
            "organization",
            "release_date",
            "license",
            "input_modalities",
            "output_modalities",
            "reasoning",
            "vision",
            "multimodal",
            "function_calling",
        ],
        o4_page,
    )
    prices = [
        (llama, "Fireworks AI", "fireworks-ai", "inference", "0.10", "0.10"),
        (o4, "OpenAI API", "openai-api", "first_party", "1.10", "4.40"),
        (o4, "OpenRouter", "openrouter", "aggregator", "1.10", "4.40"),
        (o4, "Replicate API", "replicate-api", "inference", "0.50", "2.00"),
    ]
    # OpenAI's batch API is the batch tier of its offering (half price), never a provider of its own.
    batch = {"openai-api": {"batch_input_price": Decimal("0.55"), "batch_output_price": Decimal("2.20")}}
    for model, name, slug, kind, input_price, output_price in prices:
        provider = create_provider(name=name, slug=slug, kind=kind)
        offering = create_offering(
            model=model,
            provider=provider,
            input_price=Decimal(input_price),
            output_price=Decimal(output_price),
            **batch.get(slug, {}),
        )
        pricing = create_source(url=f"https://{slug}.example/pricing", title=f"{name} pricing")
        cite(offering, ["input_price", "output_price", *batch.get(slug, {})], pricing)
    return SeedPair(llama=llama, o4=o4)


def create_catalog(model_count: int, offerings_per_model: int, *, benchmarks: bool = True) -> list[LanguageModel]:
    """`model_count` models over 3 organizations, each on `offerings_per_model` shared providers, cited."""
    organizations = [create_organization() for _ in range(3)]
    licenses = [create_license(kind=kind) for kind in License.Kind.values]
    providers = [create_provider() for _ in range(offerings_per_model)]
    source = create_source()
    bench = create_benchmark() if benchmarks else None
    catalog = []
    for i in range(model_count):
        model = create_model(
            organization=organizations[i % 3],
            license=licenses[i % len(licenses)],
            release_date=datetime.date(2024, 1 + i % 12, 1 + i % 28),
            context_window=8192 * (1 + i % 16),
            parameter_count=(i + 1) * 1_000_000_000,
            reasoning=i % 2 == 0,
            vision=i % 3 == 0,
            function_calling=True if i % 4 else None,
        )
        cite(model, ["release_date", "context_window", "license", "reasoning"], source)
        for j, provider in enumerate(providers):
            offering = create_offering(
                model=model,
                provider=provider,
                input_price=Decimal(i + 1) / 10 + Decimal(j) / 100,
                output_price=Decimal(i + 1) / 5 + Decimal(j) / 100,
                cached_input_price=Decimal(i + 1) / 40,
            )
            cite(offering, ["input_price", "output_price"], source)
        if bench is not None:
            create_benchmark_result(model=model, benchmark=bench, score=Decimal(40 + i), source=source)
        catalog.append(model)
    return catalog
