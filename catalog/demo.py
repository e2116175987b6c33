"""The demo catalog: parse `demo_catalog.toml` into planned rows, then write them through the review workflow.

Two steps, kept apart on purpose:
- `demo_catalog_plan(data=...)` is pure: it validates the parsed TOML and returns plain `PlannedRow`s
  (model class, natural key, field values, the source URL behind each field). No database access.
- `demo_catalog_write(plan=...)` diffs those rows against the live catalog by natural key and turns what
  differs into a change set authored by `catalog-bot` and approved by `catalog-reviewer-bot`;
  `changeset_apply` writes the rows, bumps their `version` and records each fact's source and review time.
  Running it twice changes nothing and creates no change set.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import models, transaction

from catalog.models import (
    CAPABILITY_FIELDS,
    Benchmark,
    BenchmarkResult,
    ChangeItem,
    LanguageModel,
    License,
    Offering,
    Organization,
    Price,
    Provenance,
    Provider,
    Source,
)
from catalog.review.services import (
    ChangeSetConflict,
    NewRef,
    ProposedChange,
    changeset_create_applied,
    editable_fields,
    live_json,
    system_user,
    value_to_json,
)

DEMO_CATALOG_PATH = Path(__file__).resolve().parent / "demo_catalog.toml"
DEMO_AUTHOR = "catalog-bot"
DEMO_REVIEWER = "catalog-reviewer-bot"

MODEL_FACT_FIELDS = (
    "name",
    "organization",
    "family",
    "description",
    "release_date",
    "context_window",
    "max_output_tokens",
    "parameter_count",
    "active_parameter_count",
    "architecture",
    "license",
    "knowledge_cutoff",
    "input_modalities",
    "output_modalities",
    *CAPABILITY_FIELDS,
    "status",
    "deprecation_date",
    "successor",
)
OFFERING_FACT_FIELDS = ("provider_model_id", "status", "context_window", "max_output_tokens")
# Shorthand price keys of an offering entry -> (dimension, tier, applies above the long-context threshold).
PRICE_KEYS = {
    "input_price": (Price.Dimension.INPUT, Price.Tier.STANDARD, False),
    "output_price": (Price.Dimension.OUTPUT, Price.Tier.STANDARD, False),
    "cached_input_price": (Price.Dimension.CACHE_READ, Price.Tier.STANDARD, False),
    "batch_input_price": (Price.Dimension.INPUT, Price.Tier.BATCH, False),
    "batch_output_price": (Price.Dimension.OUTPUT, Price.Tier.BATCH, False),
    "long_context_input_price": (Price.Dimension.INPUT, Price.Tier.STANDARD, True),
    "long_context_output_price": (Price.Dimension.OUTPUT, Price.Tier.STANDARD, True),
}
PRICE_FACT_FIELDS = ("usd_per_million",)
RESULT_FACT_FIELDS = ("score", "measured_on", "self_reported")

_CUTOFF_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class DemoCatalogError(ValueError):
    """The demo catalog file is inconsistent; the message names the entry and the field."""


@dataclass(frozen=True)
class Ref:
    """A foreign key to another planned (or existing) row, by natural key."""

    model: type[models.Model]
    key: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class PlannedRow:
    model: type[models.Model]
    key: dict[str, Any]
    values: dict[str, Any]
    # field name -> source URL, for every fact field that needs provenance
    field_sources: dict[str, str] = field(default_factory=dict)
    # the source URL the row cites for everything `field_sources` does not name (its key, its name...)
    source: str = ""


@dataclass(frozen=True)
class DemoPlan:
    rows: list[PlannedRow]
    retrieved_on: dict[str, datetime.date]  # source URL -> the day it was read


@dataclass
class WriteStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    provenance_written: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    changesets: list[int] = field(default_factory=list)

    def summary(self) -> str:
        table = ", ".join(f"{count} {name}" for name, count in self.counts.items())
        applied = ", ".join(f"#{pk}" for pk in self.changesets) or "none (nothing changed)"
        return (
            f"Demo catalog: {table}. Rows created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}; provenance rows written {self.provenance_written}; "
            f"change sets applied: {applied}."
        )


def _ref(model: type[models.Model], **key: Any) -> Ref:
    return Ref(model=model, key=tuple(sorted(key.items())))


def _check_keys(entry: dict[str, Any], allowed: Iterable[str], where: str) -> None:
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise DemoCatalogError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _require(entry: dict[str, Any], name: str, where: str) -> Any:
    if name not in entry or entry[name] in ("", None):
        raise DemoCatalogError(f"{where}: {name} is required")
    return entry[name]


def _price(value: Any, where: str) -> Decimal:
    # Strings only: a TOML float would pass through binary floating point before becoming money.
    if not isinstance(value, str):
        raise DemoCatalogError(f'{where}: write prices and scores as strings, e.g. "0.10"')
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise DemoCatalogError(f"{where}: {value!r} is not a decimal number") from exc


def _date(value: Any, where: str) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    raise DemoCatalogError(f"{where}: expected a TOML date (YYYY-MM-DD), got {value!r}")


def _knowledge_cutoff(value: Any, where: str) -> tuple[datetime.date, str]:
    if isinstance(value, str):
        match = _CUTOFF_MONTH.match(value)
        if not match:
            raise DemoCatalogError(f"{where}: knowledge_cutoff {value!r} is not YYYY-MM")
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise DemoCatalogError(f"{where}: knowledge_cutoff {value!r} has no such month")
        return datetime.date(year, month, 1), LanguageModel.Precision.MONTH
    return _date(value, where), LanguageModel.Precision.DAY


def _plan_sources(entries: list[dict[str, Any]]) -> tuple[list[PlannedRow], dict[str, str], dict[str, Any]]:
    rows, url_by_key, retrieved_on = [], {}, {}
    for entry in entries:
        where = f"sources[{entry.get('key', '?')}]"
        _check_keys(entry, ("key", "url", "title", "publisher", "retrieved_on"), where)
        key = _require(entry, "key", where)
        url = _require(entry, "url", where)
        if key in url_by_key:
            raise DemoCatalogError(f"{where}: duplicate source key")
        if url in retrieved_on:
            raise DemoCatalogError(f"{where}: duplicate source url {url}")
        day = _date(_require(entry, "retrieved_on", where), where)
        url_by_key[key] = url
        retrieved_on[url] = day
        values = {
            "title": _require(entry, "title", where),
            "publisher": entry.get("publisher", ""),
            "retrieved_on": day,
        }
        rows.append(PlannedRow(model=Source, key={"url": url}, values=values))
    return rows, url_by_key, retrieved_on


def _plan_simple(
    entries: list[dict[str, Any]], model: type[models.Model], section: str, allowed: tuple[str, ...]
) -> tuple[list[PlannedRow], set[str]]:
    rows, slugs = [], set()
    for entry in entries:
        where = f"{section}[{entry.get('slug', '?')}]"
        _check_keys(entry, ("slug", *allowed), where)
        slug = _require(entry, "slug", where)
        if slug in slugs:
            raise DemoCatalogError(f"{where}: duplicate slug")
        slugs.add(slug)
        values = {name: entry.get(name, "") for name in allowed}
        for name in ("name",):
            _require(entry, name, where)
        if "kind" in allowed:
            choices = {choice for choice, _ in model.Kind.choices}  # type: ignore[attr-defined]
            if entry.get("kind") not in choices:
                raise DemoCatalogError(f"{where}: kind must be one of {', '.join(sorted(choices))}")
        if "higher_is_better" in allowed:
            values["higher_is_better"] = entry.get("higher_is_better", True)
            values["unit"] = entry.get("unit", "%")
        rows.append(PlannedRow(model=model, key={"slug": slug}, values=values))
    return rows, slugs


def _source_for(key: str, url_by_key: dict[str, str], where: str) -> str:
    if key not in url_by_key:
        raise DemoCatalogError(f"{where}: unknown source {key!r}")
    return url_by_key[key]


def _field_sources(
    entry: dict[str, Any], values: dict[str, Any], fact_fields: tuple[str, ...], url_by_key: dict[str, str], where: str
) -> dict[str, str]:
    default = _source_for(_require(entry, "source", where), url_by_key, where)
    overrides = entry.get("sources", {})
    if not isinstance(overrides, dict):
        raise DemoCatalogError(f"{where}: sources must be a table of field = source key")
    for name in overrides:
        if name not in fact_fields:
            raise DemoCatalogError(f"{where}: sources.{name} is not a fact field")
        if values.get(name) in (None, ""):
            raise DemoCatalogError(f"{where}: sources.{name} names a source for a field that is not set")
    return {
        name: _source_for(overrides[name], url_by_key, where) if name in overrides else default
        for name in fact_fields
        if values.get(name) not in (None, "")
    }


def _plan_models(
    entries: list[dict[str, Any]], url_by_key: dict[str, str], orgs: set[str], licenses: set[str]
) -> tuple[list[PlannedRow], set[str]]:
    allowed = ("slug", "source", "sources", *MODEL_FACT_FIELDS)
    planned: dict[str, PlannedRow] = {}
    successors: dict[str, str] = {}
    for entry in entries:
        slug = entry.get("slug", "?")
        where = f"models[{slug}]"
        _check_keys(entry, allowed, where)
        _require(entry, "slug", where)
        if slug in planned:
            raise DemoCatalogError(f"{where}: duplicate slug")
        values: dict[str, Any] = {"name": _require(entry, "name", where)}
        org = _require(entry, "organization", where)
        if org not in orgs:
            raise DemoCatalogError(f"{where}: unknown organization {org!r}")
        values["organization"] = _ref(Organization, slug=org)
        for name in ("family", "description", "architecture"):
            values[name] = entry.get(name, "")
        for name in ("release_date", "deprecation_date"):
            values[name] = _date(entry[name], f"{where}.{name}") if name in entry else None
        for name in ("context_window", "max_output_tokens", "parameter_count", "active_parameter_count"):
            value = entry.get(name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise DemoCatalogError(f"{where}: {name} must be an integer")
            values[name] = value
        if "license" in entry:
            if entry["license"] not in licenses:
                raise DemoCatalogError(f"{where}: unknown license {entry['license']!r}")
            values["license"] = _ref(License, slug=entry["license"])
        else:
            values["license"] = None
        if "knowledge_cutoff" in entry:
            cutoff, precision = _knowledge_cutoff(entry["knowledge_cutoff"], f"{where}.knowledge_cutoff")
            values["knowledge_cutoff"], values["knowledge_cutoff_precision"] = cutoff, precision
        else:
            values["knowledge_cutoff"] = None
            values["knowledge_cutoff_precision"] = LanguageModel.Precision.MONTH
        for name in ("input_modalities", "output_modalities"):
            values[name] = entry.get(name)
        for name in CAPABILITY_FIELDS:
            value = entry.get(name)
            if value is not None and not isinstance(value, bool):
                raise DemoCatalogError(f"{where}: {name} must be true or false (or left out)")
            values[name] = value
        status = entry.get("status", LanguageModel.Status.ACTIVE)
        if status not in LanguageModel.Status.values:
            raise DemoCatalogError(f"{where}: status must be one of {', '.join(LanguageModel.Status.values)}")
        values["status"] = status
        values["successor"] = None
        if "successor" in entry:
            successors[slug] = entry["successor"]
            values["successor"] = _ref(LanguageModel, slug=entry["successor"])
        field_sources = _field_sources(entry, values, MODEL_FACT_FIELDS, url_by_key, where)
        if status == LanguageModel.Status.ACTIVE and "status" not in entry:
            field_sources.pop("status")  # the default, not a sourced claim
        planned[slug] = PlannedRow(
            model=LanguageModel,
            key={"slug": slug},
            values=values,
            field_sources=field_sources,
            source=_source_for(entry["source"], url_by_key, where),
        )
    for slug, successor in successors.items():
        if successor not in planned:
            raise DemoCatalogError(f"models[{slug}]: unknown successor {successor!r}")
    return _successors_first(planned, successors), set(planned)


def _successors_first(planned: dict[str, PlannedRow], successors: dict[str, str]) -> list[PlannedRow]:
    """Order models so that each successor is written before the models it succeeds."""
    ordered: list[PlannedRow] = []
    state: dict[str, str] = {}

    def visit(slug: str) -> None:
        if state.get(slug) == "done":
            return
        if state.get(slug) == "visiting":
            raise DemoCatalogError(f"models[{slug}]: successor chain loops back to itself")
        state[slug] = "visiting"
        if slug in successors:
            visit(successors[slug])
        state[slug] = "done"
        ordered.append(planned[slug])

    for slug in planned:
        visit(slug)
    return ordered


def _plan_offerings(
    entries: list[dict[str, Any]], url_by_key: dict[str, str], model_slugs: set[str], providers: set[str]
) -> list[PlannedRow]:
    """Offering rows, each followed by its price rows (keyed by offering, dimension, tier, threshold)."""
    allowed = ("model", "provider", "source", "sources", "long_context_threshold", "prices", *OFFERING_FACT_FIELDS)
    rows, seen = [], set()
    for entry in entries:
        where = f"offerings[{entry.get('model', '?')} on {entry.get('provider', '?')}]"
        _check_keys(entry, (*allowed, *PRICE_KEYS), where)
        model, provider = _require(entry, "model", where), _require(entry, "provider", where)
        if model not in model_slugs:
            raise DemoCatalogError(f"{where}: unknown model")
        if provider not in providers:
            raise DemoCatalogError(f"{where}: unknown provider")
        if (model, provider) in seen:
            raise DemoCatalogError(f"{where}: duplicate offering")
        seen.add((model, provider))
        values: dict[str, Any] = {"provider_model_id": entry.get("provider_model_id", "")}
        status = entry.get("status", Offering.Status.ACTIVE)
        if status not in Offering.Status.values:
            raise DemoCatalogError(f"{where}: status must be one of {', '.join(Offering.Status.values)}")
        values["status"] = status
        for name in ("context_window", "max_output_tokens"):
            values[name] = entry.get(name)
        key = {"model": _ref(LanguageModel, slug=model), "provider": _ref(Provider, slug=provider)}
        overrides = entry.get("sources", {})
        if not isinstance(overrides, dict):
            raise DemoCatalogError(f"{where}: sources must be a table of field = source key")
        # `sources.input_price = "key"`: a price row backed by another page than the offering's own.
        price_sources = {name: overrides[name] for name in overrides if name in PRICE_KEYS}
        for name in price_sources:
            if name not in entry:
                raise DemoCatalogError(f"{where}: sources.{name} names a source for a field that is not set")
        own = {**entry, "sources": {k: v for k, v in overrides.items() if k not in PRICE_KEYS}}
        field_sources = _field_sources(own, values, OFFERING_FACT_FIELDS, url_by_key, where)
        if "status" not in entry:
            field_sources.pop("status")  # the default, not a sourced claim
        source = _source_for(entry["source"], url_by_key, where)
        offering = PlannedRow(model=Offering, key=key, values=values, field_sources=field_sources, source=source)
        rows.append(offering)
        price_urls = {name: _source_for(key, url_by_key, where) for name, key in price_sources.items()}
        rows.extend(_plan_prices(entry, _row_ref(offering), source, price_urls, where))
    return rows


def _plan_prices(
    entry: dict[str, Any], offering: Ref, source: str, price_urls: dict[str, str], where: str
) -> list[PlannedRow]:
    threshold = entry.get("long_context_threshold")
    if threshold is not None and (not isinstance(threshold, int) or isinstance(threshold, bool) or threshold <= 0):
        raise DemoCatalogError(f"{where}: long_context_threshold must be a positive integer")
    planned: dict[tuple[str, str, int], Decimal] = {}
    backed_by: dict[tuple[str, str, int], str] = {}
    for name, (dimension, tier, long_context) in PRICE_KEYS.items():
        if name not in entry:
            continue
        if long_context and threshold is None:
            raise DemoCatalogError(f"{where}: {name} needs long_context_threshold")
        key = (dimension, tier, threshold if long_context else 0)
        planned[key] = _price(entry[name], f"{where}.{name}")
        backed_by[key] = price_urls.get(name, source)
    if threshold is not None and not any(k[2] for k in planned):
        raise DemoCatalogError(f"{where}: long_context_threshold without a long-context price")
    extra = entry.get("prices", [])
    if not isinstance(extra, list):
        raise DemoCatalogError(f"{where}: prices must be a list of tables")
    for index, row in enumerate(extra):
        at = f"{where}.prices[{index}]"
        if not isinstance(row, dict):
            raise DemoCatalogError(f"{at}: expected a table")
        _check_keys(row, ("dimension", "tier", "above", "usd"), at)
        dimension, tier = _require(row, "dimension", at), row.get("tier", Price.Tier.STANDARD)
        above = row.get("above", 0)
        if dimension not in Price.Dimension.values:
            raise DemoCatalogError(f"{at}: dimension must be one of {', '.join(Price.Dimension.values)}")
        if tier not in Price.Tier.values:
            raise DemoCatalogError(f"{at}: tier must be one of {', '.join(Price.Tier.values)}")
        if not isinstance(above, int) or isinstance(above, bool) or above < 0:
            raise DemoCatalogError(f"{at}: above must be a whole number of tokens")
        if (dimension, tier, above) in planned:
            raise DemoCatalogError(f"{at}: duplicate price for {dimension}, {tier}, above {above}")
        planned[(dimension, tier, above)] = _price(_require(row, "usd", at), f"{at}.usd")
    return [
        PlannedRow(
            model=Price,
            key={"offering": offering, "dimension": dimension, "tier": tier, "context_threshold": above},
            values={"usd_per_million": amount},
            field_sources=dict.fromkeys(PRICE_FACT_FIELDS, backed_by.get((dimension, tier, above), source)),
            source=source,
        )
        for (dimension, tier, above), amount in planned.items()
    ]


def _plan_results(
    entries: list[dict[str, Any]], url_by_key: dict[str, str], model_slugs: set[str], benchmarks: set[str]
) -> list[PlannedRow]:
    allowed = ("model", "benchmark", "variant", "score", "source", "self_reported", "measured_on")
    rows, seen = [], set()
    for entry in entries:
        where = f"results[{entry.get('model', '?')} on {entry.get('benchmark', '?')} {entry.get('variant', '')!r}]"
        _check_keys(entry, allowed, where)
        model, benchmark = _require(entry, "model", where), _require(entry, "benchmark", where)
        variant = entry.get("variant", "")
        if model not in model_slugs:
            raise DemoCatalogError(f"{where}: unknown model")
        if benchmark not in benchmarks:
            raise DemoCatalogError(f"{where}: unknown benchmark")
        if (model, benchmark, variant) in seen:
            raise DemoCatalogError(f"{where}: duplicate result")
        seen.add((model, benchmark, variant))
        source_url = _source_for(_require(entry, "source", where), url_by_key, where)
        values = {
            "score": _price(_require(entry, "score", where), f"{where}.score"),
            "measured_on": _date(entry["measured_on"], where) if "measured_on" in entry else None,
            "self_reported": entry.get("self_reported", True),
            "source": _ref(Source, url=source_url),
        }
        key = {
            "model": _ref(LanguageModel, slug=model),
            "benchmark": _ref(Benchmark, slug=benchmark),
            "variant": variant,
        }
        field_sources = {name: source_url for name in RESULT_FACT_FIELDS if values[name] is not None}
        rows.append(
            PlannedRow(model=BenchmarkResult, key=key, values=values, field_sources=field_sources, source=source_url)
        )
    return rows


def demo_catalog_plan(*, data: dict[str, Any]) -> DemoPlan:
    """Validate the parsed TOML and turn it into rows to upsert, in dependency order. Pure."""
    _check_keys(
        data,
        ("sources", "organizations", "licenses", "providers", "benchmarks", "models", "offerings", "results"),
        "demo catalog",
    )
    source_rows, url_by_key, retrieved_on = _plan_sources(data.get("sources", []))
    org_rows, orgs = _plan_simple(
        data.get("organizations", []), Organization, "organizations", ("name", "display_name", "website")
    )
    license_rows, licenses = _plan_simple(data.get("licenses", []), License, "licenses", ("name", "kind", "url"))
    provider_rows, providers = _plan_simple(
        data.get("providers", []), Provider, "providers", ("name", "kind", "website")
    )
    benchmark_rows, benchmarks = _plan_simple(
        data.get("benchmarks", []),
        Benchmark,
        "benchmarks",
        ("name", "url", "description", "unit", "higher_is_better"),
    )
    model_rows, model_slugs = _plan_models(data.get("models", []), url_by_key, orgs, licenses)
    offering_rows = _plan_offerings(data.get("offerings", []), url_by_key, model_slugs, providers)
    result_rows = _plan_results(data.get("results", []), url_by_key, model_slugs, benchmarks)
    rows = [
        *source_rows,
        *org_rows,
        *license_rows,
        *provider_rows,
        *benchmark_rows,
        *model_rows,
        *offering_rows,
        *result_rows,
    ]
    return DemoPlan(rows=_cite_reference_rows(rows), retrieved_on=retrieved_on)


_REFERENCE_SECTIONS = {
    Organization: "organizations",
    License: "licenses",
    Provider: "providers",
    Benchmark: "benchmarks",
}


def _cite_reference_rows(rows: list[PlannedRow]) -> list[PlannedRow]:
    """Organizations, licenses, providers and benchmarks cite the source of the first fact row naming them.

    A model card names its maker and license, a pricing page its provider, a leaderboard its benchmark:
    that is the page a reviewer would check, and every change item needs a source.
    """
    cited: dict[Ref, str] = {}
    for row in rows:
        for value in (*row.key.values(), *row.values.values()):
            if row.source and isinstance(value, Ref) and value.model in _REFERENCE_SECTIONS:
                cited.setdefault(value, row.source)
    result = []
    for row in rows:
        if row.model in _REFERENCE_SECTIONS:
            ref = _row_ref(row)
            if ref not in cited:
                section = _REFERENCE_SECTIONS[row.model]
                raise DemoCatalogError(
                    f"{section}[{row.key['slug']}]: no model, offering or result refers to it, so no source backs it"
                )
            row = replace(row, source=cited[ref])
        result.append(row)
    return result


def demo_catalog_read(path: Path = DEMO_CATALOG_PATH) -> DemoPlan:
    with path.open("rb") as handle:
        return demo_catalog_plan(data=tomllib.load(handle))


def _live_key(model: type[models.Model], obj: models.Model, names: Iterable[str]) -> tuple[type[models.Model], tuple]:
    return model, tuple(sorted((name, getattr(obj, model._meta.get_field(name).attname)) for name in names))


class _LiveRows:
    """The live rows the plan names, indexed by natural key: one query per table, re-read for every pass."""

    def __init__(self, plan: DemoPlan) -> None:
        key_names: dict[type[models.Model], tuple[str, ...]] = {}
        for row in plan.rows:
            key_names.setdefault(row.model, tuple(row.key))
        self.rows: dict[tuple[type[models.Model], tuple], models.Model] = {}
        for model, names in key_names.items():
            for obj in model._default_manager.all():
                self.rows[_live_key(model, obj, names)] = obj

    def get(self, model: type[models.Model], key: dict[str, Any]) -> models.Model | None:
        resolved = []
        for name, value in sorted(key.items()):
            if isinstance(value, NewRef):
                return None
            resolved.append((name, value.pk if isinstance(value, models.Model) else value))
        return self.rows.get((model, tuple(resolved)))


def _row_ref(row: PlannedRow) -> Ref:
    return Ref(model=row.model, key=tuple(sorted(row.key.items())))


def _new_key(index: int) -> str:
    return f"demo-{index}"


def _field_source(row: PlannedRow, name: str) -> str:
    if name == "knowledge_cutoff_precision":
        name = "knowledge_cutoff"  # the precision is part of the cutoff fact
    return row.field_sources.get(name, row.source)


@dataclass
class _Load:
    changes: list[ProposedChange] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    facts: int = 0


def _plan_changes(plan: DemoPlan, live: _LiveRows, sources: dict[str, Source]) -> _Load:
    """The changes that bring the live catalog to the plan: one item per changed row.

    Each item cites the row's own source and names, in `field_sources`, the facts another source backs.
    """
    index_of = {_row_ref(row): index for index, row in enumerate(plan.rows)}

    def resolve(value: Any) -> Any:
        if not isinstance(value, Ref):
            return value
        if value.model is Source:
            return sources[dict(value.key)["url"]]
        target = live.get(value.model, {name: resolve(part) for name, part in value.key})
        return target if target is not None else NewRef(_new_key(index_of[value]))

    result = _Load()
    for index, row in enumerate(plan.rows):
        if row.model is Source:
            continue
        key = {name: resolve(value) for name, value in row.key.items()}
        wanted = {**key, **{name: resolve(value) for name, value in row.values.items()}}
        obj = live.get(row.model, key)
        fields = {f.name: f for f in editable_fields(row.model)}
        if obj is None:
            changed = wanted
        else:
            changed = {
                name: value
                for name, value in wanted.items()
                if value_to_json(fields[name], value) != live_json(obj, fields[name])
            }
        if not changed:
            continue
        field_sources = {
            name: sources[_field_source(row, name)] for name in changed if _field_source(row, name) != row.source
        }
        if obj is None:
            change = ProposedChange(
                ChangeItem.Action.CREATE,
                row.model,
                values=changed,
                source=sources[row.source],
                key=_new_key(index),
                field_sources=field_sources,
            )
            result.created += 1
        else:
            change = ProposedChange(
                ChangeItem.Action.UPDATE,
                row.model,
                values=changed,
                target=obj,
                source=sources[row.source],
                field_sources=field_sources,
            )
            result.updated += 1
        result.changes.append(change)
        result.facts += sum(1 for value in changed.values() if value not in (None, "", []))
    return result


def _write_sources(plan: DemoPlan, stats: WriteStats) -> dict[str, Source]:
    """Sources are citations, not catalog facts: they are upserted directly, as the admin's "new source" does."""
    planned = [row for row in plan.rows if row.model is Source]
    existing = Source.objects.in_bulk([row.key["url"] for row in planned], field_name="url")
    sources: dict[str, Source] = {}
    for row in planned:
        url = row.key["url"]
        obj = existing.get(url)
        if obj is None:
            obj = Source(url=url, **row.values)
            obj.full_clean()
            obj.save()
            stats.created += 1
        else:
            changed = [name for name, value in row.values.items() if getattr(obj, name) != value]
            if changed:
                for name in changed:
                    setattr(obj, name, row.values[name])
                obj.full_clean()
                obj.save(update_fields=changed)
                stats.updated += 1
            else:
                stats.unchanged += 1
        sources[url] = obj
    return sources


