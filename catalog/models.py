"""The catalog: the live, published facts about models, providers and prices.

Unknown is not "no": a fact nobody has sourced yet is NULL and the pages say "not yet sourced".
Prices are Decimal USD per 1M tokens. Every row carries a `version` the review workflow uses to
detect conflicting edits.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse

PRICE_DIGITS = {"max_digits": 12, "decimal_places": 6}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
# Plausible upper bounds, checked the same on every database (PostgreSQL's integer would overflow first,
# SQLite would store anything): the largest context windows are ~10M tokens, the largest models ~2T parameters.
MAX_TOKENS = 100_000_000
MAX_PARAMETERS = 100_000_000_000_000
TOKEN_BOUNDS = [MinValueValidator(1), MaxValueValidator(MAX_TOKENS, "At most 100 million tokens (100,000,000).")]
PARAMETER_BOUNDS = [
    MinValueValidator(1),
    MaxValueValidator(MAX_PARAMETERS, "At most 100 trillion parameters (100,000,000,000,000)."),
]

CAPABILITY_FIELDS = (
    "vision",
    "multimodal",
    "reasoning",
    "function_calling",
    "tool_use",
    "structured_outputs",
    "code_execution",
)
MODALITIES = ("text", "image", "audio", "video", "pdf")


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Bumped on every applied change; used to detect conflicts."
    )

    class Meta:
        abstract = True


class SourceQuerySet(models.QuerySet):
    def cited(self) -> SourceQuerySet:
        """Sources an applied change cites, or that back a live fact: immutable outside review."""
        applied_items = ChangeItem.objects.applied().filter(source=models.OuterRef("pk"))
        backing = Provenance.objects.filter(source=models.OuterRef("pk"))
        results = BenchmarkResult.objects.filter(source=models.OuterRef("pk"))
        return self.filter(models.Exists(applied_items) | models.Exists(backing) | models.Exists(results))


class Source(VersionedModel):
    """Where a fact comes from: a model card, a pricing page, a paper.

    Once an applied change cites it, it is immutable outside the review workflow: an edit is a proposal.
    """

    url = models.URLField(max_length=500, unique=True)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    retrieved_on = models.DateField(help_text="The day the page was read.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def is_cited(self) -> bool:
        return self.pk is not None and Source.objects.cited().filter(pk=self.pk).exists()

    def citing_changesets(self, limit: int = 50) -> list[ChangeSet]:
        """Applied change sets that cite this source (for the whole item or one field), newest first."""
        ids = ChangeItem.objects.applied().filter(source=self).values("changeset_id")
        return list(ChangeSet.objects.filter(pk__in=ids).select_related("author").order_by("-applied_at")[:limit])

    def backed_facts(self, limit: int = 100) -> list[Provenance]:
        """Live facts (object, field) this source backs."""
        return list(
            self.provenance.select_related("content_type").order_by("content_type", "object_id", "field")[:limit]
        )


class OrganizationQuerySet(models.QuerySet):
    def most_models_first(self) -> OrganizationQuerySet:
        """Annotate `model_count`; the makers of the most catalogued models first."""
        return self.annotate(model_count=Count("models")).order_by("-model_count", "name")


class Organization(VersionedModel):
    name = models.CharField(max_length=120, unique=True, help_text='Short name, e.g. "Meta".')
    display_name = models.CharField(max_length=200, blank=True, help_text='e.g. "AI at Meta".')
    slug = models.SlugField(max_length=120, unique=True)
    website = models.URLField(blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.display_name or self.name


class License(VersionedModel):
    class Kind(models.TextChoices):
        OPEN_SOURCE = "open_source", "Open source"
        OPEN_WEIGHTS = "open_weights", "Open weights"
        PROPRIETARY = "proprietary", "Proprietary"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def allows_self_hosting(self) -> bool:
        return self.kind in {self.Kind.OPEN_SOURCE, self.Kind.OPEN_WEIGHTS}


# Names sort case-insensitively (Lower, not the database's collation, so SQLite and PostgreSQL agree); the
# exact name and the unique slug settle ties, so every order is total.
NAME_ORDER = (Lower("name"), "name", "slug")


class LanguageModelQuerySet(models.QuerySet):
    def with_related(self) -> LanguageModelQuerySet:
        return self.select_related("organization", "license", "successor")

    def with_offerings(self) -> LanguageModelQuerySet:
        """Offerings with their provider and price rows, by provider name."""
        offerings = Offering.objects.select_related("provider").order_by("provider__name").with_prices()
        return self.prefetch_related(Prefetch("offerings", queryset=offerings))

    def with_benchmarks(self) -> LanguageModelQuerySet:
        results = BenchmarkResult.objects.select_related("benchmark", "source").order_by("benchmark__name")
        return self.prefetch_related(Prefetch("benchmark_results", queryset=results))

    def active(self) -> LanguageModelQuerySet:
        return self.exclude(status=LanguageModel.Status.RETIRED)

    def explorer_counts(self) -> dict[str, int]:
        """In one query: `listed`, the models the explorer shows by default (active and deprecated), and
        `retired`, those it lists only when asked (status filter)."""
        retired = Q(status=LanguageModel.Status.RETIRED)
        return self.aggregate(listed=Count("pk", filter=~retired), retired=Count("pk", filter=retired))

    def open_weights(self) -> LanguageModelQuerySet:
        """Models whose weights can be downloaded (open source or open weights licenses)."""
        return self.filter(license__kind__in=[License.Kind.OPEN_SOURCE, License.Kind.OPEN_WEIGHTS])

    def proprietary(self) -> LanguageModelQuerySet:
        return self.filter(license__kind=License.Kind.PROPRIETARY)

    def by_organization(self, organization: Organization) -> LanguageModelQuerySet:
        return self.filter(organization=organization)

    def supporting(self, *capabilities: str) -> LanguageModelQuerySet:
        for capability in capabilities:
            if capability not in CAPABILITY_FIELDS:
                raise ValueError(f"unknown capability {capability!r}")
        return self.filter(**dict.fromkeys(capabilities, True))

    def newest_first(self) -> LanguageModelQuerySet:
        return self.order_by(F("release_date").desc(nulls_last=True), *NAME_ORDER)

    # --- Explorer scopes (/models/): each one narrows or orders, all chain. ---

    def with_status(self, status: str) -> LanguageModelQuerySet:
        return self.filter(status=status)

    def matching(self, text: str) -> LanguageModelQuerySet:
        """Name, family or organization contains the text (case-insensitive)."""
        return self.filter(
            Q(name__icontains=text)
            | Q(family__icontains=text)
            | Q(organization__name__icontains=text)
            | Q(organization__display_name__icontains=text)
        )

    def with_license_kinds(self, kinds: list[str]) -> LanguageModelQuerySet:
        return self.filter(license__kind__in=kinds)

    def offered(
        self,
        *,
        provider: Provider | None = None,
        max_input_price: Decimal | None = None,
        max_output_price: Decimal | None = None,
    ) -> LanguageModelQuerySet:
        """Models with one active offering that meets every given condition (provider, price ceilings).

        Ceilings apply to standard-tier base prices, and together they must hold for the same offering, so
        the model can really be bought at those prices.
        """
        offerings = Offering.objects.active().filter(model=models.OuterRef("pk"))
        if provider is not None:
            offerings = offerings.filter(provider=provider)
        for dimension, ceiling in (
            (Price.Dimension.INPUT, max_input_price),
            (Price.Dimension.OUTPUT, max_output_price),
        ):
            if ceiling is not None:
                prices = Price.objects.filter(
                    offering=models.OuterRef("pk"),
                    dimension=dimension,
                    tier=Price.Tier.STANDARD,
                    context_threshold=0,
                    usd_per_million__lte=ceiling,
                )
                offerings = offerings.filter(models.Exists(prices))
        return self.filter(models.Exists(offerings))

    def min_context(self, tokens: int) -> LanguageModelQuerySet:
        return self.filter(context_window__gte=tokens)

    def released_in(self, year: int) -> LanguageModelQuerySet:
        # `__year` on a DateField compiles to a BETWEEN over the indexed column.
        return self.filter(release_date__year=year)

    def cheapest_input_first(self) -> LanguageModelQuerySet:
        """By the stored headline input price; unpriced models last."""
        return self.order_by(F("min_input_price").asc(nulls_last=True), *NAME_ORDER)

    def cheapest_blended_first(self) -> LanguageModelQuerySet:
        """By the stored headline 70/30 blend; unpriced models last."""
        return self.order_by(F("min_blended_price").asc(nulls_last=True), *NAME_ORDER)

    def largest_context_first(self) -> LanguageModelQuerySet:
        return self.order_by(F("context_window").desc(nulls_last=True), *NAME_ORDER)

    def by_name(self) -> LanguageModelQuerySet:
        """A to Z whatever the case ("gpt-oss-120b" beside "GPT-4o"), the same on SQLite and PostgreSQL."""
        return self.order_by(*NAME_ORDER)

    def by_maker(self) -> LanguageModelQuerySet:
        return self.order_by("organization__name", "name", "slug")


class LanguageModel(VersionedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DEPRECATED = "deprecated", "Deprecated"
        RETIRED = "retired", "Retired"

    class Precision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"

    name = models.CharField(max_length=200, help_text='As the maker writes it, e.g. "Llama 3.2 1B".')
    slug = models.SlugField(max_length=120, unique=True, help_text='Lowercase, never contains "-vs-".')
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="models")
    family = models.CharField(max_length=120, blank=True, help_text='e.g. "Llama 3.2".')
    description = models.TextField(
        blank=True, help_text="One or two sourced sentences on what the model is. Plain text."
    )
    release_date = models.DateField(null=True, blank=True, db_index=True)
    context_window = models.PositiveIntegerField(
        null=True, blank=True, db_index=True, validators=TOKEN_BOUNDS, help_text="Maximum input + output tokens."
    )
    max_output_tokens = models.PositiveIntegerField(null=True, blank=True, validators=TOKEN_BOUNDS)
    parameter_count = models.PositiveBigIntegerField(
        null=True, blank=True, validators=PARAMETER_BOUNDS, help_text="Total parameters (e.g. 1230000000 for 1.23B)."
    )
    active_parameter_count = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        validators=PARAMETER_BOUNDS,
        help_text="Parameters active per token, for mixture-of-experts models.",
    )
    architecture = models.CharField(max_length=120, blank=True, help_text='e.g. "decoder-only transformer".')
    license = models.ForeignKey(License, on_delete=models.PROTECT, null=True, blank=True, related_name="models")
    knowledge_cutoff = models.DateField(
        null=True, blank=True, help_text="Training data cutoff; for month precision use the 1st of the month."
    )
    knowledge_cutoff_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.MONTH)
    input_modalities = models.JSONField(
        null=True, blank=True, help_text='List drawn from "text", "image", "audio", "video", "pdf".'
    )
    output_modalities = models.JSONField(null=True, blank=True, help_text="Same vocabulary as input.")

    # Tri-state: True supported, False not supported, NULL not yet sourced.
    vision = models.BooleanField(null=True, blank=True, help_text="Understands images.")
    multimodal = models.BooleanField(null=True, blank=True, help_text="Accepts more than one input modality.")
    reasoning = models.BooleanField(
        null=True, blank=True, help_text="Has a reasoning (thinking) mode before answering."
    )
    function_calling = models.BooleanField(null=True, blank=True)
    tool_use = models.BooleanField(null=True, blank=True, help_text="Built-in or agentic tool use.")
    structured_outputs = models.BooleanField(null=True, blank=True, help_text="JSON schema constrained output.")
    code_execution = models.BooleanField(null=True, blank=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    deprecation_date = models.DateField(null=True, blank=True)
    successor = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="predecessors")

    # Headline prices, derived from the price rows by `refresh_price_summaries` whenever a change set applies
    # (not facts: not editable, not reviewed on their own). Standard tier, base context tier, active offerings.
    min_input_price = models.DecimalField(**PRICE_DIGITS, null=True, editable=False, db_index=True)
    min_output_price = models.DecimalField(**PRICE_DIGITS, null=True, editable=False)
    min_blended_price = models.DecimalField(
        **PRICE_DIGITS, null=True, editable=False, db_index=True, help_text="Cheapest offering's 70/30 blend."
    )
    provider_count = models.PositiveIntegerField(
        default=0, editable=False, db_index=True, help_text="Active offerings."
    )
    # When an applied change set last wrote a fact of this model, its offerings, their price rows or its
    # benchmark results (set by `changeset_apply`): the sitemaps' lastmod, read with the slugs, no scan of
    # provenance. Derived, not a fact.
    facts_changed_at = models.DateTimeField(null=True, editable=False)

    objects = LanguageModelQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "language model"
        # The orders public pages list models in, so the first rows come from an index scan, not a sort of
        # every model: newest first (home, related comparisons) and by name (NAME_ORDER, the explorer's default).
        indexes = [
            models.Index(F("release_date").desc(nulls_last=True), "name", "slug", name="model_newest_idx"),
            models.Index(fields=["name", "slug"], name="model_name_idx"),
            models.Index(Lower("name"), "name", "slug", name="model_lower_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(slug__contains="-vs-"), name="model_slug_without_vs"),
            models.CheckConstraint(
                condition=Q(context_window__isnull=True) | Q(context_window__gt=0),
                name="model_context_window_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_output_tokens__isnull=True) | Q(max_output_tokens__gt=0),
                name="model_max_output_positive",
            ),
            models.CheckConstraint(
                condition=Q(parameter_count__isnull=True) | Q(parameter_count__gt=0),
                name="model_parameter_count_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("comparisons:model-detail", args=[self.slug])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.slug and "-vs-" in self.slug:
            errors["slug"] = 'A model slug cannot contain "-vs-": comparison URLs use it as the separator.'
        if self.knowledge_cutoff and self.release_date and self.knowledge_cutoff > self.release_date:
            errors["knowledge_cutoff"] = (
                f"The knowledge cutoff ({self.knowledge_cutoff:%Y-%m}) is later than the release date "
                f"({self.release_date:%Y-%m-%d})."
            )
        if self.context_window and self.max_output_tokens and self.max_output_tokens > self.context_window:
            errors["max_output_tokens"] = "Max output tokens cannot exceed the context window."
        if (
            self.active_parameter_count
            and self.parameter_count
            and (self.active_parameter_count > self.parameter_count)
        ):
            errors["active_parameter_count"] = "Active parameters cannot exceed total parameters."
        if self.deprecation_date and self.release_date and self.deprecation_date < self.release_date:
            errors["deprecation_date"] = "The deprecation date is before the release date."
        if self.successor_id and self.pk and self.successor_id == self.pk:
            errors["successor"] = "A model cannot succeed itself."
        for field in ("input_modalities", "output_modalities"):
            value = getattr(self, field)
            if value is None:
                continue
            if not isinstance(value, list) or any(m not in MODALITIES for m in value):
                errors[field] = f"Use a list drawn from: {', '.join(MODALITIES)}."
        if errors:
            raise ValidationError(errors)

    def capabilities(self) -> dict[str, bool | None]:
        return {name: getattr(self, name) for name in CAPABILITY_FIELDS}

    @property
    def knowledge_cutoff_display(self) -> str:
        if not self.knowledge_cutoff:
            return ""
        if self.knowledge_cutoff_precision == self.Precision.MONTH:
            return f"{self.knowledge_cutoff:%Y-%m}"
        return f"{self.knowledge_cutoff:%Y-%m-%d}"


class Provider(VersionedModel):
    class Kind(models.TextChoices):
        FIRST_PARTY = "first_party", "First-party API"
        CLOUD = "cloud", "Cloud platform"
        AGGREGATOR = "aggregator", "Aggregator / router"
        INFERENCE = "inference", "Inference host"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    website = models.URLField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Derived by `refresh_provider_counts` whenever a change set applies (not a fact, not reviewed on its own),
    # so the providers directory reads it instead of counting every offering.
    model_count = models.PositiveIntegerField(default=0, editable=False, help_text="Offerings not retired.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("comparisons:provider-detail", args=[self.slug])


class Lifecycle(models.TextChoices):
    """Status of a model, or of one provider's offering of it."""

    ACTIVE = "active", "Active"
    DEPRECATED = "deprecated", "Deprecated"
    RETIRED = "retired", "Retired"


