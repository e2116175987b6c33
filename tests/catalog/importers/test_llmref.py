"""import_catalog llmref: our own export read back through review, round trips, and the demo's undisputed apply."""

from __future__ import annotations

import datetime
import gzip
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from catalog import export
from catalog.demo import DEMO_REVIEWER, load_demo_catalog
from catalog.importers import IMPORTER_ACCOUNT, llmref
from catalog.importers.common import ImportSourceError
from catalog.importers.services import changeset_apply_undisputed
from catalog.importers.snapshot import SNAPSHOT_PATH, SnapshotError, snapshot_build
from catalog.models import (
    ChangeSet,
    ChangeSetError,
    ExternalId,
    LanguageModel,
    License,
    Offering,
    Organization,
    Price,
    Provenance,
    Provider,
    Review,
    Source,
    SourceDisagreement,
)
from catalog.review.services import NewRef, ProposedChange, changeset_approve, changeset_create_applied, system_user
from tests.catalog.workflow_support import create_reviewer
from tests.factories import create_source

pytestmark = pytest.mark.django_db


def export_bytes() -> bytes:
    out = io.StringIO()
    export.write_json(out)
    return out.getvalue().encode()


def exported(build) -> llmref.ExportDocument:
    """The export of the catalog `build()` writes, read back; everything `build()` wrote is rolled back."""
    with transaction.atomic():
        build()
        content = export_bytes()
        transaction.set_rollback(True)
    return llmref.parse(content, location="export.json")


def import_doc(doc: llmref.ExportDocument, **kwargs):
    return llmref.import_export(doc=doc, user=system_user(IMPORTER_ACCOUNT), **kwargs)


def approve(changeset: ChangeSet) -> None:
    assert changeset_approve(
        changeset=changeset, user=create_reviewer(f"reviewer-{changeset.pk}"), acknowledge_warnings=True
    ), changeset.problems


def curate(
    url: str, *, org_slug: str = "acme", license_slug: str = "", prices=None, offering=None, **model_values
) -> None:
    """Organization "acme", model "acme-1" (with `model_values`), an offering on "host" and its prices
    (default: standard input $1.00), all citing `url`."""
    source = Source.objects.filter(url=url).first() or create_source(url=url, title=url)
    changes = [
        ProposedChange("create", Organization, values={"name": org_slug.title(), "slug": org_slug}, key="o"),
        ProposedChange("create", Provider, values={"name": "Host", "slug": "host", "kind": "inference"}, key="p"),
    ]
    license_ref = None
    if license_slug:
        values = {"name": license_slug.title(), "slug": license_slug, "kind": License.Kind.OPEN_WEIGHTS}
        changes.append(ProposedChange("create", License, values=values, key="l"))
        license_ref = NewRef("l")
    values = {"name": "Acme 1", "slug": "acme-1", "organization": NewRef("o"), **model_values}
    if license_ref:
        values["license"] = license_ref
    changes += [
        ProposedChange("create", LanguageModel, values=values, key="m"),
        ProposedChange(
            "create", Offering, values={"model": NewRef("m"), "provider": NewRef("p"), **(offering or {})}, key="f"
        ),
    ]
    for (dimension, tier), amount in (prices or {("input", "standard"): "1.00"}).items():
        values = {"offering": NewRef("f"), "dimension": dimension, "tier": tier, "usd_per_million": amount}
        changes.append(ProposedChange("create", Price, values=values, key=f"{dimension}-{tier}"))
    for change in changes:
        change.source = source
    changeset_create_applied(
        author=system_user("curator"), reviewer=system_user("curator-reviewer", reviewer=True), changes=changes,
        summary="Curated",
    )  # fmt: skip


def without_review_times(doc: dict) -> dict:
    """An export without its header and the review times of its evidence (see test_round_trip...)."""
    doc = json.loads(json.dumps(doc))
    for name in ("exported_at", "catalog_revision"):
        doc.pop(name)
    for value in doc.values():
        for row in value if isinstance(value, list) else []:
            for backing in row.get("evidence", {}).values():
                backing.pop("reviewed_at")
    return doc