def demo_accounts() -> tuple[Any, Any]:
    """The loader's author and reviewer: two system accounts, so four-eyes holds for the load too.

    Neither can sign in (no usable password, not staff). The author is also inactive; the reviewer stays
    active because Django grants no permission, `review_changeset` included, to an inactive account.
    """
    author = system_user(DEMO_AUTHOR)
    if author.is_active:
        author.is_active = False
        author.save(update_fields=["is_active"])
    return author, system_user(DEMO_REVIEWER, reviewer=True)


def _summary(load: _Load) -> str:
    parts = []
    if load.created:
        parts.append(f"{load.created} rows added")
    if load.updated:
        parts.append(f"{load.updated} rows updated")
    return f"Demo catalog load: {', '.join(parts)}."


@transaction.atomic
def demo_catalog_write(*, plan: DemoPlan) -> WriteStats:
    """Bring the live catalog to the plan through the review workflow; a second run changes nothing.

    The changes become one change set by `catalog-bot`, approved and applied by `catalog-reviewer-bot`, so
    `changeset_apply` records each fact's source and review time and the load appears in the changelog.
    Only fields that differ from the live rows become change items; with nothing to change no change set
    is created. All or nothing: an invalid row raises DemoCatalogError and rolls back the whole load.
    """
    stats = WriteStats()
    sources = _write_sources(plan, stats)
    author, reviewer = demo_accounts()
    load = _plan_changes(plan, _LiveRows(plan), sources)
    if load.changes:
        try:
            changeset = changeset_create_applied(
                author=author,
                reviewer=reviewer,
                changes=load.changes,
                summary=_summary(load),
                # demo_catalog.toml is curated by hand: a person checked each fact against the source it
                # cites, so its facts read "reviewed", unlike an import's (catalog.importers).
                approval=Provenance.Approval.PERSON,
            )
        except ChangeSetConflict as conflict:
            raise DemoCatalogError(f"The demo catalog does not apply: {conflict}") from conflict
        stats.changesets.append(changeset.pk)
        stats.provenance_written += load.facts
    catalog_rows = sum(1 for row in plan.rows if row.model is not Source)
    stats.created += load.created
    stats.updated += load.updated
    stats.unchanged += catalog_rows - load.created - load.updated
    for row in plan.rows:
        label = str(row.model._meta.verbose_name_plural)
        stats.counts[label] = stats.counts.get(label, 0) + 1
    return stats


def load_demo_catalog(path: Path = DEMO_CATALOG_PATH) -> WriteStats:
    return demo_catalog_write(plan=demo_catalog_read(path))
