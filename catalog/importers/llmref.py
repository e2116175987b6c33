"""Our own export (`llmref-catalog` v1, catalog/export.py) read back through review.

`read(location)` takes what `export_catalog` writes: the JSON document or the NDJSON stream (`--ndjson`),
plain, gzip- or xz-compressed (recognised by content, not by file name), from a path or a URL.
`import_export(...)` compares it with the live catalog like the other importers do (plan._Planner's update,
validity and disagreement rules) and proposes the differences as one submitted change set (plan._propose).

Matching is by our own natural keys, so nothing is guessed:
- a source by its url (missing ones are created directly, as the other importers do: citations, not
  catalog facts; a live source with the same url is kept as it is);
- organizations, licenses, providers and benchmarks by slug;
- a model by slug, when the live model with that slug belongs to the same organization; else by the
  recorded-id rule (rule 1a in `catalog.importers`: its exported offerings' provider model ids or its
  crosswalk ids name exactly one live model, which keeps its slug and name; of several exported models
  of one live model, rule 6); else a live model of another organization holding the slug is another
  model, and the imported one is created as "<organization>-<slug>";
- an offering by (model, provider); a price by (offering, dimension, tier, context threshold); a benchmark
  result by (model, benchmark, variant); an external id by (catalog, id).

What is proposed:
- a row the live catalog lacks: created with the export's values, each field citing the source its
  evidence names (the item cites the source most of its fields name; a field the export gives no evidence
  for is recorded without provenance, as it was where it was exported; a result cites its own source);
- a live row: each field the export backs with evidence whose value differs from the live one. A fact the
  export leaves unknown (null, empty) never clears a live fact, nothing is deleted, and a live crosswalk
  entry stands (an editor's mapping wins);
- where the live value is backed by another source than the export's evidence, a `SourceDisagreement`
  beside the item (prices: beyond IMPORT_PRICE_TOLERANCE), as for models.dev and LiteLLM.
An entry that cannot be read is counted with its key and reason; the rows that depend on it are skipped.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import io
import json
import lzma
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction

from catalog.importers.common import ImportSourceError, SourceCatalog, read_bytes
from catalog.importers.plan import (
    ImportSummary,
    KindCounts,
    _Live,
    _Planned,
    _Planner,
    _propose,
    price_tolerance,
)
from catalog.models import (
    Benchmark,
    BenchmarkResult,
    ExternalId,
    LanguageModel,
    License,
    Offering,
    Organization,
    Price,
    Provenance,
    Provider,
    Source,
    price_row_errors,
)
from catalog.review.services import NewRef, ProposedChange, editable_fields

CATALOG = "llmref"
FORMAT = "llmref-catalog"
VERSION = 1
KINDS = (
    "organizations",
    "licenses",
    "providers",
    "benchmarks",
    "models",
    "offerings",
    "prices",
    "benchmark_results",
    "external_ids",
)
MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024
_SIMPLE = {"organizations": Organization, "licenses": License, "providers": Provider, "benchmarks": Benchmark}


@dataclass
class ExportDocument:
    """An export as read: its header, its rows per kind (as written), and the digest of the file's bytes."""

    header: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]]
    digest: str
    location: str = ""

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def _decompress(content: bytes, location: str) -> bytes:
    try:
        if content[:2] == b"\x1f\x8b":
            with gzip.GzipFile(fileobj=io.BytesIO(content)) as handle:
                content = handle.read(MAX_DECOMPRESSED_BYTES + 1)
        elif content[:6] == b"\xfd7zXZ\x00":
            content = lzma.LZMADecompressor().decompress(content, max_length=MAX_DECOMPRESSED_BYTES + 1)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise ImportSourceError(f"{location}: cannot decompress it ({exc}).") from exc
    if len(content) > MAX_DECOMPRESSED_BYTES:
        raise ImportSourceError(f"{location} is larger than {MAX_DECOMPRESSED_BYTES:,} bytes uncompressed.")
    return content


def digest_of(content: bytes) -> str:
    """The file's identity, as the change set of its import records it ("sha256:...")."""
    return "sha256:" + hashlib.sha256(content).hexdigest()