def review_times(doc: dict) -> set[str]:
    return {
        backing["reviewed_at"]
        for value in doc.values()
        if isinstance(value, list)
        for row in value
        for backing in row.get("evidence", {}).values()
    }


class TestRoundTrip:
    def test_the_demo_catalog_round_trips_through_review_to_an_identical_export(self):
        with transaction.atomic():  # a fresh database with the demo catalog, rolled back after its export
            load_demo_catalog()
            first = json.loads(export_bytes())
            transaction.set_rollback(True)
        assert not LanguageModel.objects.exists() and not Source.objects.exists()  # now an empty database
        assert len(first["models"]) == 50 and len(first["prices"]) > 300

        summary = import_doc(llmref.parse(json.dumps(first).encode()))
        changeset = summary.changeset
        assert changeset.state == ChangeSet.State.SUBMITTED and summary.errors == []
        assert not LanguageModel.objects.exists()  # only proposed
        approve(changeset)
        second = json.loads(export_bytes())

        # Identical: every row, value, natural key and source of every fact. The review times are this
        # database's own record: importing is a new review, so each fact's is the import's apply time.
        assert without_review_times(second) == without_review_times(first)
        changeset.refresh_from_db()
        assert review_times(second) == {timezone.localtime(changeset.applied_at).isoformat()}
        assert len(review_times(first)) == 1 and review_times(first) != review_times(second)

    def test_items_cite_the_export_s_sources_created_once_by_url_and_a_second_import_proposes_nothing(self):
        doc = exported(load_demo_catalog)
        known = create_source(url=doc.rows["sources"][0]["url"], title="Kept as it is")
        changeset = import_doc(doc).changeset
        assert Source.objects.count() == len(doc.rows["sources"])
        assert Source.objects.get(pk=known.pk).title == "Kept as it is"
        assert not changeset.items.filter(source__isnull=True).exists()
        o4 = next(row for row in doc.rows["models"] if row["slug"] == "o4-mini")
        item = changeset.items.get(content_type__model="languagemodel", object_repr__contains="o4-mini")
        cited = {name: Source.objects.get(pk=item.source_id_for(name)).url for name in item.changes}
        assert cited == {name: backing["source"] for name, backing in o4["evidence"].items()}

        approve(changeset)
        summary = import_doc(doc)
        assert summary.changeset is None and summary.changes == 0
        assert summary.counts["models"].unchanged == 50 and summary.counts["sources"].new == 0
        assert ChangeSet.objects.count() == 1

    def test_dry_run_writes_nothing(self):
        doc = exported(lambda: curate("https://models.dev/acme-1"))
        summary = import_doc(doc, dry_run=True)
        assert summary.changes == 5 and summary.changeset is None
        assert not Source.objects.exists() and not ChangeSet.objects.exists()

    @pytest.mark.parametrize("suffix", [".json", ".json.gz", ".json.xz", ".ndjson", ".ndjson.gz"])
    def test_the_command_reads_every_form_export_catalog_writes(self, suffix, tmp_path):
        path = tmp_path / f"catalog{suffix}"

        def build():
            curate("https://models.dev/acme-1", context_window=128_000)
            call_command("export_catalog", str(path), ndjson="ndjson" in suffix, stderr=io.StringIO())

        exported(build)
        if suffix.endswith(".gz"):
            assert gzip.decompress(path.read_bytes())  # really compressed
        out = io.StringIO()
        call_command("import_catalog", "llmref", str(path), stdout=out)
        assert "models: 1 new" in out.getvalue() and "prices: 1 new" in out.getvalue()
        approve(ChangeSet.objects.get())
        assert LanguageModel.objects.get(slug="acme-1").context_window == 128_000

    def test_something_else_than_an_export_is_refused_with_a_message(self, tmp_path):
        with pytest.raises(ImportSourceError, match="not an llmref-catalog export"):
            llmref.parse(b'{"gpt-4o": {"litellm_provider": "openai"}}')
        with pytest.raises(ImportSourceError, match="version 2"):
            llmref.parse(b'{"format": "llmref-catalog", "version": 2}')
        with pytest.raises(ImportSourceError, match="not JSON"):
            llmref.parse(gzip.compress(b"{nope"))
        path = tmp_path / "x.json"
        path.write_text("[]")
        with pytest.raises(CommandError, match="not an llmref-catalog export"):
            call_command("import_catalog", "llmref", str(path))


