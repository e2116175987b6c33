"""models.dev: the repository tree (TOML) or its published api.json -> a SourceCatalog.

Tree layout: `providers/<provider>/provider.toml`, `providers/<provider>/models/**/<id>.toml` (the model id
is the path below `models/`, so it may contain "/"), and `models/<lab>/<id>.toml`: provider-independent
model files, the targets of `base_model`. A provider file with `base_model = "<lab>/<id>"` is the lab file
deep-merged under the provider file (minus benchmarks, license, links, weights; the provider's values win),
then the dot-paths in `base_model_omit` deleted: upstream's own generator rule.

Prices are USD per 1M tokens already; TOML floats are read as Decimal from their text.
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path
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
from catalog.importers.matching import REGION_DOT_PREFIX, VENDOR_LABS, listing_candidates

CATALOG = "models.dev"
INHERITED_EXCLUDED = ("benchmarks", "license", "links", "weights")
# [cost] keys -> price dimension; anything else in [cost] is counted as a price key the catalog does not hold.
COST_DIMENSIONS = {
    "input": "input",
    "output": "output",
    "cache_read": "cache_read",
    "cache_write": "cache_write_5m",
    "reasoning": "reasoning",
    "input_audio": "input_audio",
    "output_audio": "output_audio",
}
# Providers that write "vendor.model" ids (Bedrock's naming).
DOTTED_PROVIDERS = {"amazon-bedrock"}
# A provider that is a lab's own API for listings of one vendor prefix (Bedrock is Amazon's API for Nova).
OWN_VENDOR_LISTINGS = {("amazon-bedrock", "amazon")}


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _omit(data: dict[str, Any], dot_path: str) -> None:
    *parents, last = dot_path.split(".")
    node: Any = data
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return
    if isinstance(node, dict):
        node.pop(last, None)


def resolve_base_model(entry: dict[str, Any], labs: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], set[str]]:
    """The entry as upstream builds it, and the top-level keys that came from the lab file."""
    base_id = entry.get("base_model")
    if not base_id:
        return entry, set()
    if base_id not in labs:
        raise EntryError(f"base_model {base_id!r} names no models/ file")
    base = {k: v for k, v in labs[base_id].items() if k not in INHERITED_EXCLUDED}
    merged = _deep_merge(base, {k: v for k, v in entry.items() if k not in ("base_model", "base_model_omit")})
    for dot_path in entry.get("base_model_omit") or []:
        _omit(merged, str(dot_path))
    inherited = {k for k in base if k not in entry}
    return merged, inherited


def _skip_reason(data: dict[str, Any], model_id: str) -> str:
    outputs = (data.get("modalities") or {}).get("output")
    if "embed" in model_id.lower() or "embed" in str(data.get("name", "")).lower():
        return "embedding model"
    if isinstance(outputs, list) and outputs and "text" not in outputs:
        return f"no text output ({', '.join(sorted(str(o) for o in outputs))} generation)"
    return ""


def model_facts(data: dict[str, Any]) -> dict[str, Any]:
    """LanguageModel facts a models.dev entry states (absent keys stay absent)."""
    facts: dict[str, Any] = {}
    if data.get("name"):
        facts["name"] = str(data["name"])[:200]
    limit = data.get("limit") or {}
    context, output = (
        token_count(limit.get("context"), "limit.context"),
        token_count(limit.get("output"), "limit.output"),
    )
    if context:
        facts["context_window"] = context
    if output and not (context and output > context):
        facts["max_output_tokens"] = output
    released = parse_date(data.get("release_date"), "release_date")
    if released:
        facts["release_date"] = released[0]
    cutoff = parse_date(data.get("knowledge"), "knowledge")
    if cutoff and not (released and cutoff[0] > released[0]):
        facts["knowledge_cutoff"], facts["knowledge_cutoff_precision"] = cutoff
    mods = data.get("modalities") or {}
    inputs, outputs = modalities(mods.get("input")), modalities(mods.get("output"))
    if inputs:
        facts["input_modalities"] = inputs
        facts["vision"] = "image" in inputs
        facts["multimodal"] = len(inputs) > 1
    if outputs:
        facts["output_modalities"] = outputs
    for source_key, name in (("reasoning", "reasoning"), ("tool_call", "function_calling")):
        if isinstance(data.get(source_key), bool):
            facts[name] = data[source_key]
    if isinstance(data.get("structured_output"), bool):
        facts["structured_outputs"] = data["structured_output"]
    if isinstance(data.get("open_weights"), bool):
        facts["open_weights"] = data["open_weights"]
    if data.get("status") == "deprecated":
        facts["status"] = "deprecated"
    return facts


def _cost_rows(table: dict[str, Any], tier: str, threshold: int, catalog: SourceCatalog) -> dict[PriceKey, Decimal]:
    rows = {}
    for key, value in table.items():
        if key in ("tiers", "tier", "context_over_200k") or isinstance(value, dict | list):
            continue
        dimension = COST_DIMENSIONS.get(key)
        if dimension is None:
            catalog.unmapped_price_keys[f"cost.{key}"] += 1
            continue
        rows[(dimension, tier, threshold)] = price_from_text(value, per_token=False)
    return rows


def listing_prices(data: dict[str, Any], catalog: SourceCatalog) -> dict[PriceKey, Decimal]:
    cost = data.get("cost")
    if not isinstance(cost, dict) or "input" not in cost or "output" not in cost:
        raise EntryError("no token price")
    prices = _cost_rows(cost, "standard", 0, catalog)
    for item in cost.get("tiers") or []:
        tier = item.get("tier") or {}
        size = token_count(tier.get("size"), "cost.tiers.tier.size")
        if tier.get("type", "context") != "context" or not size:
            catalog.unmapped_price_keys["cost.tiers (not a context tier)"] += 1
            continue
        prices.update(_cost_rows(item, "standard", size, catalog))
    if isinstance(cost.get("context_over_200k"), dict):
        prices.update(_cost_rows(cost["context_over_200k"], "standard", 200_000, catalog))
    fast = ((data.get("experimental") or {}).get("modes") or {}).get("fast") or {}
    service_tier = ((fast.get("provider") or {}).get("body") or {}).get("service_tier")
    if isinstance(fast.get("cost"), dict):
        if service_tier in ("priority", "flex"):
            prices.update(_cost_rows(fast["cost"], service_tier, 0, catalog))
        else:
            catalog.unmapped_price_keys["experimental.modes.fast (no service tier)"] += 1
    return prices


def _add_listing(
    catalog: SourceCatalog,
    *,
    provider: str,
    model_id: str,
    data: dict[str, Any],
    inherited: set[str],
    path: str,
    base_path: str,
    labs: set[str],
) -> None:
    external_id = f"providers/{provider}/models/{model_id}"
    reason = _skip_reason(data, model_id)
    if reason:
        catalog.skip(reason)
        return
    try:
        prices = listing_prices(data, catalog)
        facts = model_facts(data)
    except EntryError as exc:
        if str(exc) == "no token price":
            catalog.skip("no token price")
        else:
            catalog.error(external_id, str(exc))
        return
    own_lab = provider if provider in labs else ""
    if not own_lab and provider in DOTTED_PROVIDERS:
        head = REGION_DOT_PREFIX.sub("", model_id.lower()).split(".")[0]
        if (provider, VENDOR_LABS.get(head, "")) in OWN_VENDOR_LISTINGS:
            own_lab = VENDOR_LABS[head]
    candidates = []
    if data.get("base_model"):
        candidates.append(str(data["base_model"]).lower())
    elif base := data.get("_base_model"):
        candidates.append(base)
    candidates += listing_candidates(
        model_id, routes={provider}, dotted_vendors=provider in DOTTED_PROVIDERS, own_lab=own_lab
    )
    listing_facts = {
        "provider_model_id": model_id[:200],
        "status": "deprecated" if data.get("status") == "deprecated" else "active",
    }
    field_paths = {}
    for name in ("context_window", "max_output_tokens"):
        if name in facts:
            listing_facts[name] = facts[name]
            if "limit" in inherited and base_path:
                field_paths[name] = base_path  # the lab file states it, the provider file inherits it
    catalog.listings.append(
        ListingRecord(
            external_id=external_id,
            provider=provider,
            provider_model_id=model_id,
            candidates=candidates,
            facts=listing_facts,
            prices=prices,
            path=path,
            preference=(0 if own_lab else 1, len(model_id), model_id),
            field_paths=field_paths,
            derived_key=data.get(DERIVED_KEY) is True,
        )
    )
    # The lab's own API describes the model itself when no models/ file does.
    if own_lab and not data.get("base_model") and "/" not in model_id:
        key = f"{own_lab}/{model_id.lower()}"
        if key not in catalog.models:
            catalog.models[key] = ModelRecord(
                key=key,
                external_id=external_id,
                lab=own_lab,
                name=facts.get("name", model_id),
                facts=facts,
                path=path,
            )


def _load_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle, parse_float=Decimal)


def read_tree(root: Path) -> SourceCatalog:
    """The repository tree at `root` (holding `providers/` and `models/`)."""
    if not (root / "providers").is_dir():
        raise ImportSourceError(f"{root}: no providers/ folder; is this the models.dev repository?")
    catalog = SourceCatalog(catalog=CATALOG)
    labs: dict[str, dict[str, Any]] = {}
    lab_paths: dict[str, str] = {}
    for path in sorted((root / "models").glob("*/**/*.toml")):
        rel = path.relative_to(root).as_posix()
        key = rel.removeprefix("models/").removesuffix(".toml")
        try:
            labs[key] = _load_toml(path)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            catalog.error(rel, f"not TOML: {exc}")
            continue
        lab_paths[key] = rel
        catalog.paths.add(rel)
    lab_keys = {key.split("/", 1)[0] for key in labs}
    for provider_dir in sorted(p for p in (root / "providers").iterdir() if p.is_dir()):
        provider = provider_dir.name
        provider_file = provider_dir / "provider.toml"
        rel = provider_file.relative_to(root).as_posix()
        try:
            info = _load_toml(provider_file) if provider_file.is_file() else {}
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            catalog.error(rel, f"not TOML: {exc}")
            info = {}
        if provider_file.is_file():
            catalog.paths.add(rel)
        catalog.providers[provider] = ProviderRecord(
            key=provider, name=str(info.get("name") or provider), website=str(info.get("doc") or ""), path=rel
        )
        if provider in lab_keys:
            catalog.lab_names[provider] = str(info.get("name") or provider)
            catalog.first_party.add(provider)
        for path in sorted((provider_dir / "models").glob("**/*.toml")):
            rel_model = path.relative_to(root).as_posix()
            model_id = path.relative_to(provider_dir / "models").as_posix().removesuffix(".toml")
            try:
                raw = _load_toml(path)
                data, inherited = resolve_base_model(raw, labs)
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                catalog.error(rel_model, f"not TOML: {exc}")
                continue
            except EntryError as exc:
                catalog.error(rel_model, str(exc))
                continue
            catalog.paths.add(rel_model)
            base_path = lab_paths.get(str(raw.get("base_model", "")), "")
            if raw.get("base_model"):
                data = {**data, "base_model": raw["base_model"]}
            _add_listing(
                catalog,
                provider=provider,
                model_id=model_id,
                data=data,
                inherited=inherited,
                path=rel_model,
                base_path=base_path,
                labs=lab_keys,
            )
    for key, data in labs.items():
        reason = _skip_reason(data, key)
        if reason:
            catalog.skip(f"lab model: {reason}")
            continue
        try:
            facts = model_facts(data)
        except EntryError as exc:
            catalog.error(lab_paths[key], str(exc))
            continue
        lab, _slash, model_id = key.partition("/")
        catalog.models[key.lower()] = ModelRecord(
            key=key.lower(),
            external_id=f"models/{key}",
            lab=lab,
            name=facts.get("name", model_id),
            facts=facts,
            path=lab_paths[key],
        )
    return catalog


def read_api_json(content: bytes, *, path: str = "api.json") -> SourceCatalog:
    """models.dev's published api.json: {provider id: {name, doc, models: {model id: resolved entry}}}."""
    try:
        data = json.loads(content, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImportSourceError(f"{path}: not JSON ({exc}).") from exc
    if not isinstance(data, dict):
        raise ImportSourceError(f"{path}: expected an object of providers.")
    catalog = SourceCatalog(catalog=CATALOG)
    catalog.paths.add(path)
    labs = set(VENDOR_LABS.values())
    for provider, info in sorted(data.items()):
        if not isinstance(info, dict) or not isinstance(info.get("models"), dict):
            catalog.error(str(provider), "provider entry without a models object")
            continue
        catalog.providers[provider] = ProviderRecord(
            key=provider, name=str(info.get("name") or provider), website=str(info.get("doc") or ""), path=path
        )
        if provider in labs:
            catalog.lab_names[provider] = str(info.get("name") or provider)
            catalog.first_party.add(provider)
        for model_id, entry in sorted(info["models"].items()):
            if not isinstance(entry, dict):
                catalog.error(f"{provider}/{model_id}", "model entry is not an object")
                continue
            _add_listing(
                catalog,
                provider=provider,
                model_id=str(model_id),
                data=entry,
                inherited=set(),
                path=path,
                base_path="",
                labs=labs,
            )
    return catalog


def read(location: str) -> SourceCatalog:
    """A folder (the repository tree) or an api.json file / URL."""
    if Path(location).is_dir():
        return read_tree(Path(location))
    content, cited = read_bytes(location)
    return read_api_json(content, path=cited)
