"""Compatibility exports: the catalog in the shapes of LiteLLM's price map and models.dev's api.json, so a tool
that reads either can switch by changing one URL. Built from reviewed facts only: a price row appears when its
amount has provenance (a source and a review), a capability when its value does.

Both sources write prices as JSON numbers (LiteLLM per token, models.dev per 1M tokens). They are converted from
the stored Decimal at the last step; `float()` of a Decimal with at most 6 places per 1M (12 per token) prints
back as the same decimal, which is what those files hold.

Keys are the source's own ids where the crosswalk (`ExternalId`) records one for the offering: a tool that switches
URLs finds the keys it knows ("azure/gpt-4o", models.dev's "openai" provider and its "gpt-4o"), and our importers
read the file back to the same rows (tests/comparisons/test_api_compat_roundtrip.py; on the real catalog,
test_api_compat_real.py). A key must read back as the offering's own provider model id, so of the source's ids for
an offering only one that does is used. An offering the source does not list, or none of whose ids reads back as
ours, gets "<the source's name for the provider>/<provider model id>" (models.dev: that provider, that id).

Such a derived key is ours, not an id the source uses, and its entry says so with one extra key,
`"llmref_derived_key": true` (`catalog.importers.common.DERIVED_KEY`: in a LiteLLM entry, as our "source" is; in
a models.dev model object); an entry keyed by the crosswalk's id carries no such key. Our importers match a marked
entry as any other but do not record its key in the crosswalk, so a round trip proposes nothing.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from catalog.importers import litellm as litellm_reader
from catalog.importers.common import DERIVED_KEY, slug_part
from catalog.importers.plan import PROVIDER_SLUGS
from catalog.models import ExternalId, LanguageModel, Offering, Price, Provenance, Provider

PER_TOKEN = Decimal(1_000_000)
LITELLM_PROVIDER_NAME = re.compile(r"[a-z0-9_.-]+")  # "vertex_ai-anthropic_models", not "GitHub Copilot"

LITELLM_DIMENSIONS = {
    Price.Dimension.INPUT: "input_cost_per_token",
    Price.Dimension.OUTPUT: "output_cost_per_token",
    Price.Dimension.CACHE_READ: "cache_read_input_token_cost",
    Price.Dimension.CACHE_WRITE_5M: "cache_creation_input_token_cost",
    Price.Dimension.CACHE_WRITE_1H: "cache_creation_input_token_cost_above_1hr",
    Price.Dimension.REASONING: "output_cost_per_reasoning_token",
    Price.Dimension.INPUT_AUDIO: "input_cost_per_audio_token",
    Price.Dimension.OUTPUT_AUDIO: "output_cost_per_audio_token",
    Price.Dimension.INPUT_IMAGE: "input_cost_per_image_token",
}
LITELLM_TIERS = {Price.Tier.STANDARD: "", Price.Tier.BATCH: "_batches", Price.Tier.FLEX: "_flex",
                 Price.Tier.PRIORITY: "_priority"}  # fmt: skip
# LiteLLM's `tiered_pricing` bands hold these three for a context tier that is not a whole number of thousands.
LITELLM_BANDS = {
    Price.Dimension.INPUT: "input_cost_per_token",
    Price.Dimension.OUTPUT: "output_cost_per_token",
    Price.Dimension.CACHE_READ: "cache_read_input_token_cost",
}
LITELLM_CAPABILITIES = {
    "vision": "supports_vision",
    "function_calling": "supports_function_calling",
    "reasoning": "supports_reasoning",
    "structured_outputs": "supports_response_schema",
}
MODELS_DEV_COST = {
    Price.Dimension.INPUT: "input",
    Price.Dimension.OUTPUT: "output",
    Price.Dimension.CACHE_READ: "cache_read",
    Price.Dimension.CACHE_WRITE_5M: "cache_write",
    Price.Dimension.REASONING: "reasoning",
    Price.Dimension.INPUT_AUDIO: "input_audio",
    Price.Dimension.OUTPUT_AUDIO: "output_audio",
}
MODELS_DEV_CAPABILITIES = (("vision", "attachment"), ("reasoning", "reasoning"), ("function_calling", "tool_call"),
                           ("structured_outputs", "structured_output"))  # fmt: skip


def litellm_price_key(dimension: str, tier: str, threshold: int) -> str | None:
    """'input_cost_per_token_above_200k_tokens_priority'; None for a row LiteLLM has no key for."""
    base = LITELLM_DIMENSIONS.get(dimension)
    if base is None or tier not in LITELLM_TIERS:
        return None
    if threshold:
        if threshold % 1000:
            return None
        base += f"_above_{threshold // 1000}k_tokens"
    return base + LITELLM_TIERS[tier]


def _number(amount: Decimal) -> int | float:
    return 0 if amount.is_zero() else float(amount)


class PriceRow(NamedTuple):
    pk: int
    dimension: str
    tier: str
    context_threshold: int
    usd_per_million: Decimal


@dataclass
class Reviewed:
    """The catalog as the exports read it: offerings (each model and provider loaded once, attached), their price
    rows as plain tuples, reviewed price ids -> source url, reviewed (model id, field)."""

    offerings: list[Offering]
    prices: dict[int, list[PriceRow]]
    price_sources: dict[int, str]
    model_fields: set[tuple[int, str]]


def _reviewed() -> Reviewed:
    """Six queries; the whole catalog, so rows are built once each (an export is every offering)."""
    offerings = list(Offering.objects.order_by("provider__slug", "model__slug"))
    models = LanguageModel.objects.select_related("license", "successor").in_bulk({o.model_id for o in offerings})
    providers = Provider.objects.in_bulk({o.provider_id for o in offerings})
    for offering in offerings:
        offering.model, offering.provider = models[offering.model_id], providers[offering.provider_id]
    prices: dict[int, list[PriceRow]] = {}
    rows = Price.objects.order_by("dimension", "tier", "context_threshold").values_list(
        "offering_id", "pk", "dimension", "tier", "context_threshold", "usd_per_million"
    )
    for offering_id, *row in rows:
        prices.setdefault(offering_id, []).append(PriceRow(*row))
    types = ContentType.objects.get_for_models(Price, LanguageModel)
    price_sources = dict(
        Provenance.objects.filter(content_type=types[Price], field="usd_per_million").values_list(
            "object_id", "source__url"
        )
    )
    model_fields = set(Provenance.objects.filter(content_type=types[LanguageModel]).values_list("object_id", "field"))
    return Reviewed(offerings, prices, price_sources, model_fields)


def _crosswalk(source: str, offerings: list[Offering], matches) -> dict[int, str]:
    """Offering id -> the id `source` knows it by (one query): of its ids there (regions, routes), the shortest
    that names the offering's provider model id, so the importer reads back the id we hold. An offering none of
    whose ids does (models.dev's Bedrock "openai.gpt-5.4" beside LiteLLM's "us.openai.gpt-5.4", another
    spelling "Llama-3.3-70B-Instruct") is left out: it gets a key built from that id, as an unlisted one."""
    by_pk = {o.pk: o for o in offerings}
    found: dict[int, list[str]] = {}
    rows = ExternalId.objects.of_source(source).filter(offering__isnull=False).values_list("offering_id", "external_id")
    for offering_id, external_id in rows:
        offering = by_pk.get(offering_id)
        if offering is not None and matches(external_id, offering.provider_model_id):
            found.setdefault(offering_id, []).append(external_id)
    return {pk: min(ids, key=lambda i: (len(i), i)) for pk, ids in found.items()}


def _provider_keys(source: str) -> dict[str, list[str]]:
    """Our provider slug -> the names `source` gives that provider (catalog.importers.plan.PROVIDER_SLUGS)."""
    keys: dict[str, list[str]] = {}
    for (catalog, key), slug in PROVIDER_SLUGS.items():
        if catalog == source:
            keys.setdefault(slug, []).append(key)
    return keys


def _imported_slug(source: str, key: str) -> str:
    return PROVIDER_SLUGS.get((source, key), slug_part(key))


def litellm_provider(provider: Provider, key: str | None, known: dict[str, list[str]]) -> str:
    """The `litellm_provider` our LiteLLM importer reads back as this provider, from the same route.

    Candidates: the key's first segment, LiteLLM's names for the provider, the provider's name (the importer
    names a provider it creates by its LiteLLM key) and slug; kept when the importer maps them to this
    provider, preferring one whose routes (`azure_ai` -> "azure_ai/", "azure/") start the key.
    """
    head = key.split("/", 1)[0] if key and "/" in key else ""
    name = provider.name if LITELLM_PROVIDER_NAME.fullmatch(provider.name) else ""
    candidates = [c for c in [head, *known.get(provider.slug, []), name, provider.slug] if c]
    candidates = [c for c in dict.fromkeys(candidates) if _imported_slug("litellm", c) == provider.slug]
    if head:
        for candidate in candidates:
            if head in litellm_reader.routes(candidate):
                return candidate
    return candidates[0] if candidates else provider.slug


def _litellm_id_matches(external_id: str, provider_model_id: str) -> bool:
    return external_id == provider_model_id or (
        external_id.endswith("/" + provider_model_id) and external_id.count("/") == provider_model_id.count("/") + 1
    )


def _litellm_deprecation(offering: Offering, model_fields: set[tuple[int, str]]) -> datetime.date | None:
    """The model's reviewed deprecation date on an entry whose offering's status it explains (LiteLLM's one
    lifecycle field: the importer reads "retired" from a past date, "deprecated" from a future one); None when it
    would say something else of this offering (an offering retired or deprecated on its own date, or active)."""
    model = offering.model
    if not (model.deprecation_date and (model.pk, "deprecation_date") in model_fields):
        return None
    implied = Offering.Status.RETIRED if model.deprecation_date <= timezone.localdate() else Offering.Status.DEPRECATED
    return model.deprecation_date if offering.status == implied else None


def litellm_map(*, placed: dict[str, int] | None = None) -> dict[str, dict[str, Any]]:
    """{"<LiteLLM key>": {litellm_provider, mode, max_input_tokens, ..._cost_per_token..., supports_*, source}}
    (and llmref_derived_key on an entry whose key is built from our ids).

    `placed`, when given, receives each key's offering id (for the round-trip tests)."""
    catalog = _reviewed()
    offerings, price_sources, model_fields = catalog.offerings, catalog.price_sources, catalog.model_fields
    keys = _crosswalk("litellm", offerings, _litellm_id_matches)
    known = _provider_keys("litellm")
    entries: dict[str, dict[str, Any]] = {}
    for offering in offerings:
        model = offering.model
        prices: dict[str, Any] = {}
        bands: dict[int, dict[str, Any]] = {}
        source = None
        for row in catalog.prices.get(offering.pk, []):
            if row.pk not in price_sources:
                continue
            key = litellm_price_key(row.dimension, row.tier, row.context_threshold)
            if key is not None:
                prices[key] = _number(row.usd_per_million / PER_TOKEN)
            elif row.tier == Price.Tier.STANDARD and row.dimension in LITELLM_BANDS and row.context_threshold:
                band = bands.setdefault(row.context_threshold, {"range": [row.context_threshold]})
                band[LITELLM_BANDS[row.dimension]] = _number(row.usd_per_million / PER_TOKEN)
            if row.dimension == Price.Dimension.INPUT and row.tier == Price.Tier.STANDARD and not row.context_threshold:
                source = price_sources[row.pk]
        if not prices:
            continue
        external = keys.get(offering.pk)
        provider_key = litellm_provider(offering.provider, external, known)
        if external and litellm_reader.provider_model_id(external, provider_key) != offering.provider_model_id:
            # The crosswalk's key would read back as another provider model id than ours: build one from ours.
            external, provider_key = None, litellm_provider(offering.provider, None, known)
        entry: dict[str, Any] = {"litellm_provider": provider_key, "mode": "chat"}
        context = offering.context_window or model.context_window
        output = offering.max_output_tokens or model.max_output_tokens
        if context:
            entry["max_input_tokens"] = context
        if output:
            entry["max_output_tokens"] = output
        entry.update(sorted(prices.items()))
        if bands:
            entry["tiered_pricing"] = [bands[threshold] for threshold in sorted(bands)]
        for name, key in LITELLM_CAPABILITIES.items():
            value = getattr(model, name)
            if value is not None and (model.pk, name) in model_fields:
                entry[key] = value
        for name, key in (("input_modalities", "supported_modalities"),
                          ("output_modalities", "supported_output_modalities")):  # fmt: skip
            value = getattr(model, name)
            if isinstance(value, list) and value and (model.pk, name) in model_fields:
                entry[key] = list(value)
        if deprecation := _litellm_deprecation(offering, model_fields):
            entry["deprecation_date"] = deprecation.isoformat()
        if model.successor_id and (model.pk, "successor") in model_fields:
            entry["successor_model"] = model.successor.slug if model.successor else None
        if source:
            entry["source"] = source
        if not external:
            entry[DERIVED_KEY] = True
        key = external or f"{provider_key}/{offering.provider_model_id or model.slug}"
        if key not in entries:
            entries[key] = entry
            if placed is not None:
                placed[key] = offering.pk
    return entries