class TestOntoALiveCatalog:
    def test_an_unreadable_row_is_reported_and_the_rest_imports(self):
        doc = exported(lambda: curate("https://example.com/md", context_window=128_000))
        doc.rows["prices"][0]["usd_per_million"] = "a lot"
        doc.rows["models"].append({**doc.rows["models"][0], "slug": "acme-2", "organization": "nobody"})
        summary = import_doc(doc)
        keys = [key for key, _why in summary.errors]
        assert keys == ["models[acme-2]", "prices[['acme-1', 'host']/input/standard/0]"]
        assert summary.counts["models"].new == 1 and summary.counts["prices"].new == 0
        approve(summary.changeset)
        assert LanguageModel.objects.get().context_window == 128_000

    def test_a_value_another_source_backs_is_flagged_and_an_unknown_one_never_clears_a_live_fact(self):
        doc = exported(lambda: curate("https://models.dev/acme-1", context_window=128_000, description=""))
        curate("https://acme.example/card", context_window=200_000, description="Curated words.", vision=True)
        summary = import_doc(doc)
        (item,) = summary.changeset.items.all()  # nothing else differs: same keys, same price
        assert item.changes == {"context_window": [200_000, 128_000]}
        (flag,) = SourceDisagreement.objects.all()
        assert (flag.field, flag.live_value, flag.imported_value) == ("context_window", 200_000, 128_000)
        assert flag.live_source.url == "https://acme.example/card"
        assert flag.imported_source.url == "https://models.dev/acme-1"

    def test_a_slug_another_organizations_model_holds_is_another_model(self):
        doc = exported(lambda: curate("https://models.dev/acme-1", org_slug="acme"))
        curate("https://other.example/card", org_slug="other")
        approve(import_doc(doc).changeset)
        assert set(LanguageModel.objects.values_list("slug", "organization__slug")) == {
            ("acme-1", "other"),
            ("acme-acme-1", "acme"),
        }
        assert Offering.objects.filter(model__slug="acme-acme-1", provider__slug="host").exists()

    def test_the_crosswalk_is_exported_and_a_live_mapping_stands(self):
        def build():
            curate("https://models.dev/acme-1")
            model = LanguageModel.objects.get()
            changeset_create_applied(
                author=system_user("curator"),
                reviewer=system_user("curator-reviewer", reviewer=True),
                changes=[
                    ProposedChange(
                        "create",
                        ExternalId,
                        values={"source": "litellm", "external_id": "acme/acme-1", "model": model},
                        source=Source.objects.get(),
                    ),
                    ProposedChange(
                        "create",
                        ExternalId,
                        values={"source": "litellm", "external_id": "host/acme-1", "offering": Offering.objects.get()},
                        source=Source.objects.get(),
                    ),
                ],  # fmt: skip
                summary="Crosswalk",
            )

        doc = exported(build)
        assert [(r["external_id"], r["model"], r["offering"]) for r in doc.rows["external_ids"]] == [
            ("acme/acme-1", "acme-1", None),
            ("host/acme-1", None, ["acme-1", "host"]),
        ]
        approve(import_doc(doc).changeset)
        assert ExternalId.objects.get(external_id="host/acme-1").offering.provider.slug == "host"
        ExternalId.objects.filter(external_id="acme/acme-1").update(model=None, offering=Offering.objects.get())
        assert import_doc(doc).changeset is None  # the live (edited) mapping stands