class OfferingQuerySet(models.QuerySet):
    def with_related(self) -> OfferingQuerySet:
        return self.select_related("model__organization", "provider")

    def with_prices(self) -> OfferingQuerySet:
        return self.prefetch_related(Prefetch("prices", queryset=Price.objects.in_display_order()))

    def active(self) -> OfferingQuerySet:
        return self.exclude(status=Lifecycle.RETIRED)

    def for_provider(self, provider: Provider) -> OfferingQuerySet:
        return self.filter(provider=provider)


class Offering(VersionedModel):
    """One model served by one provider. Its prices are `Price` rows; limits here override the model's."""

    Status = Lifecycle

    # PROTECT: deleting a model proposes deleting its offerings explicitly (catalog.review.services.deletion_plan)
    model = models.ForeignKey(LanguageModel, on_delete=models.PROTECT, related_name="offerings")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="offerings")
    provider_model_id = models.CharField(max_length=200, blank=True, help_text="The id used in API calls.")
    status = models.CharField(
        max_length=12,
        choices=Lifecycle.choices,
        default=Lifecycle.ACTIVE,
        help_text="A provider can retire its offering while the model lives on elsewhere.",
    )
    context_window = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=TOKEN_BOUNDS,
        help_text="Context window on this provider, when it differs from the model's.",
    )
    max_output_tokens = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=TOKEN_BOUNDS,
        help_text="Max output tokens on this provider, when it differs from the model's.",
    )

    objects = OfferingQuerySet.as_manager()

    review_parent = "model"  # the review page lists offerings under their model

    class Meta:
        ordering = ["model__name", "provider__name"]
        constraints = [
            models.UniqueConstraint(fields=["model", "provider"], name="offering_unique_model_provider"),
            models.CheckConstraint(
                condition=Q(context_window__isnull=True) | Q(context_window__gt=0),
                name="offering_context_window_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_output_tokens__isnull=True) | Q(max_output_tokens__gt=0),
                name="offering_max_output_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} on {self.provider}"

    def clean(self) -> None:
        if self.context_window and self.max_output_tokens and self.max_output_tokens > self.context_window:
            raise ValidationError({"max_output_tokens": "Max output tokens cannot exceed the context window."})

    def price_rows(self) -> list[Price]:
        """This offering's prices; uses `with_prices()` when it was prefetched."""
        return list(self.prices.all())

    def price(self, dimension: str, tier: str = "standard", threshold: int = 0) -> Decimal | None:
        for row in self.price_rows():
            if (row.dimension, row.tier, row.context_threshold) == (dimension, tier, threshold):
                return row.usd_per_million
        return None

    def price_row(self, dimension: str, tier: str = "standard", threshold: int = 0) -> Price | None:
        for row in self.price_rows():
            if (row.dimension, row.tier, row.context_threshold) == (dimension, tier, threshold):
                return row
        return None

    # Read-only conveniences: the standard-tier, base-context prices (the headline ones).
    @property
    def input_price(self) -> Decimal | None:
        return self.price(Price.Dimension.INPUT)

    @property
    def output_price(self) -> Decimal | None:
        return self.price(Price.Dimension.OUTPUT)

    @property
    def cached_input_price(self) -> Decimal | None:
        return self.price(Price.Dimension.CACHE_READ)


class PriceQuerySet(models.QuerySet):
    def headline(self) -> PriceQuerySet:
        """Prices the site compares like with like: standard tier, base context tier, active offerings."""
        return self.filter(tier=Price.Tier.STANDARD, context_threshold=0).exclude(offering__status=Lifecycle.RETIRED)

    def in_display_order(self) -> PriceQuerySet:
        return self.order_by("context_threshold", "tier", "dimension")


class Price(VersionedModel):
    """One price of one offering: (dimension, service tier, context tier) -> USD per 1M units."""

    class Dimension(models.TextChoices):
        INPUT = "input", "Input"
        OUTPUT = "output", "Output"
        CACHE_READ = "cache_read", "Cached input (cache read)"
        CACHE_WRITE_5M = "cache_write_5m", "Cache write (5-minute)"
        CACHE_WRITE_1H = "cache_write_1h", "Cache write (1-hour)"
        REASONING = "reasoning", "Reasoning output"
        INPUT_AUDIO = "input_audio", "Input audio"
        OUTPUT_AUDIO = "output_audio", "Output audio"
        INPUT_IMAGE = "input_image", "Input image tokens"

    class Tier(models.TextChoices):
        STANDARD = "standard", "Standard"
        BATCH = "batch", "Batch"
        FLEX = "flex", "Flex"
        PRIORITY = "priority", "Priority"

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="prices")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    tier = models.CharField(
        max_length=10, choices=Tier.choices, default=Tier.STANDARD, help_text="The provider's service tier."
    )
    context_threshold = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(MAX_TOKENS, "At most 100 million tokens (100,000,000).")],
        help_text="Prompt length in tokens above which this price applies; 0 for the base price.",
    )
    usd_per_million = models.DecimalField(
        **PRICE_DIGITS, validators=NON_NEGATIVE, verbose_name="USD per 1M", help_text="USD per 1M tokens."
    )

    objects = PriceQuerySet.as_manager()

    review_parent = "offering"  # the review page lists prices under their offering

    class Meta:
        ordering = ["offering", "context_threshold", "tier", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "dimension", "tier", "context_threshold"], name="price_unique_key"
            ),
            models.CheckConstraint(condition=Q(usd_per_million__gte=0), name="price_non_negative"),
        ]
        indexes = [
            models.Index(fields=["dimension", "tier", "context_threshold", "usd_per_million"], name="price_lookup_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.offering}: {self.label}"

    @property
    def label(self) -> str:
        return price_label(self.dimension, self.tier, self.context_threshold)

    def clean(self) -> None:
        """Checks against this offering's other live prices (the admin formset checks its rows together).

        A caller checking many rows sets `_price_context` from `price_contexts()` to avoid a query per row."""
        context = getattr(self, "_price_context", None)
        if context is None and self.offering_id:
            context = price_contexts({self.offering_id}).get(self.offering_id)
        context_window, rows = context if context is not None else (None, [])
        siblings = [key for pk, key in rows if pk != self.pk]
        errors = price_row_errors(
            (self.dimension, self.tier, self.context_threshold, self.usd_per_million), siblings, context_window
        )
        if errors:
            raise ValidationError(errors)


def price_contexts(offering_ids: set[int]) -> dict[int, tuple[int | None, list[tuple[int, PriceKey]]]]:
    """Per offering: its served context window and its live price rows as (pk, key): two queries."""
    windows = {
        pk: own or model_window
        for pk, own, model_window in Offering.objects.filter(pk__in=offering_ids).values_list(
            "pk", "context_window", "model__context_window"
        )
    }
    rows: dict[int, list[tuple[int, PriceKey]]] = {pk: [] for pk in windows}
    for pk, offering_id, dimension, tier, threshold, amount in Price.objects.filter(
        offering_id__in=offering_ids
    ).values_list("pk", "offering_id", "dimension", "tier", "context_threshold", "usd_per_million"):
        rows[offering_id].append((pk, (dimension, tier, threshold, amount)))
    return {pk: (windows[pk], rows[pk]) for pk in windows}


def price_label(dimension: str, tier: str, threshold: int) -> str:
    """'Input', 'Output (batch)', 'Input above 200,000 tokens', 'Cached input (cache read) (priority)'."""
    label = str(dict(Price.Dimension.choices).get(dimension, dimension))
    if tier != Price.Tier.STANDARD:
        label += f" ({dict(Price.Tier.choices).get(tier, tier).lower()})"
    if threshold:
        label += f" above {threshold:,} prompt tokens"
    return label


PriceKey = tuple[str, str, int, Decimal | None]


def _money(amount: Decimal) -> str:
    """'1.00', '0.075', '1,234.50': at least cents, more digits only when the amount has them."""
    exponent = amount.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{amount:,.{places}f}"


def price_row_errors(row: PriceKey, siblings: list[PriceKey], context_window: int | None) -> dict[str, str]:
    """Field -> message for one price row checked against the offering's other rows. Pure."""
    dimension, tier, threshold, amount = row
    errors: dict[str, str] = {}
    if amount is not None and amount < 0:
        errors["usd_per_million"] = "A price cannot be negative."
    if threshold and context_window and threshold > context_window:
        errors["context_threshold"] = (
            f"The tier threshold ({threshold:,} tokens) is beyond the context window ({context_window:,})."
        )
    if amount is None:
        return errors
    by_key = {(d, t, th): a for d, t, th, a in siblings if a is not None}
    if dimension == Price.Dimension.CACHE_READ:
        input_price = by_key.get((Price.Dimension.INPUT, tier, threshold))
        if input_price is not None and amount > input_price:
            errors["usd_per_million"] = (
                f"The cached input price (${_money(amount)}) is above the input price (${_money(input_price)})."
            )
    if dimension == Price.Dimension.INPUT:
        cached = by_key.get((Price.Dimension.CACHE_READ, tier, threshold))
        if cached is not None and cached > amount:
            errors["usd_per_million"] = (
                f"The input price (${_money(amount)}) is below the cached input price (${_money(cached)})."
            )
    if tier in (Price.Tier.BATCH, Price.Tier.FLEX):
        standard = by_key.get((dimension, Price.Tier.STANDARD, threshold))
        if standard is not None and amount > standard:
            errors["usd_per_million"] = (
                f"The {tier} price (${_money(amount)}) is above the standard price (${_money(standard)})."
            )
    if tier == Price.Tier.STANDARD:
        for cheaper_tier in (Price.Tier.BATCH, Price.Tier.FLEX):
            discounted = by_key.get((dimension, cheaper_tier, threshold))
            if discounted is not None and discounted > amount:
                errors["usd_per_million"] = (
                    f"The standard price (${_money(amount)}) is below the {cheaper_tier} price (${_money(discounted)})."
                )
    return errors


BLEND_INPUT_SHARE = Decimal("0.7")


def headline_summary(offerings: list[tuple[int, str, Decimal | None, Decimal | None]]) -> dict[str, object]:
    """min input, min output, min 70/30 blend (per offering, then the minimum) and count of active offerings.

    `offerings`: (offering id, status, standard input, standard output) per offering of one model. Pure.
    """
    active = [o for o in offerings if o[1] != Lifecycle.RETIRED]
    inputs = [o[2] for o in active if o[2] is not None]
    outputs = [o[3] for o in active if o[3] is not None]
    blends = [
        o[2] * BLEND_INPUT_SHARE + o[3] * (1 - BLEND_INPUT_SHARE)
        for o in active
        if o[2] is not None and o[3] is not None
    ]
    return {
        "min_input_price": min(inputs) if inputs else None,
        "min_output_price": min(outputs) if outputs else None,
        "min_blended_price": min(blends).quantize(Decimal("0.000001")) if blends else None,
        "provider_count": len(active),
    }


def refresh_price_summaries(model_ids: set[int] | None = None) -> int:
    """Recompute the stored headline prices of these models (all when None): two queries and one bulk update."""
    offerings = Offering.objects.all() if model_ids is None else Offering.objects.filter(model_id__in=model_ids)
    rows: dict[int, dict[str, Decimal | None]] = {}
    by_model: dict[int, list[int]] = {}
    status: dict[int, str] = {}
    for pk, model_id, state in offerings.values_list("pk", "model_id", "status"):
        by_model.setdefault(model_id, []).append(pk)
        status[pk] = state
        rows[pk] = {}
    prices = Price.objects.filter(
        offering__in=offerings, tier=Price.Tier.STANDARD, context_threshold=0, dimension__in=["input", "output"]
    ).values_list("offering_id", "dimension", "usd_per_million")
    for offering_id, dimension, amount in prices:
        rows[offering_id][dimension] = amount
    targets = LanguageModel.objects.all() if model_ids is None else LanguageModel.objects.filter(pk__in=model_ids)
    changed = []
    for model in targets.only("pk", "min_input_price", "min_output_price", "min_blended_price", "provider_count"):
        summary = headline_summary(
            [(pk, status[pk], rows[pk].get("input"), rows[pk].get("output")) for pk in by_model.get(model.pk, [])]
        )
        if any(getattr(model, name) != value for name, value in summary.items()):
            for name, value in summary.items():
                setattr(model, name, value)
            changed.append(model)
    LanguageModel.objects.bulk_update(changed, list(headline_summary([])), batch_size=500)
    return len(changed)


def recompute_facts_changed_at() -> None:
    """Set every model's `facts_changed_at` from provenance (a catalog written without change sets, such as
    `generate_catalog`): the newest review of the model's facts, its offerings', their prices' and its
    benchmark results'. A few grouped queries over all provenance; `changeset_apply` keeps it after that."""
    types = ContentType.objects.get_for_models(LanguageModel, Offering, Price, BenchmarkResult)
    owner = {
        LanguageModel: None,
        Offering: dict(Offering.objects.values_list("pk", "model_id")),
        Price: dict(Price.objects.values_list("pk", "offering__model_id")),
        BenchmarkResult: dict(BenchmarkResult.objects.values_list("pk", "model_id")),
    }
    newest: dict[int, datetime.datetime] = {}
    for kind, model_of in owner.items():
        rows = (
            Provenance.objects.filter(content_type=types[kind])
            .values("object_id")
            .annotate(last=models.Max("reviewed_at"))
            .values_list("object_id", "last")
        )
        for object_id, last in rows:
            model_id = object_id if model_of is None else model_of.get(object_id)
            if model_id is not None and (model_id not in newest or newest[model_id] < last):
                newest[model_id] = last
    changed = [LanguageModel(pk=pk, facts_changed_at=when) for pk, when in newest.items()]
    LanguageModel.objects.bulk_update(changed, ["facts_changed_at"], batch_size=1000)


def refresh_provider_counts() -> int:
    """Recompute every provider's stored count of offerings not retired: one UPDATE of the rows it moves.
    Call it after writing offerings (an applied change set with offering items, a generated catalog)."""
    served = Coalesce(
        models.Subquery(
            Offering.objects.active()
            .filter(provider=models.OuterRef("pk"))
            .order_by()
            .values("provider")
            .annotate(n=models.Count("pk"))
            .values("n")
        ),
        0,
    )
    return Provider.objects.alias(served=served).exclude(model_count=F("served")).update(model_count=served)


class Benchmark(VersionedModel):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    url = models.URLField(blank=True)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=30, default="%", help_text='e.g. "%", "Elo".')
    higher_is_better = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BenchmarkResult(VersionedModel):
    model = models.ForeignKey(LanguageModel, on_delete=models.PROTECT, related_name="benchmark_results")
    benchmark = models.ForeignKey(Benchmark, on_delete=models.PROTECT, related_name="results")
    variant = models.CharField(
        max_length=120, blank=True, help_text='Setting of the run, e.g. "0-shot CoT" or "pass@1".'
    )
    score = models.DecimalField(max_digits=10, decimal_places=3)
    measured_on = models.DateField(null=True, blank=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="benchmark_results")
    self_reported = models.BooleanField(default=True, help_text="Reported by the model's maker.")

    review_parent = "model"

    class Meta:
        ordering = ["benchmark__name", "variant"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "benchmark", "variant"], name="benchmark_result_unique_model_benchmark_variant"
            ),
        ]

    def __str__(self) -> str:
        suffix = f" ({self.variant})" if self.variant else ""
        return f"{self.model} on {self.benchmark}{suffix}: {self.score}"