def parse(content: bytes, *, location: str = "") -> ExportDocument:
    """An export from its bytes (JSON document or NDJSON, maybe compressed). Raises ImportSourceError."""
    digest = digest_of(content)
    text = _decompress(content, location).decode("utf-8", errors="replace")
    first, _newline, _rest = text.lstrip().partition("\n")
    try:
        head = json.loads(first, parse_float=Decimal)
    except ValueError:
        head = None
    try:
        if isinstance(head, dict) and head.get("record") == "header":
            doc: dict[str, Any] = {kind: [] for kind in ("sources", *KINDS)}
            for number, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                record = json.loads(line, parse_float=Decimal)
                kind = record.pop("record", None) if isinstance(record, dict) else None
                if kind == "header":
                    doc.update(record)
                elif kind in doc and isinstance(doc[kind], list):
                    doc[kind].append(record)
                else:
                    raise ImportSourceError(f"{location}: line {number} is not a record of the export.")
        else:
            doc = json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise ImportSourceError(f"{location}: not JSON ({exc}).") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise ImportSourceError(f"{location}: not an {FORMAT} export (format {found!r}).")
    if doc.get("version") != VERSION:
        raise ImportSourceError(f"{location}: {FORMAT} version {doc.get('version')!r}; this reads version {VERSION}.")
    rows = {}
    for kind in ("sources", *KINDS):
        value = doc.get(kind, [])
        if not isinstance(value, list):
            raise ImportSourceError(f"{location}: {kind} is not a list.")
        rows[kind] = [row for row in value if isinstance(row, dict)]
    header = {k: v for k, v in doc.items() if k not in rows}
    return ExportDocument(header=header, rows=rows, digest=digest, location=location)


def read(location: str) -> ExportDocument:
    """An export from a path or an http(s)/file URL (64 MB at most as stored, 512 MB uncompressed)."""
    content, cited = read_bytes(location)
    return parse(content, location=cited)


class _RowError(ValueError):
    """One row cannot be imported; the planner counts it and goes on."""


def _where(kind: str, row: dict[str, Any]) -> str:
    if kind in ("offerings",):
        return f"{kind}[{row.get('model')} on {row.get('provider')}]"
    if kind == "prices":
        key = "/".join(str(row.get(k)) for k in ("offering", "dimension", "tier", "context_threshold"))
        return f"prices[{key}]"
    if kind == "benchmark_results":
        return f"benchmark_results[{row.get('model')} on {row.get('benchmark')} {row.get('variant', '')!r}]"
    if kind == "external_ids":
        return f"external_ids[{row.get('source')}: {row.get('external_id')}]"
    return f"{kind}[{row.get('slug', '?')}]"


class _ExportLive(_Live):
    """The live rows (plan._Live) plus benchmarks, results, the whole crosswalk and every table's provenance."""

    def __init__(self) -> None:
        super().__init__(CATALOG)
        self.benchmarks = {b.slug: b for b in Benchmark.objects.all()}
        self.results = {(r.model_id, r.benchmark_id, r.variant): r for r in BenchmarkResult.objects.all()}
        self.crosswalk = {(e.source, e.external_id): e for e in ExternalId.objects.all()}
        others = (Organization, License, Provider, Benchmark, BenchmarkResult, ExternalId)
        self.types |= {m: ContentType.objects.get_for_model(m) for m in others}
        by_type = {ct.pk: m for m, ct in self.types.items() if m in others}
        for ct_id, object_id, name, source_id in Provenance.objects.filter(
            content_type_id__in=list(by_type)
        ).values_list("content_type_id", "object_id", "field", "source_id"):
            self.provenance[(by_type[ct_id], object_id, name)] = source_id


COUNTED = (
    "sources",
    "organizations",
    "licenses",
    "providers",
    "benchmarks",
    "models",
    "offerings",
    "prices",
    "benchmark results",
    "external ids",
)


