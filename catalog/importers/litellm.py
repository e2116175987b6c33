"""LiteLLM: `model_prices_and_context_window.json` -> a SourceCatalog.

One JSON object, key = the model name as used in LiteLLM calls ("azure/gpt-4o", "bedrock/us-east-1/..."),
value = a flat object. Prices are USD per single token: the JSON is parsed with `parse_float=Decimal`, so
`1.5e-07` becomes Decimal("1.5E-7") and, times 1,000,000, exactly 0.15 (see common.price_from_text).

Price keys: `<base>[_above_<N>k_tokens][_<tier>]`, base one of the names in PRICE_BASES, tier `batches`,
`flex` or `priority` (`balanced`, `ultrafast`, `decisions` and the 12-hour cache write have no place in the
price model and are counted as unmapped keys).
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from typing import Any

from catalog.importers.common import (
    DERIVED_KEY,
    EntryError,
    ImportSourceError,
    ListingRecord,
    ModelRecord,
    PriceKey,
    ProviderRecord,
    SourceCatalog,
    modalities,
    parse_date,
    price_from_text,
    read_bytes,
    token_count,
)
from catalog.importers.matching import REGION_DOT_PREFIX, REGION_SEGMENT, listing_candidates

CATALOG = "litellm"
CHAT_MODES = {"chat", "responses", "completion"}
PRICE_BASES = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cache_read",
    "cache_creation_input_token_cost": "cache_write_5m",
    "cache_creation_input_token_cost_above_1hr": "cache_write_1h",
    "output_cost_per_reasoning_token": "reasoning",
    "input_cost_per_audio_token": "input_audio",
    "output_cost_per_audio_token": "output_audio",
    "input_cost_per_image_token": "input_image",
}
TIERS = {"batches": "batch", "flex": "flex", "priority": "priority"}
PRICE_KEY = re.compile(
    r"^(?P<base>[a-z_]+?(?:_above_1hr)?)(?:_above_(?P<k>\d+)k_tokens)?"
    r"(?:_(?P<tier>batches|flex|priority|balanced|ultrafast|decisions))?$"
)
# litellm_provider values that are a lab's own API -> the lab key.
FIRST_PARTY = {
    "anthropic": "anthropic",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "dashscope": "alibaba",
    "deepseek": "deepseek",
    "gemini": "google",
    "mistral": "mistral",
    "moonshot": "moonshotai",
    "openai": "openai",
    "text-completion-openai": "openai",
    "xai": "xai",
    "zai": "zhipuai",
}
PROVISIONED = re.compile(r"(^|/)\d+-month-commitment(/|$)")
NOT_A_KEY = re.compile(r"[*^$\[\](){}|\\+?]")


def routes(provider: str) -> set[str]:
    """The leading key segments that name this provider's route (dropped from the provider model id)."""
    routes = {provider, provider.split("-")[0], provider.split("_")[0]}
    if provider.startswith("bedrock"):
        routes.add("bedrock")
    if provider.startswith("vertex_ai"):
        routes.add("vertex_ai")
    return routes


def provider_model_id(key: str, provider: str) -> str:
    """The provider's model id in a key: the key without its leading route segment ("azure/gpt-4o" -> "gpt-4o")."""
    segments = [s for s in key.split("/") if s]
    return "/".join(segments[1:]) if len(segments) > 1 and segments[0] in routes(provider) else key


def _price_rows(entry: dict[str, Any], catalog: SourceCatalog) -> dict[PriceKey, Decimal]:
    prices: dict[PriceKey, Decimal] = {}
    for key, value in entry.items():
        if "cost" not in key:
            continue
        match = PRICE_KEY.match(key)
        dimension = PRICE_BASES.get(match["base"]) if match else None
        tier = TIERS.get(match["tier"]) if match and match["tier"] else "standard"
        if dimension is None or tier is None or isinstance(value, dict | list):
            catalog.unmapped_price_keys[key] += 1
            continue
        threshold = int(match["k"]) * 1000 if match["k"] else 0
        prices[(dimension, tier, threshold)] = price_from_text(value, per_token=True)
    for band in entry.get("tiered_pricing") or []:
        span = band.get("range") if isinstance(band, dict) else None
        if not (isinstance(span, list) and span):
            raise EntryError("tiered_pricing band without a range")
        start = token_count(span[0], "tiered_pricing.range") if span[0] else 0
        for name, dimension in (
            ("input_cost_per_token", "input"),
            ("output_cost_per_token", "output"),
            ("cache_read_input_token_cost", "cache_read"),
        ):
            if name in band and start:
                prices.setdefault((dimension, "standard", start), price_from_text(band[name], per_token=True))
    return prices


def _status(deprecation: datetime.date | None, today: datetime.date) -> str:
    if deprecation is None:
        return "active"
    return "retired" if deprecation <= today else "deprecated"