class ProvenanceQuerySet(models.QuerySet):
    def for_objects(self, objects: list[models.Model]) -> ProvenanceQuerySet:
        """Provenance of all fields of the given rows, in one query."""
        by_type: dict[int, list[int]] = {}
        for obj in objects:
            ct = ContentType.objects.get_for_model(obj)  # cached by ContentType's manager
            by_type.setdefault(ct.pk, []).append(obj.pk)
        if not by_type:
            return self.none()
        condition = Q()
        for ct_id, ids in by_type.items():
            condition |= Q(content_type_id=ct_id, object_id__in=ids)
        return self.filter(condition).select_related("source")


class Provenance(models.Model):
    """Which source backs one field of one catalog row, when its value was approved and how: by a person, or
    applied from an import by a system account without a person's review."""

    class Approval(models.TextChoices):
        PERSON = "person", "Reviewed by a person"
        IMPORT = "import", "Imported without a person's review"
        # "" (blank): written before the approval was recorded, and no applied change set says how.

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=60)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="provenance")
    reviewed_at = models.DateTimeField(help_text="When the change set that set the value was approved and applied.")
    approval = models.CharField(
        max_length=6,
        choices=Approval.choices,
        blank=True,
        default="",
        help_text="Who approved the value: a staff reviewer (a person) or a system account (an import, the demo "
        "loader); blank when no record says. Only a person's approval counts as reviewed on the public pages.",
    )

    objects = ProvenanceQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "provenance"
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "field"], name="provenance_unique_field"),
        ]

    def __str__(self) -> str:
        return f"{self.content_type.model} #{self.object_id}.{self.field} <- {self.source}"