class TestApplyUndisputed:
    def test_disputed_values_are_held_for_a_person_and_the_rest_applies_as_imported(self):
        doc = exported(lambda: curate("https://models.dev/acme-1", context_window=128_000, family="Acme"))
        curate("https://acme.example/card", context_window=200_000)
        changeset = import_doc(doc).changeset
        (item,) = changeset.items.all()
        assert set(item.changes) == {"context_window", "family"}

        result = changeset_apply_undisputed(changeset=changeset, reviewer=system_user("bot", reviewer=True))
        model = LanguageModel.objects.get()
        assert (model.family, model.context_window) == ("Acme", 200_000)  # the undisputed half applied
        assert result.applied.state == ChangeSet.State.APPLIED
        assert result.applied.reviews.get().reviewer.username == "bot"
        family = Provenance.objects.get(object_id=model.pk, field="family", content_type__model="languagemodel")
        assert family.source.url == "https://models.dev/acme-1"
        held = result.held
        assert (held.state, held.split_from_id, held.author_id) == ("submitted", changeset.pk, changeset.author_id)
        (kept,) = held.items.all()
        assert kept.changes == {"context_window": [200_000, 128_000]}
        assert SourceDisagreement.objects.open().get().change_item_id == kept.pk
        assert (result.held_items, result.held_values) == (1, 1)

        approve(held)  # a person decides for the imported value: per-field, so no conflict
        assert LanguageModel.objects.get().context_window == 128_000

    def test_a_held_value_naming_a_row_the_applied_part_created_points_at_that_row(self):
        doc = exported(lambda: curate("https://models.dev/acme-1", license_slug="acme-open"))
        curate("https://acme.example/card", license_slug="acme-curated")
        changeset = import_doc(doc).changeset
        result = changeset_apply_undisputed(changeset=changeset, reviewer=system_user("bot", reviewer=True))
        created = License.objects.get(slug="acme-open")  # the new license applied
        (kept,) = result.held.items.all()
        assert kept.changes["license"] == [License.objects.get(slug="acme-curated").pk, created.pk]
        approve(result.held)
        assert LanguageModel.objects.get().license == created

    def test_an_offering_s_prices_wait_with_its_disputed_price(self):
        imported = {("input", "standard"): "2.00", ("input", "batch"): "1.50", ("output", "standard"): "4.00"}
        doc = exported(lambda: curate("https://models.dev/acme-1", prices=imported))
        curate("https://acme.example/pricing")
        changeset = import_doc(doc).changeset
        assert changeset.items.count() == 3  # standard input 1 -> 2 (disputed), new batch input, new output
        result = changeset_apply_undisputed(changeset=changeset, reviewer=system_user("bot", reviewer=True))
        # the batch price ($1.50) cannot go live beside the live standard one ($1.00): all three wait
        assert result.applied is None and result.held == changeset
        assert Price.objects.count() == 1 and SourceDisagreement.objects.open().count() == 1

    def test_an_item_waits_whole_when_its_undisputed_half_alone_would_be_invalid(self):
        served = {"context_window": 200_000, "max_output_tokens": 150_000}
        doc = exported(lambda: curate("https://models.dev/acme-1", offering=served, family="Acme"))
        curate("https://host.example/models", offering={"context_window": 100_000})
        changeset = import_doc(doc).changeset
        offering_item = changeset.items.get(content_type__model="offering")
        assert set(offering_item.changes) == {"context_window", "max_output_tokens"}  # only the window disputed
        result = changeset_apply_undisputed(changeset=changeset, reviewer=system_user("bot", reviewer=True))
        # 150,000 output tokens cannot go live beside the live 100,000-token window: the item waits whole
        assert [item.changes for item in result.held.items.all()] == [
            {"context_window": [100_000, 200_000], "max_output_tokens": [None, 150_000]}
        ]
        assert LanguageModel.objects.get().family == "Acme"
        assert Offering.objects.get().max_output_tokens is None

    def test_nothing_disputed_applies_the_whole_set(self):
        doc = exported(lambda: curate("https://models.dev/acme-1"))
        result = changeset_apply_undisputed(
            changeset=import_doc(doc).changeset, reviewer=system_user("bot", reviewer=True)
        )
        assert result.held is None and result.applied.state == ChangeSet.State.APPLIED
        assert LanguageModel.objects.count() == 1 and ChangeSet.objects.count() == 1

    def test_everything_disputed_keeps_the_whole_set_submitted(self):
        doc = exported(lambda: curate("https://models.dev/acme-1", context_window=128_000))
        curate("https://acme.example/card", context_window=200_000)
        changeset = import_doc(doc).changeset
        result = changeset_apply_undisputed(changeset=changeset, reviewer=system_user("bot", reviewer=True))
        assert result.applied is None and result.held == changeset
        changeset.refresh_from_db()
        assert changeset.state == ChangeSet.State.SUBMITTED and LanguageModel.objects.get().context_window == 200_000

    def test_refuses_a_set_that_is_not_submitted(self):
        doc = exported(lambda: curate("https://models.dev/acme-1"))
        changeset = import_doc(doc).changeset
        approve(changeset)
        with pytest.raises(ChangeSetError):
            changeset_apply_undisputed(changeset=changeset, reviewer=system_user("bot", reviewer=True))


