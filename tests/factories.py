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
    Provider,
    Source,
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


def create_offering(**kwargs: Any) -> Offering:
    if "model" not in kwargs:
        kwargs["model"] = create_model()
    if "provider" not in kwargs:
        kwargs["provider"] = create_provider()
    defaults = {"input_price": Decimal("1.00"), "output_price": Decimal("2.00")}
    return Offering.objects.create(**{**defaults, **kwargs})


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