def _models_dev_id_matches(external_id: str, provider_model_id: str) -> bool:
    return external_id.endswith("/models/" + provider_model_id)


def _models_dev_key(offering: Offering, external: str | None, known: dict[str, list[str]]) -> tuple[str, str]:
    """(provider id, model id) in models.dev's api.json: from "providers/<provider>/models/<model id>"."""
    if external and external.startswith("providers/") and "/models/" in external:
        provider, _sep, model_id = external.removeprefix("providers/").partition("/models/")
        if provider and model_id:
            return provider, model_id
    return _models_dev_provider_id(offering.provider, known), offering.provider_model_id or offering.model.slug


def _models_dev_provider_id(provider: Provider, known: dict[str, list[str]]) -> str:
    """models.dev's name for a provider our models.dev importer maps to it, else our slug."""
    names = [k for k in known.get(provider.slug, []) if _imported_slug("models.dev", k) == provider.slug]
    return names[0] if names else provider.slug


def _models_dev_cost(rows: list[PriceRow], price_sources: dict[int, str]) -> dict[str, Any]:
    """models.dev's `cost`: base prices, `tiers` (context tiers), and priority or flex as the "fast" mode."""
    cost: dict[str, Any] = {}
    tiers: dict[int, dict[str, Any]] = {}
    modes: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = MODELS_DEV_COST.get(row.dimension)
        if key is None or row.pk not in price_sources:
            continue
        amount = _number(row.usd_per_million)
        if row.tier == Price.Tier.STANDARD and not row.context_threshold:
            cost[key] = amount
        elif row.tier == Price.Tier.STANDARD:
            tiers.setdefault(row.context_threshold, {"tier": {"type": "context", "size": row.context_threshold}})
            tiers[row.context_threshold][key] = amount
        elif row.tier in (Price.Tier.PRIORITY, Price.Tier.FLEX) and not row.context_threshold:
            modes.setdefault(row.tier, {})[key] = amount
    if tiers:
        cost["tiers"] = [tiers[size] for size in sorted(tiers)]
    return {"cost": cost, "modes": modes} if cost else {}


