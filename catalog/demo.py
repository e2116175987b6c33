"""The demo catalog: parse `demo_catalog.toml` into planned rows, then upsert them with provenance.

Two steps, kept apart on purpose:
- `demo_catalog_plan(data=...)` is pure: it validates the parsed TOML and returns plain `PlannedRow`s
  (model class, natural key, field values, the source URL behind each field). No database access.
- `demo_catalog_write(plan=...)` upserts those rows by natural key in one transaction, runs `full_clean()`
  on each, bumps `version` only when a value really changed, and records a `Provenance` row per non-null
  fact field. Running it twice changes nothing.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from catalog.models import (
    CAPABILITY_FIELDS,
    Benchmark,
    BenchmarkResult,
    LanguageModel,
    License,
    Offering,
    Organization,
    Provenance,
    Provider,
    Source,
)

DEMO_CATALOG_PATH = Path(__file__).resolve().parent / "demo_catalog.toml"

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
OFFERING_FACT_FIELDS = (
    "provider_model_id",
    *Offering.PRICE_FIELDS,
    "long_context_threshold",
    "context_window",
)
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

    def summary(self) -> str:
        table = ", ".join(f"{count} {name}" for name, count in self.counts.items())
        return (
            f"Demo catalog: {table}. Rows created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}; provenance rows written {self.provenance_written}."
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
    allowed = (
        "slug",
        "source",
        "sources",
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
        planned[slug] = PlannedRow(model=LanguageModel, key={"slug": slug}, values=values, field_sources=field_sources)
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
    allowed = ("model", "provider", "source", "sources", *OFFERING_FACT_FIELDS)
    rows, seen = [], set()
    for entry in entries:
        where = f"offerings[{entry.get('model', '?')} on {entry.get('provider', '?')}]"
        _check_keys(entry, allowed, where)
        model, provider = _require(entry, "model", where), _require(entry, "provider", where)
        if model not in model_slugs:
            raise DemoCatalogError(f"{where}: unknown model")
        if provider not in providers:
            raise DemoCatalogError(f"{where}: unknown provider")
        if (model, provider) in seen:
            raise DemoCatalogError(f"{where}: duplicate offering")
        seen.add((model, provider))
        values: dict[str, Any] = {"provider_model_id": entry.get("provider_model_id", "")}
        for name in Offering.PRICE_FIELDS:
            values[name] = _price(entry[name], f"{where}.{name}") if name in entry else None
        for name in ("long_context_threshold", "context_window"):
            values[name] = entry.get(name)
        key = {"model": _ref(LanguageModel, slug=model), "provider": _ref(Provider, slug=provider)}
        field_sources = _field_sources(entry, values, OFFERING_FACT_FIELDS, url_by_key, where)
        rows.append(PlannedRow(model=Offering, key=key, values=values, field_sources=field_sources))
    return rows


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
        rows.append(PlannedRow(model=BenchmarkResult, key=key, values=values, field_sources=field_sources))
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
    return DemoPlan(rows=rows, retrieved_on=retrieved_on)


def demo_catalog_read(path: Path = DEMO_CATALOG_PATH) -> DemoPlan:
    with path.open("rb") as handle:
        return demo_catalog_plan(data=tomllib.load(handle))


def _resolve(value: Any, cache: dict[Ref, models.Model]) -> Any:
    if not isinstance(value, Ref):
        return value
    if value not in cache:
        cache[value] = value.model._default_manager.get(**dict(value.key))
    return cache[value]


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    if isinstance(value, models.Model) or value is None and obj._meta.get_field(name).is_relation:
        return getattr(obj, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(obj, name) != value


@transaction.atomic
def demo_catalog_write(*, plan: DemoPlan) -> WriteStats:
    """Upsert the planned rows by natural key and record provenance; a second run changes nothing."""
    stats = WriteStats()
    cache: dict[Ref, models.Model] = {}
    sources: dict[str, Source] = {}
    for row in plan.rows:
        key = {name: _resolve(value, cache) for name, value in row.key.items()}
        values = {name: _resolve(value, cache) for name, value in row.values.items()}
        obj = row.model._default_manager.filter(**key).first()
        if obj is None:
            obj = row.model(**key, **values)
            obj.full_clean()
            obj.save()
            stats.created += 1
        else:
            changed = [name for name, value in values.items() if _differs(obj, name, value)]
            if changed:
                for name in changed:
                    setattr(obj, name, values[name])
                if hasattr(obj, "version"):
                    obj.version += 1
                    changed.append("version")
                obj.full_clean()
                obj.save(update_fields=changed)
                stats.updated += 1
            else:
                stats.unchanged += 1
        cache[Ref(model=row.model, key=tuple(sorted(row.key.items())))] = obj
        if isinstance(obj, Source):
            sources[obj.url] = obj
        stats.provenance_written += _record_provenance(obj, row.field_sources, sources, plan.retrieved_on)
        label = row.model._meta.verbose_name_plural
        stats.counts[str(label)] = stats.counts.get(str(label), 0) + 1
    return stats


def _record_provenance(
    obj: models.Model,
    field_sources: dict[str, str],
    sources: dict[str, Source],
    retrieved_on: dict[str, datetime.date],
) -> int:
    if not field_sources:
        return 0
    content_type = ContentType.objects.get_for_model(obj)
    existing = {p.field: p for p in Provenance.objects.filter(content_type=content_type, object_id=obj.pk)}
    written = 0
    for name, url in field_sources.items():
        source = sources[url]
        reviewed_at = datetime.datetime.combine(retrieved_on[url], datetime.time(0), tzinfo=datetime.UTC)
        current = existing.get(name)
        if current is None:
            Provenance.objects.create(
                content_type=content_type, object_id=obj.pk, field=name, source=source, reviewed_at=reviewed_at
            )
            written += 1
        elif current.source_id != source.pk or current.reviewed_at != reviewed_at:
            current.source, current.reviewed_at = source, reviewed_at
            current.save(update_fields=["source", "reviewed_at"])
            written += 1
    return written


def load_demo_catalog(path: Path = DEMO_CATALOG_PATH) -> WriteStats:
    return demo_catalog_write(plan=demo_catalog_read(path))