from catalog.review.models import (  # noqa: E402, F401  the review workflow's models live in their own package
    AuditEvent,
    AwaitingReview,
    CatalogRevision,
    ChangeItem,
    ChangeSet,
    ChangeSetError,
    ItemComment,
    Review,
    catalog_revision_changed,
)

# --- Imports: the crosswalk and disagreements between sources ------------------------------------------


class ExternalIdQuerySet(models.QuerySet):
    def of_source(self, source: str) -> ExternalIdQuerySet:
        return self.filter(source=source)


class ExternalId(VersionedModel):
    """The crosswalk: one identifier a public catalog uses (source, external id) -> a model or an offering.

    Rows are proposed by the importers (and by editors in the admin) through review like any catalog row;
    how an external id is matched is written down in `catalog.importers`.
    """

    class Catalog(models.TextChoices):
        MODELS_DEV = "models.dev", "models.dev"
        LITELLM = "litellm", "LiteLLM"
        OPENROUTER = "openrouter", "OpenRouter"

    source = models.CharField(max_length=20, choices=Catalog.choices, help_text="The catalog that uses this id.")
    external_id = models.CharField(
        max_length=300, help_text='As the catalog writes it, e.g. "openai/gpt-4o" or "azure/gpt-4o".'
    )
    model = models.ForeignKey(
        LanguageModel, on_delete=models.CASCADE, null=True, blank=True, related_name="external_ids"
    )
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, null=True, blank=True, related_name="external_ids")

    objects = ExternalIdQuerySet.as_manager()

    class Meta:
        ordering = ["source", "external_id"]
        verbose_name = "external id"
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="external_id_unique_per_source"),
            models.CheckConstraint(
                condition=(Q(model__isnull=False) & Q(offering__isnull=True))
                | (Q(model__isnull=True) & Q(offering__isnull=False)),
                name="external_id_model_xor_offering",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.external_id}"

    def clean(self) -> None:
        if (self.model_id is None) == (self.offering_id is None):
            raise ValidationError({"model": "Point the external id at a model or at an offering (exactly one)."})


