"""From a SourceCatalog to one submitted change set holding only real differences from the live catalog.

`import_source(...)` matches records to live rows (the rules in `catalog.importers`), builds the
`ProposedChange`s, records where sources disagree, and proposes them through `catalog.services` (never a
live write). With `dry_run=True` it stops after counting. Live rows are read once per table and the
proposals are written in batches (`changeset_propose_many`), so the number of queries does not grow with
the catalog.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils import timezone

from catalog.importers.common import ListingRecord, ModelRecord, SourceCatalog, slug_part
from catalog.importers.matching import provider_id_key
from catalog.models import (
    AuditEvent,
    ChangeSet,
    ExternalId,
    LanguageModel,
    License,
    Offering,
    Organization,
    Price,
    Provenance,
    Provider,
    Source,
    SourceDisagreement,
    price_row_errors,
)
from catalog.review.services import (
    NewRef,
    ProposedChange,
    changeset_propose_many,
    editable_fields,
    live_json,
    value_to_json,
)

# Lab keys -> organization slugs where the catalog already spells them otherwise (the curated demo's).
ORG_SLUGS = {"mistral": "mistral-ai", "moonshotai": "moonshot-ai"}
LAB_NAMES = {
    "alibaba": "Alibaba",
    "amazon": "Amazon",
    "anthropic": "Anthropic",
    "cohere": "Cohere",
    "deepseek": "DeepSeek",
    "google": "Google",
    "meta": "Meta",
    "minimax": "MiniMax",
    "mistral": "Mistral AI",
    "moonshotai": "Moonshot AI",
    "nvidia": "NVIDIA",
    "openai": "OpenAI",
    "xai": "xAI",
    "zhipuai": "Zhipu AI",
}
# (catalog, provider key) -> provider slug: one provider however each catalog names it.
PROVIDER_SLUGS = {
    ("models.dev", "openai"): "openai-api",
    ("litellm", "openai"): "openai-api",
    ("litellm", "text-completion-openai"): "openai-api",
    ("models.dev", "anthropic"): "anthropic-api",
    ("litellm", "anthropic"): "anthropic-api",
    ("models.dev", "google"): "gemini-api",
    ("litellm", "gemini"): "gemini-api",
    ("models.dev", "mistral"): "mistral-la-plateforme",
    ("litellm", "mistral"): "mistral-la-plateforme",
    ("models.dev", "cohere"): "cohere-api",
    ("litellm", "cohere"): "cohere-api",
    ("litellm", "cohere_chat"): "cohere-api",
    ("models.dev", "amazon-bedrock"): "aws-bedrock",
    ("litellm", "bedrock"): "aws-bedrock",
    ("litellm", "bedrock_converse"): "aws-bedrock",
    ("models.dev", "google-vertex"): "google-vertex-ai",
    ("litellm", "vertex_ai-language-models"): "google-vertex-ai",
    ("models.dev", "azure"): "azure-ai-foundry",
    ("litellm", "azure"): "azure-ai-foundry",
    ("litellm", "azure_ai"): "azure-ai-foundry",
    ("models.dev", "openrouter"): "openrouter",
    ("litellm", "openrouter"): "openrouter",
    ("models.dev", "fireworks-ai"): "fireworks-ai",
    ("litellm", "fireworks_ai"): "fireworks-ai",
    ("models.dev", "togetherai"): "together-ai",
    ("litellm", "together_ai"): "together-ai",
    ("models.dev", "groq"): "groq",
    ("litellm", "groq"): "groq",
    ("models.dev", "deepinfra"): "deepinfra",
    ("litellm", "deepinfra"): "deepinfra",
}
CLOUD_PROVIDERS = {"aws-bedrock", "google-vertex-ai", "azure-ai-foundry", "oci", "snowflake", "databricks", "watsonx"}
AGGREGATORS = {"openrouter", "vercel", "vercel-ai-gateway", "kilo", "nano-gpt", "llmgateway", "poe", "requesty"}
FIRST_PARTY_LABS_BY_PROVIDER = {
    "openai-api": "openai",
    "anthropic-api": "anthropic",
    "gemini-api": "google",
    "mistral-la-plateforme": "mistral",
    "cohere-api": "cohere",
}
FIRST_PARTY_PROVIDERS_BY_LAB = {lab: slug for slug, lab in FIRST_PARTY_LABS_BY_PROVIDER.items()}
# Providers whose model ids are written "vendor.model" (Bedrock, OCI), for the written normalisation.
DOTTED_PROVIDER_SLUGS = {"aws-bedrock", "oci"}
# A model or offering check that names one field of a pair -> the other fields of the pair.
CHECK_PAIRS = {
    "knowledge_cutoff": ("release_date",),
    "deprecation_date": ("release_date",),
    "max_output_tokens": ("context_window",),
    "active_parameter_count": ("parameter_count",),
}
OPEN_WEIGHTS_LICENSE = ("open-weights-unspecified", "Open weights (license not named by the source)")
PROPRIETARY_LICENSE = ("proprietary", "Proprietary")
KINDS = ("organizations", "providers", "licenses", "models", "offerings", "prices", "external ids")
SOURCE_URLS = {
    "models.dev": "https://github.com/anomalyco/models.dev/blob/{revision}/{path}",
    "litellm": "https://github.com/BerriAI/litellm/blob/{revision}/model_prices_and_context_window.json",
}
PUBLISHERS = {"models.dev": "models.dev", "litellm": "LiteLLM (BerriAI)"}


def price_tolerance() -> tuple[Decimal, Decimal]:
    """(USD per 1M, share) from settings.IMPORT_PRICE_TOLERANCE: a price differing by more than both disagrees."""
    usd, share = getattr(settings, "IMPORT_PRICE_TOLERANCE", ("0.005", "0.01"))
    return Decimal(str(usd)), Decimal(str(share))


def prices_disagree(live: Decimal, imported: Decimal, tolerance: tuple[Decimal, Decimal]) -> bool:
    """More than half a cent per 1M and more than 1% apart (by default): beyond rounding and float artefacts."""
    usd, share = tolerance
    gap = abs(live - imported)
    return gap > usd and gap > share * max(abs(live), abs(imported))


def org_slug(lab: str) -> str:
    return ORG_SLUGS.get(lab, slug_part(lab))


def lab_of_org(slug: str) -> str:
    reverse = {value: key for key, value in ORG_SLUGS.items()}
    return reverse.get(slug, slug)


def recorded_id_key(provider_slug: str, model_id: str) -> str:
    """The written normalisation (matching.provider_id_key) of a model id at one of our providers."""
    return provider_id_key(
        model_id,
        dotted_vendors=provider_slug in DOTTED_PROVIDER_SLUGS,
        own_lab=FIRST_PARTY_LABS_BY_PROVIDER.get(provider_slug, ""),
    )


def canonical(key: str) -> tuple[str, str]:
    """("openai", "gpt-4-1") for "openai/gpt-4.1": the lab and the model id as a slug (the comparison form)."""
    lab, _slash, model = key.partition("/")
    return lab, slug_part(model)


@dataclass
class KindCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    catalog: str
    counts: dict[str, KindCounts] = field(default_factory=lambda: {kind: KindCounts() for kind in KINDS})
    skipped: Counter = field(default_factory=Counter)
    errors: list[tuple[str, str]] = field(default_factory=list)
    unmatched: list[tuple[str, str, list[str]]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (listing, price row: why)
    unmapped_price_keys: Counter = field(default_factory=Counter)
    disagreements: int = 0
    changes: int = 0
    changeset: ChangeSet | None = None
    dry_run: bool = False
    planned: list[_Planned] = field(default_factory=list)  # what was (or, in a dry run, would be) proposed

    def lines(self) -> list[str]:
        head = "Dry run (nothing written)" if self.dry_run else "Import"
        out = [f"{head} of {self.catalog}:"]
        for kind, c in self.counts.items():
            out.append(f"  {kind}: {c.new} new, {c.changed} changed, {c.unchanged} unchanged")
        out.append(f"  unmatched listings (for an editor to map): {len(self.unmatched)}")
        for external_id, provider, candidates in self.unmatched[:20]:
            out.append(f"    {external_id} ({provider}; tried {', '.join(candidates) or 'nothing'})")
        if len(self.unmatched) > 20:
            out.append(f"    ... and {len(self.unmatched) - 20} more")
        out.append(f"  skipped: {sum(self.skipped.values())}")
        for reason, count in sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"    {reason}: {count}")
        for key, reason in self.errors[:20]:
            out.append(f"    unparseable {key}: {reason}")
        for key, reason in self.refused[:20]:
            out.append(f"    price refused {key}: {reason}")
        if self.unmapped_price_keys:
            top = ", ".join(f"{k} ({n})" for k, n in self.unmapped_price_keys.most_common(8))
            out.append(f"  price keys the price model does not hold: {top}")
        out.append(f"  sources disagree: {self.disagreements}")
        if self.changeset is not None:
            out.append(f"  change set #{self.changeset.pk} submitted for review with {self.changes} changes.")
        elif not self.dry_run:
            out.append("  nothing to propose: the live catalog already matches.")
        else:
            out.append(f"  would propose {self.changes} changes.")
        return out


@dataclass
class _Planned:
    change: ProposedChange
    kind: str
    disagreements: list[dict[str, Any]] = field(default_factory=list)


class _Live:
    """The live rows an import compares with: one query per table."""

    def __init__(self, catalog: str) -> None:
        self.orgs = {o.slug: o for o in Organization.objects.all()}
        self.org_names = {o.name.lower() for o in self.orgs.values()}
        self.providers = {p.slug: p for p in Provider.objects.all()}
        self.provider_names = {p.name.lower() for p in self.providers.values()}
        self.licenses = {lic.slug: lic for lic in License.objects.all()}
        self.models = {m.pk: m for m in LanguageModel.objects.select_related("organization", "license")}
        self.model_slugs = {m.slug for m in self.models.values()}
        self.by_canonical: dict[tuple[str, str], LanguageModel] = {}
        for m in self.models.values():
            self.by_canonical.setdefault((lab_of_org(m.organization.slug), m.slug), m)
        self.offerings = {(o.model_id, o.provider_id): o for o in Offering.objects.select_related("model", "provider")}
        self.offerings_by_pk = {o.pk: o for o in self.offerings.values()}
        # (provider slug, recorded provider model id) -> the live models whose offering there records it,
        # and the same by the id's written normalisation (the recorded-id rule in catalog.importers).
        provider_slugs = {p.pk: p.slug for p in self.providers.values()}
        self.recorded_ids: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.recorded_keys: dict[tuple[str, str], set[int]] = defaultdict(set)
        for o in self.offerings.values():
            if o.provider_model_id:
                slug = provider_slugs[o.provider_id]
                self.recorded_ids[(slug, o.provider_model_id)].add(o.model_id)
                if key := recorded_id_key(slug, o.provider_model_id):
                    self.recorded_keys[(slug, key)].add(o.model_id)
        self.prices = {(p.offering_id, p.dimension, p.tier, p.context_threshold): p for p in Price.objects.all()}
        self.external = {e.external_id: e for e in ExternalId.objects.of_source(catalog)}
        self.lab_file_models: set[int] = set()  # models a models.dev lab file (models/<lab>/<id>.toml) describes
        for e in ExternalId.objects.of_source("models.dev").filter(external_id__startswith="models/"):
            if e.model_id in self.models:
                self.by_canonical[canonical(e.external_id.removeprefix("models/"))] = self.models[e.model_id]
                self.lab_file_models.add(e.model_id)
        self.types = {m: ContentType.objects.get_for_model(m) for m in (LanguageModel, Offering, Price)}
        by_type = {ct.pk: m for m, ct in self.types.items()}
        self.provenance: dict[tuple[type, int, str], int] = {}
        for ct_id, object_id, name, source_id in Provenance.objects.filter(
            content_type_id__in=list(by_type)
        ).values_list("content_type_id", "object_id", "field", "source_id"):
            self.provenance[(by_type[ct_id], object_id, name)] = source_id

    def recording(self, provider_slug: str, model_id: str) -> set[int]:
        """The live models whose offering at this provider records this id: exactly, else by the written
        normalisation of both ids. More than one is ambiguous: the caller matches nothing by it."""
        if not model_id:
            return set()
        exact = self.recorded_ids.get((provider_slug, model_id))
        if exact:
            return exact
        key = recorded_id_key(provider_slug, model_id)
        return self.recorded_keys.get((provider_slug, key), set()) if key else set()


class _Planner:
    def __init__(
        self, source: SourceCatalog, sources: dict[str, Source], summary: ImportSummary, tolerance, live: _Live
    ):
        self.source = source
        self.sources = sources
        self.summary = summary
        self.tolerance = tolerance
        self.live = live
        self.planned: list[_Planned] = []
        self.orgs: dict[str, Any] = dict(live.orgs)
        self.providers: dict[str, Any] = dict(live.providers)
        self.licenses: dict[str, Any] = dict(live.licenses)
        self.new_model_facts: dict[str, dict[str, Any]] = {}
        self.model_updates: dict[int, dict[str, Any]] = {}
        self.model_targets: dict[tuple[str, str], Any] = dict(live.by_canonical)
        self.taken_slugs = set(live.model_slugs)
        self.fields = {m: {f.name: f for f in editable_fields(m)} for m in (LanguageModel, Offering, Price)}
        self._seen_orgs: set[str] = set()
        self._seen_providers: set[str] = set()
        self._unique_by_id: dict[str, Any] = {}
        self._prices_by_offering: dict[int, dict] | None = None
        self._listing_providers: dict[str, str] | None = None

    # -- helpers -------------------------------------------------------------------------------------

    def _key(self, kind: str) -> str:
        return f"import-{kind}-{len(self.planned)}"

    def _count(self, kind: str, what: str) -> None:
        setattr(self.summary.counts[kind], what, getattr(self.summary.counts[kind], what) + 1)

    def _create(self, kind: str, model: type[models.Model], values: dict[str, Any], path: str, field_paths=None):
        key = self._key(kind)
        field_sources = {
            name: self.sources[p] for name, p in (field_paths or {}).items() if name in values and p != path
        }
        self.planned.append(
            _Planned(
                ProposedChange(
                    "create", model, values=values, source=self.sources[path], key=key, field_sources=field_sources
                ),
                kind,
            )
        )
        self._count(kind, "new")
        return NewRef(key)

    def _update(self, kind: str, obj: models.Model, wanted: dict[str, Any], path: str, field_paths=None) -> None:
        """Propose the fields of `wanted` that differ from the live row; flag those another source backs."""
        model = type(obj)
        fields = self.fields[model]
        changed = {
            name: value
            for name, value in wanted.items()
            if value_to_json(fields[name], value) != live_json(obj, fields[name])
        }
        if not changed:
            self._count(kind, "unchanged")
            return
        source = self.sources[path]
        field_sources = {
            name: self.sources[p] for name, p in (field_paths or {}).items() if name in changed and p != path
        }
        disagreements = []
        for name, value in changed.items():
            backed_by = self.live.provenance.get(
                (model, obj.pk, name if name != "knowledge_cutoff_precision" else "knowledge_cutoff")
            )
            imported_source = field_sources.get(name, source)
            if backed_by is None or backed_by == imported_source.pk:
                continue
            old = getattr(obj, fields[name].attname)
            if model is Price and not prices_disagree(old, value, self.tolerance):
                continue
            disagreements.append(
                {
                    "field": name,
                    "live_value": live_json(obj, fields[name]),
                    "live_source_id": backed_by,
                    "imported_value": value_to_json(fields[name], value),
                    "imported_source": imported_source,
                }
            )
        self.planned.append(
            _Planned(
                ProposedChange("update", model, values=changed, target=obj, source=source, field_sources=field_sources),
                kind,
                disagreements,
            )
        )
        self._count(kind, "changed")

    # -- reference rows ------------------------------------------------------------------------------

    def organization(self, lab: str, path: str) -> Any:
        slug = org_slug(lab)
        if slug in self.orgs:
            if isinstance(self.orgs[slug], Organization) and slug not in self._seen_orgs:
                self._seen_orgs.add(slug)
                self._count("organizations", "unchanged")
            return self.orgs[slug]
        name = self.source.lab_names.get(lab) or LAB_NAMES.get(lab) or lab
        if name.lower() in self.live.org_names:
            name = f"{name} ({slug})"
        self.live.org_names.add(name.lower())
        self.orgs[slug] = self._create("organizations", Organization, {"name": name[:120], "slug": slug}, path)
        return self.orgs[slug]

    def provider_slug(self, key: str) -> str:
        return PROVIDER_SLUGS.get((self.source.catalog, key), slug_part(key))[:120]

    def provider(self, key: str, path: str) -> Any:
        slug = self.provider_slug(key)
        if slug in self.providers:
            if isinstance(self.providers[slug], Provider) and slug not in self._seen_providers:
                self._seen_providers.add(slug)
                self._count("providers", "unchanged")
            return self.providers[slug]
        record = self.source.providers.get(key)
        name = (record.name if record else key)[:120]
        if name.lower() in self.live.provider_names:
            name = f"{name} ({slug})"[:120]
        self.live.provider_names.add(name.lower())
        website = record.website if record else ""
        try:
            URLValidator()(website)
        except ValidationError:
            website = ""
        if slug in FIRST_PARTY_LABS_BY_PROVIDER or key in self.source.first_party:
            kind = Provider.Kind.FIRST_PARTY
        elif slug in CLOUD_PROVIDERS:
            kind = Provider.Kind.CLOUD
        elif slug in AGGREGATORS:
            kind = Provider.Kind.AGGREGATOR
        else:
            kind = Provider.Kind.INFERENCE
        values = {"name": name, "slug": slug, "website": website[:200], "kind": kind}
        self.providers[slug] = self._create("providers", Provider, values, (record.path if record else "") or path)
        return self.providers[slug]

    def license(self, open_weights: bool, path: str) -> Any:
        slug, name = OPEN_WEIGHTS_LICENSE if open_weights else PROPRIETARY_LICENSE
        if slug not in self.licenses:
            kind = License.Kind.OPEN_WEIGHTS if open_weights else License.Kind.PROPRIETARY
            self.licenses[slug] = self._create("licenses", License, {"name": name, "slug": slug, "kind": kind}, path)
        return self.licenses[slug]

    # -- models --------------------------------------------------------------------------------------

    def _new_slug(self, record: ModelRecord) -> str:
        base = slug_part(record.key.partition("/")[2]).replace("-vs-", "-versus-")[:100] or "model"
        slug = base
        if slug in self.taken_slugs:
            slug = f"{org_slug(record.lab)}-{base}"[:110]
        n = 2
        while slug in self.taken_slugs:
            slug, n = f"{base[:100]}-{n}", n + 1
        self.taken_slugs.add(slug)
        return slug

    def _valid_values(self, model: type[models.Model], obj: Any, values: dict[str, Any]) -> dict[str, Any]:
        """Drop the facts the row's own checks refuse once merged with the live row (the rest still imports).

        A check names one field of a pair (cutoff after release, output above context); when the refused
        field is not one this import sets, the imported field of the pair goes instead.
        """
        values = dict(values)
        for _attempt in range(3):
            probe = model()
            if obj is not None:
                for f in model._meta.concrete_fields:
                    setattr(probe, f.attname, getattr(obj, f.attname))
            for name, value in values.items():
                f = self.fields[model][name]
                if not f.is_relation:
                    setattr(probe, f.attname, value)
            try:
                probe.clean()
            except ValidationError as error:
                refused = set()
                for name in error.message_dict:
                    refused |= {name} if name in values else {n for n in CHECK_PAIRS.get(name, ()) if n in values}
                if not refused:
                    raise
                for name in refused:
                    self.summary.skipped[f"fact refused by the {model._meta.verbose_name}'s checks ({name})"] += 1
                    values.pop(name)
                    if name == "knowledge_cutoff":
                        values.pop("knowledge_cutoff_precision", None)
                continue
            return values
        return values

    def models(self, records: list[ModelRecord], listing_ids: set[str]) -> None:
        ordered = _successors_first(records, self.source)
        resolved = self._resolve_models(ordered)
        for record in ordered:
            target, how = resolved[record.key]
            if (
                how == "recorded id"
                and record.external_id in listing_ids
                and target.organization.slug != org_slug(record.lab)
            ):
                # A listing at a lab's own API (by its provider id) of another organization's model describes
                # that offering only, not the model (rule 2): its facts go to the offering.
                self.summary.skipped["a lab's listing of another organization's model (its model facts not used)"] += 1
                self._count("models", "unchanged")
                self.model_targets[canonical(record.key)] = target
                continue
            organization = self.organization(record.lab, record.path)
            if how == "merged":
                # Another record of this import is the same live model and gives its facts (rule 6).
                self.summary.skipped["another record of the same live model (its facts not used)"] += 1
                self._count("models", "unchanged")
                self.model_targets[canonical(record.key)] = target
                if record.external_id not in listing_ids:
                    self.crosswalk(record.external_id, record.path, model=target)
                continue
            facts = dict(record.facts)
            if target is not None and canonical(record.key) != (lab_of_org(target.organization.slug), target.slug):
                # Matched by another id than its slug (a recorded id, a crosswalk mapping): the live model keeps
                # its name; the record's names the id it lists ("Claude Haiku 3.5 (2024-10-22)").
                facts.pop("name", None)
            open_weights = facts.pop("open_weights", None)
            successor = self._resolve_successor(record)
            if successor is not None:
                facts["successor"] = successor
            if target is None and isinstance(self.model_targets.get(canonical(record.key)), NewRef):
                # Two records of one model ("mistral-medium-3.5" and "mistral-medium-3-5"): the first
                # creates it, the other only joins the crosswalk (a second model would be a duplicate).
                self.summary.skipped["another record of the same model (its facts not used)"] += 1
            elif target is None:
                values = {"name": record.name[:200], "slug": self._new_slug(record), "organization": organization}
                values.update(facts)
                if open_weights is not None:
                    values["license"] = self.license(open_weights, record.path)
                values = self._valid_values(LanguageModel, None, values)
                ref = self._create("models", LanguageModel, values, record.path, record.field_paths)
                self.model_targets[canonical(record.key)] = ref
                self.new_model_facts[ref.key] = values
            elif (
                self.source.catalog == "models.dev"
                and target.pk in self.live.lab_file_models
                and record.external_id.startswith("providers/")
            ):
                # A provider's listing (api.json has no lab files) describes the model only when no lab file
                # does (rule 2): what it says differently is that offering's, proposed on the offering.
                self._count("models", "unchanged")
                self.model_targets[canonical(record.key)] = target
                continue
            else:
                for name in record.create_only:
                    facts.pop(name, None)
                if open_weights is not None and (
                    target.license is None or target.license.allows_self_hosting != open_weights
                ):
                    facts["license"] = self.license(open_weights, record.path)
                own = self._own_offering(record, target) if record.external_id in listing_ids else None
                if own is not None:
                    self._drop_own_offering_facts(facts, own)
                facts = self._valid_values(LanguageModel, target, facts)
                self.model_updates[target.pk] = facts
                self._update("models", target, facts, record.path, record.field_paths)
                self.model_targets[canonical(record.key)] = target
            if record.external_id not in listing_ids:
                self.crosswalk(record.external_id, record.path, model=self.model_targets[canonical(record.key)])

    def _drop_own_offering_facts(self, facts: dict[str, Any], own: Offering) -> None:
        """The record is also the lab's own listing (LiteLLM's "gemini/...", a models.dev provider file) and the
        live offering there already states these limits or this status as its own: they are that offering's
        (proposed, if at all, on the offering), not a restatement of the model's. models.dev's one word for
        the end of life, "deprecated", is a retired offering's too."""
        for name in ("context_window", "max_output_tokens"):
            if name in facts and getattr(own, name) is not None and getattr(own, name) == facts[name]:
                facts.pop(name)
        status = facts.get("status")
        ended = own.status != Offering.Status.ACTIVE
        if ended and (status == own.status or (self.source.catalog == "models.dev" and status == "deprecated")):
            facts.pop("status")

    def _listing_provider_slug(self, external_id: str) -> str:
        """The provider slug of this source's listing with this external id ("" when none is)."""
        if self._listing_providers is None:
            self._listing_providers = {listing.external_id: listing.provider for listing in self.source.listings}
        key = self._listing_providers.get(external_id)
        return self.provider_slug(key) if key is not None else ""

    def _own_offering(self, record: ModelRecord, target: LanguageModel) -> Offering | None:
        """The live offering of `target` at the provider of the listing that is this record (same external id)."""
        provider = self.live.providers.get(self._listing_provider_slug(record.external_id))
        return self.live.offerings.get((target.pk, provider.pk)) if provider is not None else None

    def _resolve_models(self, records: list[ModelRecord]) -> dict[str, tuple[LanguageModel | None, str]]:
        """record key -> (the live model it is or None, by which rule). Of two or more records that are one
        live model, the one matched by the crosswalk or its slug (else the first by key) gives the facts;
        the others are "merged" (rule 6)."""
        by_listings = self._models_recorded_by_listings({canonical(r.key) for r in records})
        resolved = {record.key: self._existing_model(record, by_listings) for record in records}
        claimants: dict[int, list[ModelRecord]] = defaultdict(list)
        for record in records:
            target, _how = resolved[record.key]
            if target is not None:
                claimants[target.pk].append(record)
        for same in claimants.values():
            if len(same) < 2:
                continue
            same.sort(key=lambda r: r.key)
            primary = next((r for r in same if resolved[r.key][1] in ("crosswalk", "slug")), same[0])
            for record in same:
                if record is not primary:
                    resolved[record.key] = (resolved[record.key][0], "merged")
        return resolved

    def _existing_model(
        self, record: ModelRecord, by_listings: dict[tuple[str, str], set[int]]
    ) -> tuple[LanguageModel | None, str]:
        external = self.live.external.get(record.external_id)
        if external is not None:
            if external.model_id:
                return self.live.models.get(external.model_id), "crosswalk"
            offering = self.live.offerings_by_pk.get(external.offering_id)
            return (self.live.models.get(offering.model_id) if offering else None), "crosswalk"
        by_slug = self.live.by_canonical.get(canonical(record.key))
        # Rule 2a: the lab's own API records this id on one live model; else the source's own listings of
        # this record (rule 3) carry ids their provider records on one live model.
        first_party = FIRST_PARTY_PROVIDERS_BY_LAB.get(record.lab)
        found: set[int] = set()
        if first_party:
            found = self.live.recording(first_party, record.key.partition("/")[2])
        own_listing = bool(found) and self._listing_provider_slug(record.external_id) == first_party
        if not found:
            found = by_listings.get(canonical(record.key), set())
        if len(found) > 1:
            self.summary.skipped["model id recorded by two or more live models (not matched by it)"] += 1
        elif found:
            target = self.live.models[next(iter(found))]
            if by_slug is None:
                return target, "recorded id"
            if by_slug.pk != target.pk and own_listing:
                # The record is the lab's own listing, which rule 1a gives to the model recording its id
                # there: the record describes that model too, never another one its slug happens to name.
                self.summary.skipped["model whose slug and own listing name two live models (listing's kept)"] += 1
                return target, "recorded id"
            if by_slug.pk != target.pk:
                self.summary.skipped["model whose slug and recorded id name two live models (slug kept)"] += 1
        return by_slug, ("slug" if by_slug is not None else "")

    def _models_recorded_by_listings(self, record_keys: set[tuple[str, str]]) -> dict[tuple[str, str], set[int]]:
        """canonical record key -> the live models the listings naming that record match by recorded id."""
        found: dict[tuple[str, str], set[int]] = defaultdict(set)
        for listing in self.source.listings:
            if listing.external_id in self.live.external:
                continue  # rule 1 decides that listing
            named = None
            for candidate in listing.candidates:
                if not candidate.startswith("*/"):
                    key = canonical(candidate)
                    if key in record_keys or key in self.live.by_canonical:
                        named = key
                        break
            if named is not None and named in record_keys:
                found[named] |= self._listing_recorded(listing)
        return found

    def _listing_recorded(self, listing: ListingRecord) -> set[int]:
        return self.live.recording(self.provider_slug(listing.provider), listing.provider_model_id)

    def _resolve_successor(self, record: ModelRecord) -> Any:
        if not record.successor:
            return None
        target = self.model_targets.get(canonical(f"{record.lab}/{record.successor}"))
        if target is None:
            self.summary.skipped["successor not in the catalog (left unset)"] += 1
        return target

    # -- listings ------------------------------------------------------------------------------------

    def _match(self, listing: ListingRecord) -> Any:
        external = self.live.external.get(listing.external_id)
        if external is not None:
            if external.offering_id and external.offering_id in self.live.offerings_by_pk:
                return self.live.models.get(self.live.offerings_by_pk[external.offering_id].model_id)
            if external.model_id:
                return self.live.models.get(external.model_id)
        recorded = self._listing_recorded(listing)
        if len(recorded) > 1:
            self.summary.skipped["listing id recorded by two or more live models (unmatched)"] += 1
            return None
        if recorded:
            return self.live.models[next(iter(recorded))]
        for candidate in listing.candidates:
            lab, _slash, model_id = candidate.partition("/")
            if lab != "*":
                target = self.model_targets.get((lab, slug_part(model_id)))
                if target is not None:
                    return target
                continue
            found = self._unique_by_id.get(slug_part(model_id))
            if found is not None:
                return found
        return None

    def listings(self, listings: list[ListingRecord]) -> None:
        by_id: dict[str, list[Any]] = defaultdict(list)
        for (_lab, model_slug), target in self.model_targets.items():
            if not any(target is t for t in by_id[model_slug]):
                by_id[model_slug].append(target)
        self._unique_by_id = {slug: targets[0] for slug, targets in by_id.items() if len(targets) == 1}
        groups: dict[tuple[int, str], list[tuple[ListingRecord, Any, Any]]] = defaultdict(list)
        for listing in listings:
            model = self._match(listing)
            if model is None:
                self.summary.unmatched.append((listing.external_id, listing.provider, listing.candidates))
                continue
            provider = self.provider(listing.provider, listing.path)
            groups[(id(model), id(provider))].append((listing, model, provider))
        for group in groups.values():
            group.sort(key=lambda row: row[0].preference)
            listing, model, provider = group[0]
            offering = self.offering(listing, model, provider)
            for other, _model, _provider in group:
                if other is not listing:
                    self.summary.skipped["another listing of the same offering (its prices not used)"] += 1
                if not other.derived_key:  # a key our export built is not the source's id (common.DERIVED_KEY)
                    self.crosswalk(other.external_id, other.path, offering=offering)

    def offering(self, listing: ListingRecord, model: Any, provider: Any) -> Any:
        facts = dict(listing.facts)
        model_window = self._planned_model_fact(model, "context_window")
        model_output = self._planned_model_fact(model, "max_output_tokens")
        live = None
        if isinstance(model, LanguageModel) and isinstance(provider, Provider):
            live = self.live.offerings.get((model.pk, provider.pk))
        # Limits on an offering only where they differ from the model's ("when it differs", as the field
        # says), unless the live offering already states its own.
        for name, model_value in (("context_window", model_window), ("max_output_tokens", model_output)):
            if name in facts and facts[name] == model_value and (live is None or getattr(live, name) is None):
                facts.pop(name)
        if (
            self.source.catalog == "models.dev"
            and live is not None
            and live.status == Offering.Status.RETIRED
            and facts.get("status") == Offering.Status.DEPRECATED
        ):
            # models.dev's one word for the end of life is "deprecated": a retired offering is not contradicted.
            facts.pop("status")
        facts = self._valid_values(Offering, live, facts)
        if live is None:
            target = self._create(
                "offerings",
                Offering,
                {"model": model, "provider": provider, **facts},
                listing.path,
                listing.field_paths,
            )
        else:
            self._update("offerings", live, facts, listing.path, listing.field_paths)
            target = live
        window = facts.get("context_window") or (live.context_window if live else None) or model_window
        self.prices(listing, target, live, window)
        return target

    def _planned_model_fact(self, model: Any, name: str) -> Any:
        if isinstance(model, LanguageModel):
            return self.model_updates.get(model.pk, {}).get(name, getattr(model, name))
        return self.new_model_facts.get(model.key, {}).get(name)

    def prices(self, listing: ListingRecord, offering: Any, live: Offering | None, window: int | None) -> None:
        planned = dict(listing.prices)
        live_rows = self._live_prices_of(live.pk) if live is not None else {}

        def window_ok(key: tuple[str, str, int]) -> bool:
            return not (key[2] and window and key[2] > window)

        for _round in range(2):
            merged = {**live_rows, **planned}
            refused = []
            for key, amount in planned.items():
                siblings = [(*k, a) for k, a in merged.items() if k != key]
                errors = price_row_errors((*key, amount), siblings, window)
                # Of two planned rows that refuse each other (cached above input, batch above standard), the
                # standard base input and output stay: the headline price is the one a reader needs. A live
                # row this import leaves alone stays too, so a planned row it refuses goes (else the change
                # set could not apply).
                headline = key[1:] == ("standard", 0) and key[0] in ("input", "output") and window_ok(key)
                kept = [(*k, a) for k, a in live_rows.items() if k not in planned]
                if errors and (not headline or price_row_errors((*key, amount), kept, window)):
                    refused.append((key, next(iter(errors.values()))))
            for key, message in refused:
                planned.pop(key, None)
                self.summary.skipped["price refused by the price checks"] += 1
                self.summary.refused.append((listing.external_id, f"{' / '.join(map(str, key))}: {message}"))
            if not refused:
                break
        for (dimension, tier, threshold), amount in sorted(planned.items()):
            row = self.live.prices.get((live.pk, dimension, tier, threshold)) if live is not None else None
            if row is None:
                values = {
                    "offering": offering,
                    "dimension": dimension,
                    "tier": tier,
                    "context_threshold": threshold,
                    "usd_per_million": amount,
                }
                self._create("prices", Price, values, listing.path)
            else:
                self._update("prices", row, {"usd_per_million": amount}, listing.path)

    def _live_prices_of(self, offering_id: int) -> dict[tuple[str, str, int], Decimal]:
        if self._prices_by_offering is None:
            self._prices_by_offering = defaultdict(dict)
            for (o, d, t, th), row in self.live.prices.items():
                self._prices_by_offering[o][(d, t, th)] = row.usd_per_million
        return self._prices_by_offering.get(offering_id, {})

    def crosswalk(self, external_id: str, path: str, *, model: Any = None, offering: Any = None) -> None:
        existing = self.live.external.get(external_id)
        values = {"source": self.source.catalog, "external_id": external_id[:300], "model": model, "offering": offering}
        if existing is None:
            self._create("external ids", ExternalId, values, path)
        else:
            self._count("external ids", "unchanged")  # rule 1: a crosswalk row (an editor's mapping) stands