class TestImportCommand:
    def test_apply_undisputed_is_for_the_local_demo_only(self, tmp_path, settings):
        path = tmp_path / "catalog.json"
        path.write_bytes(export_bytes())
        with pytest.raises(CommandError, match="local demo only"):
            call_command("import_catalog", "llmref", str(path), "--apply-undisputed")

    def test_once_skips_a_file_already_imported(self, tmp_path, settings):
        settings.DEBUG = True
        path = tmp_path / "catalog.json.gz"

        def build():
            curate("https://models.dev/acme-1")
            path.write_bytes(gzip.compress(export_bytes()))

        exported(build)
        out = io.StringIO()
        call_command("import_catalog", "llmref", str(path), "--once", "--apply-undisputed", stdout=out)
        assert "applied by catalog-reviewer-bot" in out.getvalue()
        assert LanguageModel.objects.count() == 1
        out = io.StringIO()
        call_command("import_catalog", "llmref", str(path), "--once", "--apply-undisputed", stdout=out)
        assert "was already imported" in out.getvalue()
        assert ChangeSet.objects.filter(name__startswith="llmref-catalog sha256:").count() == 1


class TestSnapshot:
    def test_the_snapshot_is_built_from_both_catalogs_through_review(self, tmp_path):
        fixtures = Path(__file__).parent / "fixtures"
        out = tmp_path / "snapshot.json.gz"
        stats = snapshot_build(
            models_dev_path=str(fixtures / "models.dev"),
            litellm_path=str(fixtures / "litellm.json"),
            out=out,
            models_dev_revision="abc123",
            litellm_revision="v1.110.2",
            litellm_today=datetime.date(2026, 11, 20),
            log=lambda line: None,
        )
        doc = llmref.read(str(out))
        assert gzip.decompress(out.read_bytes()).startswith(b'{"format":"llmref-catalog"')  # compact JSON
        assert stats.counts["models"] == len(doc.rows["models"]) == LanguageModel.objects.count() > 0
        assert stats.counts["prices"] == len(doc.rows["prices"]) > 0
        applied = ChangeSet.objects.filter(state=ChangeSet.State.APPLIED)
        assert applied.count() == 2 and {r.reviewer.username for r in Review.objects.all()} == {DEMO_REVIEWER}
        held = ChangeSet.objects.filter(state=ChangeSet.State.SUBMITTED)
        assert stats.held["litellm"] == sum(len(i.changes) for s in held for i in s.items.all())
        urls = {row["url"] for row in doc.rows["sources"]}
        assert {
            b["source"] for kind in llmref.KINDS for r in doc.rows[kind] for b in r.get("evidence", {}).values()
        } <= urls
        with pytest.raises(SnapshotError):
            snapshot_build(models_dev_path="", litellm_path="", out=out, log=lambda line: None)

    def test_the_committed_snapshot_is_an_export_with_its_notices(self):
        doc = llmref.read(str(SNAPSHOT_PATH))
        assert doc.header["format"] == "llmref-catalog" and len(doc.rows["models"]) > 500
        assert SNAPSHOT_PATH.stat().st_size < 2_000_000
        publishers = {row["publisher"] for row in doc.rows["sources"]}
        assert publishers == {"models.dev", "LiteLLM (BerriAI)"}
        notice = (SNAPSHOT_PATH.parent / "NOTICE").read_text()
        assert "Copyright (c) 2025 models.dev" in notice and "Copyright (c) 2023 Berri AI" in notice
        assert notice.count("Permission is hereby granted, free of charge") == 2
