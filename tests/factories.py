"""Small `create_*` factories for tests: sensible defaults, override anything by keyword."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from catalog.models import (
    Benchmark,
    BenchmarkResult,
    LanguageModel,
    License,
    Offering,
    Organization,
    Price,
    Provider,
    Source,
    refresh_price_summaries,
    refresh_provider_counts,
)

_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def create_source(**kwargs: Any) -> Source:
    n = _n()
    defaults = {
        "url": f"https://example.com/source-{n}",
        "title": f"Source {n}",
        "publisher": "Example",
        "retrieved_on": datetime.date(2026, 11, 1),
    }
    return Source.objects.create(**{**defaults, **kwargs})


def create_organization(**kwargs: Any) -> Organization:
    n = _n()
    defaults = {"name": f"Org {n}", "slug": f"org-{n}", "display_name": f"Org {n} Labs"}
    return Organization.objects.create(**{**defaults, **kwargs})


def create_license(**kwargs: Any) -> License:
    n = _n()
    defaults = {"name": f"License {n}", "slug": f"license-{n}", "kind": License.Kind.PROPRIETARY}
    return License.objects.create(**{**defaults, **kwargs})


def create_model(**kwargs: Any) -> LanguageModel:
    n = _n()
    if "organization" not in kwargs:
        kwargs["organization"] = create_organization()
    defaults = {"name": f"Model {n}", "slug": f"model-{n}"}
    return LanguageModel.objects.create(**{**defaults, **kwargs})


def create_provider(**kwargs: Any) -> Provider:
    n = _n()
    defaults = {"name": f"Provider {n}", "slug": f"provider-{n}", "kind": Provider.Kind.INFERENCE}
    return Provider.objects.create(**{**defaults, **kwargs})


# The price keyword arguments of `create_offering`: (dimension, tier, applies above the long-context threshold).
PRICE_KWARGS = {
    "input_price": ("input", "standard", False),
    "output_price": ("output", "standard", False),
    "cached_input_price": ("cache_read", "standard", False),
    "batch_input_price": ("input", "batch", False),
    "batch_output_price": ("output", "batch", False),
    "long_context_input_price": ("input", "standard", True),
    "long_context_output_price": ("output", "standard", True),
}


def create_offering(**kwargs: Any) -> Offering:
    """An offering with price rows: `input_price=...` style keywords (None: no row) and/or
    `prices=[(dimension, tier, threshold, amount), ...]`. Defaults: $1.00 input, $2.00 output."""
    if "model" not in kwargs:
        kwargs["model"] = create_model()
    if "provider" not in kwargs:
        kwargs["provider"] = create_provider()
    amounts = {"input_price": Decimal("1.00"), "output_price": Decimal("2.00")}
    amounts |= {name: kwargs.pop(name) for name in list(kwargs) if name in PRICE_KWARGS}
    threshold = kwargs.pop("long_context_threshold", None)
    rows = list(kwargs.pop("prices", []))
    offering = Offering.objects.create(**kwargs)
    for name, amount in amounts.items():
        dimension, tier, long_context = PRICE_KWARGS[name]
        if amount is not None:
            rows.append((dimension, tier, threshold if long_context else 0, amount))
    for dimension, tier, level, amount in rows:
        Price.objects.create(
            offering=offering, dimension=dimension, tier=tier, context_threshold=level, usd_per_million=Decimal(amount)
        )
    refresh_price_summaries({offering.model_id})
    refresh_provider_counts()
    return offering


def offering_price(offering: Offering, name: str) -> Price:
    """The price row behind a legacy keyword such as "input_price"."""
    dimension, tier, long_context = PRICE_KWARGS[name]
    rows = Price.objects.filter(offering=offering, dimension=dimension, tier=tier)
    return rows.exclude(context_threshold=0).get() if long_context else rows.get(context_threshold=0)


def create_benchmark(**kwargs: Any) -> Benchmark:
    n = _n()
    defaults = {"name": f"Bench {n}", "slug": f"bench-{n}"}
    return Benchmark.objects.create(**{**defaults, **kwargs})


def create_benchmark_result(**kwargs: Any) -> BenchmarkResult:
    if "model" not in kwargs:
        kwargs["model"] = create_model()
    if "benchmark" not in kwargs:
        kwargs["benchmark"] = create_benchmark()
    if "source" not in kwargs:
        kwargs["source"] = create_source()
    defaults = {"score": Decimal("50.0")}
    return BenchmarkResult.objects.create(**{**defaults, **kwargs})