def _successors_first(records: list[ModelRecord], source: SourceCatalog) -> list[ModelRecord]:
    by_key = {canonical(r.key): r for r in records}
    ordered: list[ModelRecord] = []
    state: dict[str, str] = {}

    def visit(record: ModelRecord) -> None:
        if state.get(record.key):
            return
        state[record.key] = "visiting"
        successor = by_key.get(canonical(f"{record.lab}/{record.successor}")) if record.successor else None
        if successor is not None and successor is not record:
            visit(successor)
        state[record.key] = "done"
        ordered.append(record)

    for record in sorted(records, key=lambda r: r.key):
        visit(record)
    return ordered


def source_rows(source: SourceCatalog, *, revision: str, location: str, dry_run: bool) -> dict[str, Source]:
    """One Source per source file, created directly (citations, not catalog facts), as the demo loader does."""
    today = timezone.localdate()
    wanted: dict[str, Source] = {}
    for path in sorted(source.paths):
        if path.startswith(("http://", "https://")):
            url = path
        elif source.catalog == "models.dev" and path.endswith("api.json"):
            url = "https://models.dev/api.json"
        else:
            url = SOURCE_URLS[source.catalog].format(revision=revision or "main", path=path)
        name = path.rsplit("/", 1)[-1] if path.startswith("http") else path
        title = f"{PUBLISHERS[source.catalog]}: {name}" + (f" ({revision})" if revision else "")
        wanted[path] = Source(
            url=url[:500], title=title[:300], publisher=PUBLISHERS[source.catalog], retrieved_on=today
        )
    existing = Source.objects.in_bulk([s.url for s in wanted.values()], field_name="url")
    missing = [s for s in wanted.values() if s.url not in existing]
    if missing and not dry_run:
        Source.objects.bulk_create(missing, batch_size=500)
        existing = Source.objects.in_bulk([s.url for s in wanted.values()], field_name="url")
    return {path: existing.get(s.url, s) for path, s in wanted.items()}


