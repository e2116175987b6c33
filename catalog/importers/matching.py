"""The written normalisation of listing ids (see the rules in `catalog.importers`). Pure functions.

`listing_candidates(...)` turns one listing id into the canonical keys ("<lab>/<model id>") it may be,
most specific first; the planner takes the first one that names a canonical model. "*/<id>" means "the one
canonical model whose id is exactly <id>, if there is exactly one".
"""

from __future__ import annotations

import re

# Vendor prefixes as the catalogs write them ("openai/gpt-4o", "meta-llama/...", "anthropic.claude-...")
# -> the lab key (models.dev's `models/<lab>/` folder name). Lowercase; nothing else is a vendor.
VENDOR_LABS = {
    "alibaba": "alibaba",
    "qwen": "alibaba",
    "amazon": "amazon",
    "anthropic": "anthropic",
    "cohere": "cohere",
    "deepseek": "deepseek",
    "deepseek-ai": "deepseek",
    "google": "google",
    "meta": "meta",
    "meta-llama": "meta",
    "minimax": "minimax",
    "minimaxai": "minimax",
    "mistral": "mistral",
    "mistralai": "mistral",
    "moonshotai": "moonshotai",
    "nvidia": "nvidia",
    "openai": "openai",
    "perplexity": "perplexity",
    "stepfun": "stepfun",
    "tencent": "tencent",
    "x-ai": "xai",
    "xai": "xai",
    "xiaomi": "xiaomi",
    "xiaomimimo": "xiaomi",
    "z-ai": "zhipuai",
    "zai": "zhipuai",
    "zai-org": "zhipuai",
    "zhipuai": "zhipuai",
}

# Region and routing segments of a listing id that name where a model runs, not which model it is.
REGION_SEGMENT = re.compile(r"^(us|eu|apac|global|jp|au|ca|us-gov|[a-z]{2}(-gov)?-[a-z]+-\d+)$")
# Bedrock cross-region inference profiles: "us.anthropic.claude-...", "global.amazon.nova-...".
REGION_DOT_PREFIX = re.compile(r"^(us|eu|apac|global|jp|au|ca|us-gov)\.")
# Bedrock's model version suffix ("-v1:0", ":0"): part of Bedrock's id format, not another model.
BEDROCK_VERSION = re.compile(r"(-v\d+(:\d+)?|:\d+)$")
# Vertex AI writes a snapshot as "claude-opus-4-1@20250805" (Anthropic: "claude-opus-4-1-20250805").
VERTEX_SNAPSHOT = re.compile(r"@(\d{8})$")
ROUTE_SEGMENTS = {"accounts", "fireworks", "models", "@cf", "invoke", "converse"}


def _strip_route(segments: list[str], routes: set[str]) -> list[str]:
    rest = list(segments)
    while len(rest) > 1 and (rest[0] in routes or rest[0] in ROUTE_SEGMENTS or REGION_SEGMENT.match(rest[0])):
        rest.pop(0)
    return rest


def listing_candidates(listing_id: str, *, routes: set[str], dotted_vendors: bool, own_lab: str = "") -> list[str]:
    """Canonical keys a listing id may stand for, by the written rules only.

    `routes`: the provider's own prefixes ("azure", "bedrock", ...); `dotted_vendors`: the provider writes
    "vendor.model" (Bedrock, OCI); `own_lab`: the lab whose own API this provider is ("" for others).
    """
    text = listing_id.strip().lower()
    segments = _strip_route([s for s in text.split("/") if s], routes)
    if not segments:
        return []
    vendor = ""
    if len(segments) >= 2 and segments[0] in VENDOR_LABS:
        vendor = VENDOR_LABS[segments[0]]
        segments = segments[1:]
    model = "/".join(segments)
    if dotted_vendors:
        model = REGION_DOT_PREFIX.sub("", model)
        head, dot, rest = model.partition(".")
        if dot and head in VENDOR_LABS and rest:
            vendor, model = VENDOR_LABS[head], rest
        model = BEDROCK_VERSION.sub("", model)
    if match := VERTEX_SNAPSHOT.search(model):
        model = model[: match.start()] + "-" + match[1]
    model = model.removesuffix("@default").removesuffix("-maas")
    if not model:
        return []
    if vendor:
        return [f"{vendor}/{model}"]
    if own_lab:
        return [f"{own_lab}/{model}"]
    return [f"*/{model}"]


def provider_id_key(model_id: str, *, dotted_vendors: bool, own_lab: str = "") -> str:
    """The written normalisation of one provider model id, for comparing two ids at the same provider.

    A listing's id and an offering's recorded provider model id are the same id when they are equal, or
    when this key of both (route and region segments, Bedrock's version suffix, Vertex's "@" spelling
    dropped as in `listing_candidates`) is equal; "" when nothing is left.
    """
    candidates = listing_candidates(model_id, routes=set(), dotted_vendors=dotted_vendors, own_lab=own_lab)
    return candidates[0] if candidates else ""