def _plan_kind(kind: str) -> str:
    """The plan's kind (plan.KINDS) a row is proposed as: the plan orders proposals by it (reference rows,
    models, offerings, then rows nothing refers to), so a benchmark goes with the licenses, a result with
    the prices."""
    return {"benchmarks": "licenses", "benchmark_results": "prices", "external_ids": "external ids"}.get(kind, kind)


def _empty(value: Any) -> bool:
    """Unknown in the export: never a claim that clears a live fact."""
    return value is None or value == "" or value == []


class _ExportPlanner(_Planner):
    """Rows of an export -> planned changes, reusing the plan's update, validity and disagreement rules."""

    def __init__(self, doc: ExportDocument, sources: dict[str, Source], summary: ImportSummary, live: _ExportLive):
        super().__init__(SourceCatalog(catalog=CATALOG), sources, summary, price_tolerance(), live)
        self.doc = doc
        self.live: _ExportLive = live
        models_ = (Organization, License, Provider, Benchmark, LanguageModel, Offering, Price, BenchmarkResult)
        self.fields = {m: {f.name: f for f in editable_fields(m)} for m in (*models_, ExternalId)}
        # export natural key -> the live row or the NewRef of the row this import creates
        self.targets: dict[str, dict[Any, Any]] = {kind: {} for kind in KINDS}
        self.live_by_slug = {
            Organization: dict(live.orgs),
            License: dict(live.licenses),
            Provider: dict(live.providers),
            Benchmark: dict(live.benchmarks),
            LanguageModel: {m.slug: m for m in live.models.values()},
        }
        self.names = {m: {o.name.lower(): o.pk for o in self.live_by_slug[m].values()} for m in _SIMPLE.values()}
        self.export_slugs = {row.get("slug") for row in doc.rows["models"]}
        self.planned_values: dict[Any, dict[str, Any]] = {}  # NewRef key -> values, for the price checks
        # export model slug -> (the live model its recorded ids name, "recorded id" or "merged"); see
        # _match_by_recorded_ids. Offerings (model slug, provider slug) folded into another row's offering.
        self.by_recorded_id: dict[str, tuple[LanguageModel, str]] = {}
        self.merged_offerings: set[tuple[Any, Any]] = set()
        self._offering_of: dict[tuple[int, int], Any] = {}  # (live model pk, id(provider)) -> its offering

    # -- reading one row -------------------------------------------------------------------------------

    def _error(self, kind: str, row: dict[str, Any], reason: str) -> None:
        self.summary.skipped[f"unparseable {kind}: {reason.split(':')[0]}"] += 1
        self.summary.errors.append((_where(kind, row), reason))

    def _resolve(self, f: models.Field, raw: Any) -> Any:
        related = f.related_model
        if raw is None:
            return None
        if related is Source:
            if raw not in self.sources:
                raise _RowError(f"{f.name}: the source {raw} is neither in the export nor in the catalog")
            return self.sources[raw]
        if related is Offering:
            if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(part, str) for part in raw)):
                raise _RowError(f"{f.name}: expected [model slug, provider slug], got {raw!r}")
            target = self.targets["offerings"].get(tuple(raw))
            if target is None:
                model, provider = self._resolve_slug(LanguageModel, raw[0]), self._resolve_slug(Provider, raw[1])
                if isinstance(model, LanguageModel) and isinstance(provider, Provider):
                    target = self.live.offerings.get((model.pk, provider.pk))
            if target is None:
                raise _RowError(f"{f.name}: no offering {raw[0]} on {raw[1]} in the export or the catalog")
            return target
        if not isinstance(raw, str):
            raise _RowError(f"{f.name}: expected a slug, got {raw!r}")
        target = self._resolve_slug(related, raw)
        if target is None:
            raise _RowError(f"{f.name}: {related._meta.verbose_name} {raw!r} is not in the export or the catalog")
        return target

    def _resolve_slug(self, model: type[models.Model], slug: str) -> Any:
        kind = {Organization: "organizations", License: "licenses", Provider: "providers"}.get(model)
        kind = kind or {Benchmark: "benchmarks", LanguageModel: "models"}[model]
        if slug in self.targets[kind]:
            return self.targets[kind][slug]
        if kind == "models" and slug in self.export_slugs:
            return None  # in the export but not imported (its error is counted)
        return self.live_by_slug[model].get(slug)

    def _values(self, kind: str, model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
        """The row's fields as Python values, each checked by its model field; relations resolved."""
        fields = self.fields[model]
        values: dict[str, Any] = {}
        for name, raw in row.items():
            if name == "evidence":
                continue
            f = fields.get(name)
            if f is None:
                self.summary.skipped[f"unknown field {kind}.{name} (ignored)"] += 1
                continue
            if f.is_relation:
                try:
                    values[name] = self._resolve(f, raw)
                except _RowError:
                    if not f.null or model is ExternalId:
                        raise
                    values[name] = None  # a reference the export cannot satisfy is left unset, not guessed
                    self.summary.skipped[f"{kind}.{name} naming a row not in the export (left unset)"] += 1
                continue
            try:
                values[name] = f.clean(raw, None)
            except ValidationError as exc:
                raise _RowError(f"{name}: {' '.join(exc.messages)} ({raw!r})") from exc
            except (TypeError, ValueError) as exc:
                raise _RowError(f"{name}: {raw!r} ({exc})") from exc
        return values

    def _evidence(self, kind: str, row: dict[str, Any]) -> dict[str, str]:
        """field -> the url of the source backing it, for the sources this import knows."""
        if kind == "benchmark_results":
            url = row.get("source")
            return dict.fromkeys(row, url) if url in self.sources else {}
        evidence = row.get("evidence") or {}
        if not isinstance(evidence, dict):
            raise _RowError(f"evidence: expected an object, got {evidence!r}")
        urls = {}
        for name, backing in evidence.items():
            url = backing.get("source") if isinstance(backing, dict) else None
            if url in self.sources:
                urls[name] = url
            else:
                self.summary.skipped["evidence naming a source that is not in the export (left unsourced)"] += 1
        return urls

    # -- proposing one row ---------------------------------------------------------------------------

    def _create_row(self, kind: str, model: type[models.Model], values: dict[str, Any], evidence: dict[str, str]):
        fields = self.fields[model]
        # Defaults nobody sourced stay out of the item (the new row gets them anyway).
        values = {
            name: value for name, value in values.items() if name in evidence or value != fields[name].get_default()
        }
        for name, f in fields.items():  # a new row must be complete and valid on its own
            if name not in values and not f.is_relation:
                try:
                    f.clean(f.get_default(), None)
                except ValidationError as exc:
                    raise _RowError(f"{name}: {' '.join(exc.messages)}") from exc
            elif name not in values and not f.null:
                raise _RowError(f"{name} is missing")
        cited = Counter(url for name, url in evidence.items() if name in values and not _empty(values[name]))
        if not cited:
            raise _RowError("no evidence: no source to cite")
        url = min(cited, key=lambda u: (-cited[u], u))
        field_sources: dict[str, Source | None] = {}
        for name, value in values.items():
            if _empty(value) or evidence.get(name) == url:
                continue
            field_sources[name] = self.sources[evidence[name]] if name in evidence else None
        key = self._key(kind)
        change = ProposedChange(
            "create", model, values=values, source=self.sources[url], key=key, field_sources=field_sources
        )
        self.planned.append(_Planned(change, _plan_kind(kind)))
        self._count(kind.replace("_", " "), "new")
        self.planned_values[key] = values
        return NewRef(key)

    def _update_row(self, kind: str, obj: models.Model, values: dict[str, Any], evidence: dict[str, str]) -> None:
        """Propose the fields the export backs with evidence and knows (never clearing a live fact)."""
        claims = set(evidence)
        if "knowledge_cutoff" in claims:
            claims.add("knowledge_cutoff_precision")  # the precision is part of the cutoff fact
        wanted = {name: value for name, value in values.items() if name in claims and not _empty(value)}
        model = type(obj)
        if "name" in wanted and model in self.names:
            holder = self.names[model].get(str(wanted["name"]).lower())
            if holder is not None and holder != obj.pk:
                self.summary.skipped[f"{model._meta.verbose_name} name held by another row (kept)"] += 1
                wanted.pop("name")
        if model in (LanguageModel, Offering):
            wanted = self._valid_values(model, obj, wanted)
        paths = {name: evidence.get(name, evidence.get("knowledge_cutoff")) for name in wanted}
        if not wanted:
            self._count(kind.replace("_", " "), "unchanged")
            return
        cited = Counter(paths.values())
        path = min(cited, key=lambda u: (-cited[u], u))
        before = len(self.planned)
        self._update(kind.replace("_", " "), obj, wanted, path, paths)
        for planned in self.planned[before:]:
            planned.kind = _plan_kind(kind)

    def _unique_name(self, model: type[models.Model], values: dict[str, Any]) -> None:
        name = str(values.get("name", ""))
        if name.lower() in self.names[model]:
            values["name"] = f"{name} ({values['slug']})"[:120]
        self.names[model][str(values["name"]).lower()] = None

    # -- kinds -----------------------------------------------------------------------------------------

    def plan(self) -> None:
        for kind, model in _SIMPLE.items():
            for row in self.doc.rows[kind]:
                self._guarded(kind, row, lambda r, k=kind, m=model: self._simple(k, m, r))
        self._match_by_recorded_ids()
        for row in _successors_first(self.doc.rows["models"]):
            self._guarded("models", row, self._model)
        for row in self._offerings_in_order():
            self._guarded("offerings", row, self._offering)
        by_offering: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for row in self.doc.rows["prices"]:
            offering = row.get("offering")
            by_offering[tuple(offering) if isinstance(offering, list) else repr(offering)].append(row)
        for key, rows in by_offering.items():
            if key in self.merged_offerings:
                self.summary.skipped["prices of an offering folded into another one (not used)"] += len(rows)
                continue
            self._prices(rows)
        for row in self.doc.rows["benchmark_results"]:
            if self.by_recorded_id.get(row.get("model"), (None, ""))[1] == "merged":
                self.summary.skipped["benchmark result of a model folded into another one (not used)"] += 1
                continue
            self._guarded("benchmark_results", row, self._result)
        for row in self.doc.rows["external_ids"]:
            self._guarded("external_ids", row, self._external_id)

    def _guarded(self, kind: str, row: dict[str, Any], plan_row) -> None:
        try:
            plan_row(row)
        except _RowError as exc:
            self._error(kind, row, str(exc))

    def _simple(self, kind: str, model: type[models.Model], row: dict[str, Any]) -> None:
        values = self._values(kind, model, row)
        slug = values.get("slug")
        if not slug:
            raise _RowError("slug is missing")
        evidence = self._evidence(kind, row)
        live = self.live_by_slug[model].get(slug)
        if live is None:
            self._unique_name(model, values)
            self.targets[kind][slug] = self._create_row(kind, model, values, evidence)
        else:
            self._update_row(kind, live, values, evidence)
            self.targets[kind][slug] = live

    def _match_by_recorded_ids(self) -> None:
        """The recorded-id rule (catalog.importers, rule 2a) for exported models the slug rule misses.

        An exported model without a live model of its slug and organization is the live model that its
        exported offerings' (provider, provider model id) (recorded on a live offering of that provider,
        plan._Live.recording) and its exported crosswalk ids (in the live crosswalk) name, when they name
        exactly one, of another slug. Of several exported models that are one live model, the one of its
        slug (else the first by slug) gives the model's facts; the others are "merged" into it.
        """
        live_by_slug = self.live_by_slug[LanguageModel]
        named: dict[str, list[set[int]]] = defaultdict(list)
        for row in self.doc.rows["offerings"]:
            provider, model_id = row.get("provider"), row.get("provider_model_id")
            if isinstance(provider, str) and isinstance(model_id, str):
                named[row.get("model")].append(self.live.recording(provider, model_id))
        for row in self.doc.rows["external_ids"]:
            live = self.live.crosswalk.get((row.get("source"), row.get("external_id")))
            offering = row.get("offering")
            slug = offering[0] if isinstance(offering, list) and offering else row.get("model")
            if live is not None:
                model_id = live.model_id or getattr(self.live.offerings_by_pk.get(live.offering_id), "model_id", None)
                named[slug].append({model_id} if model_id else set())
        by_slug_rule: set[int] = set()  # live models an exported model of their slug and organization is
        claimed: dict[int, list[str]] = defaultdict(list)
        for row in sorted(self.doc.rows["models"], key=lambda r: str(r.get("slug"))):
            slug = row.get("slug")
            same = live_by_slug.get(slug) if isinstance(slug, str) else None
            if same is not None and same.organization.slug == row.get("organization"):
                by_slug_rule.add(same.pk)
                continue
            hits = named.get(slug, [])
            found = set().union(*hits)
            if any(len(h) > 1 for h in hits) or len(found) > 1:
                self.summary.skipped["model whose recorded ids name two or more live models (not matched)"] += 1
            elif found and self.live.models[next(iter(found))].slug != slug:
                claimed[next(iter(found))].append(slug)
        for pk, slugs in claimed.items():
            for index, slug in enumerate(slugs):
                first = index == 0 and pk not in by_slug_rule
                self.by_recorded_id[slug] = (self.live.models[pk], "recorded id" if first else "merged")

    def _model(self, row: dict[str, Any]) -> None:
        values = self._values("models", LanguageModel, row)
        slug, organization = values.get("slug"), values.get("organization")
        if not slug or organization is None:
            raise _RowError("slug and organization are required")
        evidence = self._evidence("models", row)
        if slug in self.by_recorded_id:
            target, how = self.by_recorded_id[slug]
            self.targets["models"][slug] = target
            if how == "merged":
                self.summary.skipped["model folded into another exported model's live model (facts not used)"] += 1
                self._count("models", "unchanged")
                return
            for name in ("slug", "name"):  # the live model keeps its own: the export's name its listed id
                values.pop(name, None)
                evidence.pop(name, None)
            self._update_row("models", target, values, evidence)
            return
        live = self.live_by_slug[LanguageModel].get(slug)
        if live is not None and not (
            isinstance(organization, Organization) and live.organization_id == organization.pk
        ):
            live = None  # another organization's model holds this slug: this one is another model
            self.summary.skipped["model slug held by another organization's model (created under a new slug)"] += 1
            base = f"{row.get('organization')}-{slug}"[:110]
            values["slug"], n = base, 2
            while values["slug"] in self.taken_slugs or values["slug"] in self.export_slugs:
                values["slug"], n = f"{base[:105]}-{n}", n + 1
        if live is None:
            self.taken_slugs.add(values["slug"])
            values = self._valid_values(LanguageModel, None, values)
            self.targets["models"][slug] = self._create_row("models", LanguageModel, values, evidence)
        else:
            self._update_row("models", live, values, evidence)
            self.targets["models"][slug] = live

    def _offerings_in_order(self) -> list[dict[str, Any]]:
        """Exported offerings, those of a model folded into another one last and, at one live model and
        provider, the one whose id the live offering records first: the first one of a (model, provider)
        is the offering, the others are folded into it (_offering)."""

        def order(indexed: tuple[int, dict[str, Any]]) -> tuple[int, int, int]:
            index, row = indexed
            target, how = self.by_recorded_id.get(row.get("model"), (None, ""))
            if target is None:
                return (0, 0, index)
            provider = self.live.providers.get(row.get("provider"))
            live = self.live.offerings.get((target.pk, provider.pk)) if provider is not None else None
            recorded = live is not None and live.provider_model_id == row.get("provider_model_id")
            return (1 if how == "merged" else 0, 0 if recorded else 1, index)

        return [row for _index, row in sorted(enumerate(self.doc.rows["offerings"]), key=order)]

    def _offering(self, row: dict[str, Any]) -> None:
        values = self._values("offerings", Offering, row)
        model, provider = values.get("model"), values.get("provider")
        if model is None or provider is None:
            raise _RowError("model and provider are required")
        evidence = self._evidence("offerings", row)
        live = None
        if isinstance(model, LanguageModel) and isinstance(provider, Provider):
            live = self.live.offerings.get((model.pk, provider.pk))
        key = (row["model"], row["provider"])
        if isinstance(model, LanguageModel):
            folded = self._offering_of.get((model.pk, id(provider)))
            if folded is not None:
                # Two exported models folded into one live model, both at this provider: one offering.
                self.summary.skipped["another exported offering of the same live offering (not used)"] += 1
                self.targets["offerings"][key] = folded
                self.merged_offerings.add(key)
                return
        if live is None:
            values = self._valid_values(Offering, None, values)
            self.targets["offerings"][key] = self._create_row("offerings", Offering, values, evidence)
        else:
            self._update_row("offerings", live, values, evidence)
            self.targets["offerings"][key] = live
        if isinstance(model, LanguageModel):
            self._offering_of[(model.pk, id(provider))] = self.targets["offerings"][key]

    def _window(self, offering: Any) -> int | None:
        """The context window an offering serves (its own, else its model's), as this import leaves it."""

        def fact(target: Any, name: str) -> Any:
            if isinstance(target, NewRef):
                return self.planned_values.get(target.key, {}).get(name)
            planned = self.model_updates.get(target.pk, {}) if isinstance(target, LanguageModel) else {}
            return planned.get(name, getattr(target, name))

        if isinstance(offering, NewRef):
            values = self.planned_values.get(offering.key, {})
            return values.get("context_window") or fact(values.get("model"), "context_window")
        return offering.context_window or fact(self.live.models[offering.model_id], "context_window")

    def _prices(self, rows: list[dict[str, Any]]) -> None:
        """One offering's price rows, refused where they and the live rows would break the price checks."""
        planned: dict[tuple[str, str, int], tuple[dict[str, Any], dict[str, Any], dict[str, str]]] = {}
        offering = None
        for row in rows:
            try:
                values = self._values("prices", Price, row)
                if values.get("offering") is None or values.get("usd_per_million") is None:
                    raise _RowError("offering and usd_per_million are required")
                key = (values.get("dimension"), values.get("tier") or "standard", values.get("context_threshold") or 0)
                offering = values["offering"]
                planned[key] = (row, values, self._evidence("prices", row))
            except _RowError as exc:
                self._error("prices", row, str(exc))
        if offering is None:
            return
        live = offering if isinstance(offering, Offering) else None
        live_rows = self._live_prices_of(live.pk) if live is not None else {}
        window = self._window(offering)
        amounts = {key: values["usd_per_million"] for key, (_row, values, _evidence) in planned.items()}
        for _round in range(2):
            merged = {**live_rows, **amounts}
            refused = []
            for key, amount in amounts.items():
                errors = price_row_errors((*key, amount), [(*k, a) for k, a in merged.items() if k != key], window)
                if errors:
                    refused.append((key, next(iter(errors.values()))))
            for key, message in refused:
                amounts.pop(key)
                self.summary.skipped["price refused by the price checks"] += 1
                self.summary.refused.append((_where("prices", planned[key][0]), message))
            if not refused:
                break
        for key in amounts:
            row, values, evidence = planned[key]
            existing = self.live.prices.get((live.pk, *key)) if live is not None else None
            try:
                if existing is None:
                    self._create_row("prices", Price, values, evidence)
                else:
                    self._update_row("prices", existing, values, evidence)
            except _RowError as exc:
                self._error("prices", row, str(exc))

    def _result(self, row: dict[str, Any]) -> None:
        values = self._values("benchmark_results", BenchmarkResult, row)
        model, benchmark = values.get("model"), values.get("benchmark")
        if model is None or benchmark is None or values.get("source") is None:
            raise _RowError("model, benchmark and source are required")
        evidence = self._evidence("benchmark_results", row)
        live = None
        if isinstance(model, LanguageModel) and isinstance(benchmark, Benchmark):
            live = self.live.results.get((model.pk, benchmark.pk, values.get("variant", "")))
        if live is None:
            self._create_row("benchmark_results", BenchmarkResult, values, evidence)
        else:
            self._update_row("benchmark_results", live, values, evidence)

    def _external_id(self, row: dict[str, Any]) -> None:
        values = self._values("external_ids", ExternalId, row)
        if (values.get("model") is None) == (values.get("offering") is None):
            raise _RowError("an external id points at a model or at an offering (exactly one)")
        if (values.get("source"), values.get("external_id")) in self.live.crosswalk:
            self._count("external ids", "unchanged")  # a live mapping (an editor's) stands
            return
        self._create_row("external_ids", ExternalId, values, self._evidence("external_ids", row))


def _successors_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_slug = {row.get("slug"): row for row in rows}
    ordered: list[dict[str, Any]] = []
    state: dict[Any, str] = {}

    def visit(row: dict[str, Any]) -> None:
        slug = row.get("slug")
        if state.get(slug):
            return
        state[slug] = "visiting"
        successor = by_slug.get(row.get("successor"))
        if successor is not None and successor is not row:
            visit(successor)
        state[slug] = "done"
        ordered.append(row)

    for row in rows:
        visit(row)
    return ordered


def _source_rows(doc: ExportDocument, summary: ImportSummary, *, dry_run: bool) -> dict[str, Source]:
    """The export's sources by url: the live one when it exists (kept as it is), else created directly."""
    wanted: dict[str, Source] = {}
    url_ok = URLValidator()
    for row in doc.rows["sources"]:
        url = row.get("url")
        try:
            if not isinstance(url, str) or len(url) > 500:
                raise ValidationError("not a url of at most 500 characters")
            url_ok(url)
            title, publisher = row.get("title"), row.get("publisher") or ""
            if not isinstance(title, str) or not title or not isinstance(publisher, str):
                raise ValidationError("title and publisher must be text")
            retrieved_on = datetime.date.fromisoformat(str(row.get("retrieved_on")))
        except (ValidationError, ValueError) as exc:
            summary.skipped["unparseable sources"] += 1
            summary.errors.append((f"sources[{url}]", f"{url!r}: {exc}"))
            continue
        wanted[url] = Source(url=url, title=title[:300], publisher=publisher[:200], retrieved_on=retrieved_on)
    cited = {
        backing.get("source")
        for kind in KINDS
        for row in doc.rows[kind]
        for backing in (row.get("evidence") or {}).values()
        if isinstance(row.get("evidence"), dict) and isinstance(backing, dict)
    }
    cited |= {row.get("source") for row in doc.rows["benchmark_results"]}
    urls = sorted(set(wanted) | {u for u in cited if isinstance(u, str)})
    existing = Source.objects.in_bulk(urls, field_name="url")
    counts = summary.counts["sources"]
    for url, source in wanted.items():
        live = existing.get(url)
        if live is None:
            counts.new += 1
        elif (live.title, live.publisher, live.retrieved_on) == (source.title, source.publisher, source.retrieved_on):
            counts.unchanged += 1
        else:
            counts.unchanged += 1
            summary.skipped["source differing from the live one of that url (the live one kept)"] += 1
    missing = [s for url, s in wanted.items() if url not in existing]
    if missing and not dry_run:
        Source.objects.bulk_create(missing, batch_size=500)
        existing = Source.objects.in_bulk(urls, field_name="url")
    return {**{s.url: s for s in missing}, **existing}


def import_export(*, doc: ExportDocument, user, dry_run: bool = False, name: str = "", progress=None) -> ImportSummary:
    """Plan the import of an export and, unless `dry_run`, propose it as one submitted change set by `user`."""
    summary = ImportSummary(catalog=CATALOG, dry_run=dry_run, counts={kind: KindCounts() for kind in COUNTED})
    with transaction.atomic():
        sources = _source_rows(doc, summary, dry_run=dry_run)
        planner = _ExportPlanner(doc, sources, summary, _ExportLive())
        planner.plan()
        summary.changes = len(planner.planned)
        summary.disagreements = sum(len(p.disagreements) for p in planner.planned)
        if dry_run or not planner.planned:
            if dry_run:
                transaction.set_rollback(True)
            return summary
        changeset = _propose(
            planner.planned, user=user, source=SourceCatalog(catalog=CATALOG), summary=summary, progress=progress
        )
        if name:
            changeset.name = name[:120]
            changeset.save(update_fields=["name"])
        summary.changeset = changeset
    return summary