class SourceDisagreementQuerySet(models.QuerySet):
    def open(self) -> SourceDisagreementQuerySet:
        """Disagreements whose change is still waiting for a decision."""
        return self.filter(change_item__changeset__state__in=ChangeSet.PENDING_STATES)

    def for_objects(self, objects: list[models.Model]) -> SourceDisagreementQuerySet:
        """Disagreements on any field of these rows: one IN list per kind of row (the target index)."""
        by_type: dict[int, list[int]] = {}
        for obj in objects:
            by_type.setdefault(ContentType.objects.get_for_model(obj).pk, []).append(obj.pk)
        condition = Q()
        for ct_id, ids in by_type.items():
            condition |= Q(content_type_id=ct_id, object_id__in=ids)
        return self.filter(condition) if objects else self.none()


class SourceDisagreement(models.Model):
    """An imported value that differs from the live value another source backs, beyond the tolerance.

    Written by the importers beside the change item that proposes the imported value, so the review table
    can show both values and both sources, and the model page can say "sources disagree" while it is open.
    """

    change_item = models.ForeignKey("ChangeItem", on_delete=models.CASCADE, related_name="disagreements")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=60)
    live_value = models.JSONField(null=True)
    live_source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+", null=True)
    imported_value = models.JSONField(null=True)
    imported_source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SourceDisagreementQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="disagreement_target_idx")]

    def __str__(self) -> str:
        return f"{self.content_type.model} #{self.object_id}.{self.field}: {self.live_value} vs {self.imported_value}"
