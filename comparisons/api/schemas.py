"""Response shapes of the API. Money is a string of a Decimal (never a float); unknown is null, field present."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

Money = str  # a Decimal as a string, e.g. "0.150000"


class EvidenceOut(Schema):
    source_url: str
    source_title: str
    publisher: str
    retrieved_on: datetime.date
    reviewed_on: datetime.date
    reviewed_by: Literal["person", "import"] | None = Field(
        description='"person" when a reviewer approved it, "import" when an importer applied it; null if unrecorded.'
    )


class DisagreementOut(Schema):
    """Another source's value for a fact, proposed by an import and still waiting for a reviewer's decision."""

    value: Any = Field(description="The other value, as JSON (a price is a decimal string, USD per 1M).")
    source_url: str
    source_title: str
    publisher: str
    proposed_in: int = Field(description="The change set that proposes it.")
    recorded_on: datetime.date


Disagreements = dict[str, list[DisagreementOut]]
DISAGREEMENTS = "Per fact: the open disagreements of other sources with it (empty when none)."


class OrganizationOut(Schema):
    slug: str
    name: str
    label: str


class LicenseOut(Schema):
    slug: str
    name: str
    kind: str
    url: str


class ProviderRef(Schema):
    slug: str
    name: str
    kind: str


class PriceOut(Schema):
    dimension: str
    tier: str
    context_threshold: int = Field(description="Prompt length above which this price applies; 0 = base price.")
    usd_per_million: Money
    evidence: EvidenceOut | None
    disagreements: list[DisagreementOut] = Field(description="Open disagreements with this amount.")


class OfferingOut(Schema):
    provider: ProviderRef
    provider_model_id: str
    status: str
    context_window: int | None
    max_output_tokens: int | None
    prices: list[PriceOut]
    evidence: dict[str, EvidenceOut | None]
    disagreements: Disagreements = Field(description=DISAGREEMENTS)


class BenchmarkOut(Schema):
    benchmark_slug: str
    benchmark_name: str
    benchmark_url: str
    unit: str
    higher_is_better: bool
    variant: str
    score: str
    measured_on: datetime.date | None
    self_reported: bool
    source_url: str
    source_title: str


class LifecycleOut(Schema):
    status: str
    deprecation_date: datetime.date | None
    successor: str | None = Field(description="Slug of the successor model.")


class HeadlineOut(Schema):
    """Standard tier, base context tier, active offerings."""

    min_input_price: Money | None
    min_output_price: Money | None
    min_blended_price: Money | None = Field(description="Cheapest offering's 70% input / 30% output blend.")
    provider_count: int


class ModelSummaryOut(Schema):
    slug: str
    name: str
    url: str
    organization: OrganizationOut
    family: str
    release_date: datetime.date | None
    context_window: int | None
    max_output_tokens: int | None
    license_kind: str | None
    capabilities: dict[str, bool | None]
    status: str
    headline: HeadlineOut


class ModelPageOut(Schema):
    items: list[ModelSummaryOut]
    page: int
    per_page: int
    total: int
    pages: int


class FeedsOut(Schema):
    rss: str = Field(description="RSS 2.0 feed of the applied changes to this model, its offerings and prices.")
    atom: str


class ModelDetailOut(Schema):
    slug: str
    name: str
    url: str
    organization: OrganizationOut
    family: str
    description: str
    release_date: datetime.date | None
    context_window: int | None
    max_output_tokens: int | None
    parameter_count: int | None
    active_parameter_count: int | None
    architecture: str
    license: LicenseOut | None
    knowledge_cutoff: datetime.date | None
    knowledge_cutoff_precision: str
    input_modalities: list[str] | None
    output_modalities: list[str] | None
    capabilities: dict[str, bool | None]
    lifecycle: LifecycleOut
    headline: HeadlineOut
    offerings: list[OfferingOut]
    benchmarks: list[BenchmarkOut]
    evidence: dict[str, EvidenceOut | None] = Field(
        description="Per fact of the model: its evidence, null if unsourced."
    )
    disagreements: Disagreements = Field(description=DISAGREEMENTS)
    feeds: FeedsOut
    as_of: datetime.date | None = Field(description="The date prices were reconstructed for; null for today's.")
    catalog_revision: int


class ProviderSummaryOut(Schema):
    slug: str
    name: str
    kind: str
    website: str
    model_count: int
    url: str


class ServedOut(Schema):
    model_slug: str
    model_name: str
    offering: OfferingOut


class ProviderDetailOut(Schema):
    slug: str
    name: str
    kind: str
    website: str
    served: list[ServedOut]
    as_of: datetime.date | None
    catalog_revision: int


class CheapestOut(Schema):
    model: str
    provider: str | None
    input_price: Money | None
    output_price: Money | None
    blended_price: Money | None
    disagreements: Disagreements = Field(description="input_price, output_price: open disagreements (today's).")


class GapOut(Schema):
    kind: Literal["missing", "same", "free", "cheaper"]
    cheaper: str | None = Field(description="Slug of the cheaper model; null when equal or unknown.")
    low: Money | None
    high: Money | None
    ratio: str | None = Field(description="high / low as a Decimal string; null when unknown or low is 0.")
    percent_cheaper: str | None = Field(description="(high - low) / high x 100, a Decimal string.")
    difference: Money | None


class SharedBenchmarkOut(Schema):
    benchmark_name: str
    variant: str
    unit: str
    higher_is_better: bool
    scores: dict[str, str] = Field(description="model slug -> score")


class ComparisonOut(Schema):
    models: list[str]
    cheapest: list[CheapestOut]
    gaps: dict[str, GapOut] = Field(description="input, output, blended: cheapest standard prices compared.")
    context_window: dict[str, int | None]
    disagreements: dict[str, Disagreements] = Field(description="model slug -> context_window: open disagreements.")
    shared_benchmarks: list[SharedBenchmarkOut]
    as_of: datetime.date | None
    catalog_revision: int


class CostOut(Schema):
    provider: str
    provider_name: str
    total: Money
    input_cost: Money
    cached_cost: Money
    cache_write_cost: Money
    output_cost: Money
    reasoning_cost: Money
    tier: str
    tier_fallback: bool
    context_threshold: int
    fits: bool
    notes: list[str]


class QuoteOut(Schema):
    model: str
    input_tokens: int
    output_tokens: int
    reasoning_tokens: int
    cached_percent: str
    cache_write_percent: str
    tier: str
    prompt_tokens: int | None
    cheapest: CostOut | None
    costs: list[CostOut]
    as_of: datetime.date | None
    catalog_revision: int


class ChangeItemOut(Schema):
    action: str
    object_type: str
    object_id: int | None
    object_repr: str
    changes: dict[str, list] = Field(description="field -> [old, new], JSON values (decimals as strings).")
    source_url: str | None


class ChangeSetOut(Schema):
    id: int
    revision: int | None
    applied_at: datetime.datetime | None
    summary: str
    items: list[ChangeItemOut]


class ChangesOut(Schema):
    since: int
    catalog_revision: int
    changesets: list[ChangeSetOut]
    more: bool = Field(description="True when more change sets follow: ask again with since = the last revision.")


class PriceHistoryOut(Schema):
    applied_at: datetime.datetime
    changeset: int
    revision: int | None
    dimension: str | None
    tier: str | None
    context_threshold: int | None
    old: Money | None
    new: Money | None


class OfferingHistoryOut(Schema):
    model: str
    provider: str
    history: list[PriceHistoryOut]


class ErrorOut(Schema):
    detail: str | list


class TargetOut(Schema):
    model: str
    provider: str | None = Field(description="Provider slug; null for a model rather than one offering of it.")
    provider_model_id: str | None


class ResolvedOut(Schema):
    source: str
    id: str
    model: str = Field(description="Slug of the model the id names.")
    offering: TargetOut | None = Field(description="The offering, when the id names exactly one.")
    matched_by: Literal["crosswalk", "provider_model_id", "normalisation"] = Field(
        description="The recorded crosswalk row, an offering's recorded provider model id, or the written "
        "normalisation rules (route, region, vendor prefix, Bedrock/Vertex spellings); never a fuzzy match."
    )


class UnresolvedOut(Schema):
    detail: str
    candidates: list[TargetOut] = Field(description="Explicit candidates, for a person to choose from; never a guess.")