def models_dev_api(*, placed: dict[tuple[str, str], int] | None = None) -> dict[str, dict[str, Any]]:
    """{provider id: {id, name, doc, env, npm, models: {model id: {id, name, ..., cost, limit, modalities}}}}
    (and llmref_derived_key on a model whose ids are built from ours).

    `placed`, when given, receives each (provider id, model id)'s offering id (for the round-trip tests)."""
    catalog = _reviewed()
    offerings, price_sources, model_fields = catalog.offerings, catalog.price_sources, catalog.model_fields
    keys = _crosswalk("models.dev", offerings, _models_dev_id_matches)
    known = _provider_keys("models.dev")
    where = {o.pk: _models_dev_key(o, keys.get(o.pk), known) for o in offerings}
    derived = {pk for pk, (provider_id, model_id) in where.items()
               if keys.get(pk) != f"providers/{provider_id}/models/{model_id}"}  # fmt: skip
    ids_of: dict[int, str] = {}
    for offering in offerings:
        ids_of.setdefault(offering.provider_id, where[offering.pk][0])
    providers: dict[str, dict[str, Any]] = {}
    for provider in Provider.objects.order_by("slug"):
        provider_id = ids_of.get(provider.pk) or _models_dev_provider_id(provider, known)
        providers.setdefault(provider_id, {"id": provider_id, "name": provider.name, "doc": provider.website,
                                           "env": [], "npm": "", "models": {}})  # fmt: skip
    for offering in offerings:
        model = offering.model

        def reviewed(name: str, model=model) -> bool:
            return (model.pk, name) in model_fields and getattr(model, name) is not None

        provider_id, model_id = where[offering.pk]
        entry: dict[str, Any] = {"id": model_id, "name": model.name}
        if model.family:
            entry["family"] = model.family
        for ours, theirs in MODELS_DEV_CAPABILITIES:
            if reviewed(ours):
                entry[theirs] = getattr(model, ours)
        if model.knowledge_cutoff and reviewed("knowledge_cutoff"):
            entry["knowledge"] = model.knowledge_cutoff_display
        if model.release_date and reviewed("release_date"):
            entry["release_date"] = model.release_date.isoformat()
        if model.license and reviewed("license"):
            entry["open_weights"] = model.license.allows_self_hosting
        if reviewed("input_modalities") and reviewed("output_modalities"):
            entry["modalities"] = {"input": list(model.input_modalities), "output": list(model.output_modalities)}
        priced = _models_dev_cost(catalog.prices.get(offering.pk, []), price_sources)
        if priced:
            entry["cost"] = priced["cost"]
            # One "fast" mode only (models.dev's shape): priority when the offering has it, else flex.
            for tier in (Price.Tier.PRIORITY, Price.Tier.FLEX):
                if tier in priced["modes"]:
                    entry["experimental"] = {"modes": {"fast": {
                        "cost": priced["modes"][tier], "provider": {"body": {"service_tier": str(tier)}}}}}  # fmt: skip
                    break
        limit = {}
        if offering.context_window or model.context_window:
            limit["context"] = offering.context_window or model.context_window
        if offering.max_output_tokens or model.max_output_tokens:
            limit["output"] = offering.max_output_tokens or model.max_output_tokens
        if limit:
            entry["limit"] = limit
        # An entry is one provider's listing: its status is the offering's. "deprecated" is models.dev's word for
        # any offering on its way out (it has no "retired").
        if offering.status != Offering.Status.ACTIVE:
            entry["status"] = "deprecated"
        if offering.pk in derived:
            entry[DERIVED_KEY] = True
        provider = offering.provider
        providers.setdefault(provider_id, {"id": provider_id, "name": provider.name, "doc": provider.website,
                                           "env": [], "npm": "", "models": {}})  # fmt: skip
        if model_id not in providers[provider_id]["models"]:
            providers[provider_id]["models"][model_id] = entry
            if placed is not None:
                placed[(provider_id, model_id)] = offering.pk
    return providers