def _entry(catalog: SourceCatalog, key: str, entry: dict[str, Any], path: str, today: datetime.date) -> None:
    provider = str(entry["litellm_provider"])
    if not provider.strip():
        raise EntryError("empty litellm_provider")
    prices = _price_rows(entry, catalog)
    if ("input", "standard", 0) not in prices or ("output", "standard", 0) not in prices:
        per_second = any("per_second" in name for name in entry) or PROVISIONED.search(key)
        catalog.skip("per-second or provisioned-throughput pricing" if per_second else "no token price")
        return
    if PROVISIONED.search(key):
        catalog.skip("per-second or provisioned-throughput pricing")
        return
    context = token_count(entry.get("max_input_tokens"), "max_input_tokens")
    output = token_count(entry.get("max_output_tokens"), "max_output_tokens")
    if context and output and output > context:
        output = None
    deprecation = parse_date(entry.get("deprecation_date"), "deprecation_date")
    deprecation_day = deprecation[0] if deprecation else None
    segments = [s for s in key.split("/") if s]
    model_id = provider_model_id(key, provider)
    own_lab = FIRST_PARTY.get(provider, "")
    # The status comes from the deprecation date; an entry without one says nothing about it (it may be a
    # retired offering another source knows the date of), so a live status stands.
    listing_facts: dict[str, Any] = {"provider_model_id": model_id[:200]}
    if deprecation_day:
        listing_facts["status"] = _status(deprecation_day, today)
    if context:
        listing_facts["context_window"] = context
    if output:
        listing_facts["max_output_tokens"] = output
    regional = any(REGION_SEGMENT.match(s) for s in segments[:-1]) or bool(REGION_DOT_PREFIX.match(segments[-1]))
    catalog.listings.append(
        ListingRecord(
            external_id=key,
            provider=provider,
            provider_model_id=model_id,
            candidates=listing_candidates(
                key,
                routes=routes(provider),
                dotted_vendors=provider.startswith("bedrock") or provider == "oci",
                own_lab=own_lab,
            ),
            facts=listing_facts,
            prices=prices,
            path=path,
            preference=(0 if own_lab else 1, 1 if regional else 0, len(key), key),
            derived_key=entry.get(DERIVED_KEY) is True,
        )
    )
    catalog.providers.setdefault(provider, ProviderRecord(key=provider, name=provider, path=path))
    if own_lab and "/" not in model_id:
        facts: dict[str, Any] = {"name": model_id[:200]}
        if context:
            facts["context_window"] = context
        if output:
            facts["max_output_tokens"] = output
        for source_key, name in (
            ("supports_vision", "vision"),
            ("supports_reasoning", "reasoning"),
            ("supports_function_calling", "function_calling"),
            ("supports_response_schema", "structured_outputs"),
        ):
            if isinstance(entry.get(source_key), bool):
                facts[name] = entry[source_key]
        inputs = modalities(entry.get("supported_modalities"))
        outputs = modalities(entry.get("supported_output_modalities"))
        if inputs:
            facts["input_modalities"] = inputs
            facts["multimodal"] = len(inputs) > 1
        if outputs:
            facts["output_modalities"] = outputs
        if deprecation_day:
            facts["deprecation_date"] = deprecation_day
            facts["status"] = "deprecated"
        model_key = f"{own_lab}/{model_id.lower()}"
        catalog.models.setdefault(
            model_key,
            ModelRecord(
                key=model_key,
                external_id=key,
                lab=own_lab,
                name=facts["name"],
                facts=facts,
                path=path,
                successor=str(entry.get("successor_model") or ""),
                create_only=frozenset({"name"}),
            ),
        )


def read_json(content: bytes, *, path: str, today: datetime.date | None = None) -> SourceCatalog:
    try:
        data = json.loads(content, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImportSourceError(f"{path}: not JSON ({exc}).") from exc
    if not isinstance(data, dict):
        raise ImportSourceError(f"{path}: expected one object of model entries.")
    today = today or datetime.date.today()
    catalog = SourceCatalog(catalog=CATALOG, first_party=set(FIRST_PARTY))
    catalog.paths.add(path)
    for key, entry in data.items():
        if not isinstance(entry, dict) or key == "sample_spec" or (key == "fallback_generalizations"):
            catalog.skip("not a model entry")
            continue
        if "alias_of" in entry:
            catalog.skip("alias")
            continue
        if NOT_A_KEY.search(key):
            catalog.skip("wildcard or regex key")
            continue
        mode = entry.get("mode")
        if "litellm_provider" not in entry or mode is None:
            catalog.skip("no mode or provider (not a model listing)")
            continue
        if mode not in CHAT_MODES:
            catalog.skip(f"mode {mode}")
            continue
        try:
            _entry(catalog, key, entry, path, today)
        except EntryError as exc:
            catalog.error(key, str(exc))
    return catalog


def read(location: str, *, today: datetime.date | None = None) -> SourceCatalog:
    content, cited = read_bytes(location)
    return read_json(content, path=cited, today=today)