def import_source(
    *,
    source: SourceCatalog,
    user,
    dry_run: bool = False,
    revision: str = "",
    location: str = "",
    progress=None,
) -> ImportSummary:
    """Plan the import of `source` and, unless `dry_run`, propose it as one submitted change set by `user`."""
    summary = ImportSummary(catalog=source.catalog, dry_run=dry_run)
    summary.skipped.update(source.skipped)
    summary.errors = list(source.errors)
    summary.unmapped_price_keys = source.unmapped_price_keys
    with transaction.atomic():
        sources = source_rows(source, revision=revision, location=location, dry_run=dry_run)
        live = _Live(source.catalog)
        planner = _Planner(source, sources, summary, price_tolerance(), live)
        listing_ids = {listing.external_id for listing in source.listings}
        planner.models(list(source.models.values()), listing_ids)
        planner.listings(source.listings)
        summary.changes = len(planner.planned)
        summary.planned = planner.planned
        summary.disagreements = sum(len(p.disagreements) for p in planner.planned)
        if dry_run or not planner.planned:
            if dry_run:
                transaction.set_rollback(True)
            return summary
        summary.changeset = _propose(planner.planned, user=user, source=source, summary=summary, progress=progress)
    return summary


def _propose(planned: list[_Planned], *, user, source: SourceCatalog, summary: ImportSummary, progress) -> ChangeSet:
    text = (
        f"Import of {source.catalog}: "
        + ", ".join(
            f"{c.new} new and {c.changed} changed {kind}" for kind, c in summary.counts.items() if c.new or c.changed
        )
        + (f"; {summary.disagreements} values where sources disagree" if summary.disagreements else "")
        + "."
    )
    changeset = ChangeSet.objects.create(author=user, summary=text)
    changeset._record(user=user, action=AuditEvent.Action.CREATED, from_state="")
    # Kind by kind (a kind only refers to rows of the kinds before it), creates before updates: applying
    # writes runs of one action on one model in bulk, so interleaved kinds would make thousands of runs.
    rank = {kind: index for index, kind in enumerate(KINDS)}
    planned = sorted(planned, key=lambda p: (rank[p.kind], p.change.action != "create"))
    items = changeset_propose_many(
        user=user, changes=[item.change for item in planned], changeset=changeset, progress=progress
    )
    disagreements = []
    types = {}
    for item, created in zip(planned, items, strict=True):
        if created is None or not item.disagreements:
            continue
        model = item.change.model
        types.setdefault(model, ContentType.objects.get_for_model(model))
        for d in item.disagreements:
            disagreements.append(
                SourceDisagreement(
                    change_item=created,
                    content_type=types[model],
                    object_id=item.change.target.pk,
                    field=d["field"],
                    live_value=d["live_value"],
                    live_source_id=d["live_source_id"],
                    imported_value=d["imported_value"],
                    imported_source=d["imported_source"],
                )
            )
    SourceDisagreement.objects.bulk_create(disagreements, batch_size=500)
    changeset.submit(user=user, summary=text)
    return changeset
