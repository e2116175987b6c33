"""The live catalog in the project's own export format ("llmref-catalog", version 1), with its evidence.

Every row is keyed naturally (slugs; a source by its url; an offering by model and provider; a price by its
offering and (dimension, tier, context threshold); a benchmark result by model, benchmark and variant; a crosswalk
entry by catalog and external id), never by database ids, so another database can read it back
(`import_catalog llmref`, catalog/importers/llmref.py). Each row's `evidence` maps a field to the source url behind
it and when it was reviewed in this database. Decimals are strings, dates ISO 8601, unknown values null.

`records()` streams one record at a time in dependency order (sources first, prices after their offering), reading
the tables in chunks with one provenance query per chunk, so memory stays bounded for any catalog size:
`--ndjson` writes those records one per line; the JSON document groups them by kind.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import io
import json
import lzma
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from django.db import models
from django.utils import timezone

from catalog.models import (
    Benchmark,
    BenchmarkResult,
    CatalogRevision,
    ExternalId,
    LanguageModel,
    License,
    Offering,
    Organization,
    Price,
    Provenance,
    Provider,
    Source,
)
from catalog.review.services import editable_fields, value_to_json

FORMAT = "llmref-catalog"
VERSION = 1
CHUNK = 500

# kind -> (model, queryset ordering, the fields that make its natural key)
KINDS: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "organizations": (Organization, ("slug",)),
    "licenses": (License, ("slug",)),
    "providers": (Provider, ("slug",)),
    "benchmarks": (Benchmark, ("slug",)),
    "models": (LanguageModel, ("slug",)),
    "offerings": (Offering, ("model__slug", "provider__slug")),
    "prices": (Price, ("offering__model__slug", "offering__provider__slug", "context_threshold", "tier", "dimension")),
    "benchmark_results": (BenchmarkResult, ("model__slug", "benchmark__slug", "variant")),
    "external_ids": (ExternalId, ("source", "external_id")),
}
RELATED = {
    LanguageModel: ("organization", "license", "successor"),
    Offering: ("model", "provider"),
    Price: ("offering__model", "offering__provider"),
    BenchmarkResult: ("model", "benchmark", "source"),
    ExternalId: ("model", "offering__model", "offering__provider"),
}


def _natural(obj: models.Model | None) -> Any:
    """How a row refers to another: slug, url, or [model slug, provider slug] for an offering."""
    if obj is None:
        return None
    if isinstance(obj, Source):
        return obj.url
    if isinstance(obj, Offering):
        return [obj.model.slug, obj.provider.slug]
    return obj.slug


def _row(obj: models.Model, evidence: dict[str, dict[str, str]]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in editable_fields(type(obj)):
        if field.is_relation:
            row[field.name] = _natural(getattr(obj, field.name))
        else:
            row[field.name] = value_to_json(field, field.value_from_object(obj))
    if evidence is not None:
        row["evidence"] = evidence
    return row


def _chunks(queryset: models.QuerySet) -> Iterator[list[models.Model]]:
    chunk: list[models.Model] = []
    for obj in queryset.iterator(chunk_size=CHUNK):
        chunk.append(obj)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _evidence(chunk: list[models.Model]) -> dict[int, dict[str, dict[str, str]]]:
    found: dict[int, dict[str, dict[str, str]]] = {}
    for p in Provenance.objects.for_objects(chunk):
        found.setdefault(p.object_id, {})[p.field] = {
            "source": p.source.url,
            "reviewed_at": timezone.localtime(p.reviewed_at).isoformat(),
        }
    return {pk: dict(sorted(fields.items())) for pk, fields in found.items()}


def records() -> Iterator[dict[str, Any]]:
    """{"record": kind, **row} for every live row: a bounded number of queries per chunk of rows."""
    for source in Source.objects.order_by("url").iterator(chunk_size=CHUNK):
        yield {
            "record": "sources",
            "url": source.url,
            "title": source.title,
            "publisher": source.publisher,
            "retrieved_on": source.retrieved_on.isoformat(),
        }
    for kind, (model, ordering) in KINDS.items():
        queryset = model._default_manager.order_by(*ordering)
        if model in RELATED:
            queryset = queryset.select_related(*RELATED[model])
        for chunk in _chunks(queryset):
            evidence = _evidence(chunk)
            for obj in chunk:
                row = _row(obj, evidence.get(obj.pk, {}))
                if kind == "benchmark_results":
                    row.pop("evidence")  # a result names its source itself
                yield {"record": kind, **row}


def header() -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "catalog_revision": CatalogRevision.current(),
        "exported_at": timezone.now().replace(microsecond=0).isoformat(),
    }


def write_ndjson(out) -> int:
    """The header line, then one record per line. Returns the number of records."""
    out.write(json.dumps({"record": "header", **header()}, sort_keys=True) + "\n")
    count = 0
    for record in records():
        out.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
        count += 1
    return count


def document(items: Iterable[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The whole catalog as one JSON document: the header's keys, then a list per kind."""
    doc: dict[str, Any] = {**header(), "sources": [], **{kind: [] for kind in KINDS}}
    for record in items if items is not None else records():
        kind = record.pop("record")
        doc[kind].append(record)
    return doc


def write_json(out, *, compact: bool = False) -> int:
    """The JSON document (`compact`: no indentation or spaces, as the committed snapshot is written)."""
    doc = document()
    layout = {"separators": (",", ":")} if compact else {"indent": 1}
    json.dump(doc, out, sort_keys=False, ensure_ascii=False, **layout)
    out.write("\n")
    return sum(len(doc[kind]) for kind in ("sources", *KINDS))


@contextlib.contextmanager
def open_output(path: str | Path) -> Iterator[TextIO]:
    """A text file to write, compressed by its suffix: ".gz" (gzip, no timestamp: same bytes for the same
    text) or ".xz"; anything else plain."""
    path = Path(path)
    if path.suffix == ".gz":
        with (
            open(path, "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as packed,
            io.TextIOWrapper(packed, encoding="utf-8") as out,
        ):
            yield out
    elif path.suffix == ".xz":
        with lzma.open(path, "wt", encoding="utf-8", preset=9 | lzma.PRESET_EXTREME) as out:
            yield out
    else:
        with open(path, "w", encoding="utf-8") as out:
            yield out


def same_catalog(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two exports hold the same catalog (the header's revision and time aside)."""
    drop = {"catalog_revision", "exported_at"}
    return {k: v for k, v in a.items() if k not in drop} == {k: v for k, v in b.items() if k not in drop}


def parse_date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None
