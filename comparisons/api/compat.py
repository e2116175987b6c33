"""Compatibility exports: the catalog in the shapes of LiteLLM's price map and models.dev's api.json, so a tool
that reads either can switch by changing one URL. Built from reviewed facts only: a price row appears when its
amount has provenance (a source and a review), a capability when its value does.

Both sources write prices as JSON numbers (LiteLLM per token, models.dev per 1M tokens). They are converted from
the stored Decimal at the last step; `float()` of a Decimal with at most 6 places per 1M (12 per token) prints
back as the same decimal, which is what those files hold. Keys are our ids ("<provider slug>/<provider model id>")
until the crosswalk maps them to each source's own ids.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType

from catalog.models import LanguageModel, License, Offering, Price, Provenance, Provider

PER_TOKEN = Decimal(1_000_000)

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


def _reviewed() -> tuple[list[Offering], dict[int, str], set[tuple[int, str]]]:
    """Offerings with their prices; reviewed price ids -> source url; reviewed (model id, field). 5 queries."""
    offerings = list(
        Offering.objects.select_related("model__license", "model__successor", "provider")
        .with_prices()
        .order_by("provider__slug", "model__slug")
    )
    types = ContentType.objects.get_for_models(Price, LanguageModel)
    price_sources = dict(
        Provenance.objects.filter(content_type=types[Price], field="usd_per_million").values_list(
            "object_id", "source__url"
        )
    )
    model_fields = set(Provenance.objects.filter(content_type=types[LanguageModel]).values_list("object_id", "field"))
    return offerings, price_sources, model_fields


def _model_key(offering: Offering) -> str:
    return offering.provider_model_id or offering.model.slug


def litellm_map() -> dict[str, dict[str, Any]]:
    """{"<provider>/<model id>": {litellm_provider, mode, max_input_tokens, ..._cost_per_token..., supports_*}}."""
    offerings, price_sources, model_fields = _reviewed()
    entries: dict[str, dict[str, Any]] = {}
    for offering in offerings:
        model = offering.model
        prices = {}
        source = None
        for row in offering.prices.all():
            key = litellm_price_key(row.dimension, row.tier, row.context_threshold)
            if key is None or row.pk not in price_sources:
                continue
            prices[key] = _number(row.usd_per_million / PER_TOKEN)
            if row.dimension == Price.Dimension.INPUT and row.tier == Price.Tier.STANDARD:
                source = price_sources[row.pk]
        if not prices:
            continue
        entry: dict[str, Any] = {"litellm_provider": offering.provider.slug, "mode": "chat"}
        context = offering.context_window or model.context_window
        output = offering.max_output_tokens or model.max_output_tokens
        if context:
            entry["max_input_tokens"] = context
        if output:
            entry["max_output_tokens"] = output
        entry.update(sorted(prices.items()))
        for name, key in LITELLM_CAPABILITIES.items():
            value = getattr(model, name)
            if value is not None and (model.pk, name) in model_fields:
                entry[key] = value
        if model.deprecation_date and (model.pk, "deprecation_date") in model_fields:
            entry["deprecation_date"] = model.deprecation_date.isoformat()
        if model.successor_id and (model.pk, "successor") in model_fields:
            entry["successor_model"] = model.successor.slug if model.successor else None
        if source:
            entry["source"] = source
        entries.setdefault(f"{offering.provider.slug}/{_model_key(offering)}", entry)
    return entries


def models_dev_api() -> dict[str, dict[str, Any]]:
    """{provider id: {id, name, doc, env, npm, models: {model id: {id, name, ..., cost, limit, modalities}}}}."""
    offerings, price_sources, model_fields = _reviewed()
    providers: dict[str, dict[str, Any]] = {}
    for provider in Provider.objects.order_by("slug"):
        providers[provider.slug] = {"id": provider.slug, "name": provider.name, "doc": provider.website, "env": [],
                                    "npm": "", "models": {}}  # fmt: skip
    for offering in offerings:
        model = offering.model

        def reviewed(name: str, model=model) -> bool:
            return (model.pk, name) in model_fields and getattr(model, name) is not None

        cost: dict[str, Any] = {}
        for row in offering.prices.all():
            if row.tier != Price.Tier.STANDARD or row.pk not in price_sources:
                continue
            key = MODELS_DEV_COST.get(row.dimension)
            if key is None:
                continue
            if row.context_threshold:
                if row.context_threshold % 1000:
                    continue
                cost.setdefault(f"context_over_{row.context_threshold // 1000}k", {})[key] = _number(
                    row.usd_per_million
                )
            else:
                cost[key] = _number(row.usd_per_million)
        entry: dict[str, Any] = {"id": _model_key(offering), "name": model.name}
        if model.family:
            entry["family"] = model.family
        for ours, theirs in (("vision", "attachment"), ("reasoning", "reasoning"), ("function_calling", "tool_call"),
                             ("structured_outputs", "structured_output")):  # fmt: skip
            if reviewed(ours):
                entry[theirs] = getattr(model, ours)
        if model.knowledge_cutoff and reviewed("knowledge_cutoff"):
            entry["knowledge"] = model.knowledge_cutoff_display
        if model.release_date and reviewed("release_date"):
            entry["release_date"] = model.release_date.isoformat()
        if model.license and reviewed("license"):
            entry["open_weights"] = model.license.kind != License.Kind.PROPRIETARY
        if reviewed("input_modalities") and reviewed("output_modalities"):
            entry["modalities"] = {"input": list(model.input_modalities), "output": list(model.output_modalities)}
        if cost:
            entry["cost"] = cost
        limit = {}
        if offering.context_window or model.context_window:
            limit["context"] = offering.context_window or model.context_window
        if offering.max_output_tokens or model.max_output_tokens:
            limit["output"] = offering.max_output_tokens or model.max_output_tokens
        if limit:
            entry["limit"] = limit
        if model.status == "deprecated" or offering.status == "deprecated":
            entry["status"] = "deprecated"
        providers[offering.provider.slug]["models"].setdefault(entry["id"], entry)
    return providers
