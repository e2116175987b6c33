"""The compatibility exports read back by our own importers propose nothing: the same prices, facts and ids.

A catalog is imported from the importers' fixtures (tests/catalog/importers/fixtures) and applied; its export is fed
to the importer of that format (LiteLLM's reader, models.dev's api.json reader) against the same database. An entry
whose key the export built from our ids carries `"llmref_derived_key": true` and is read back without a crosswalk
row. Runs on SQLite and, with DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal

import pytest

from catalog.importers import IMPORTER_ACCOUNT, litellm, models_dev
from catalog.importers.common import DERIVED_KEY
from catalog.importers.plan import import_source
from catalog.models import ExternalId, LanguageModel, Offering, Price
from catalog.review.services import NewRef, ProposedChange, changeset_create_applied, system_user
from tests.catalog.importers.test_import import FIXTURES, SNAPSHOT_DAY, approve, import_prices, import_tree
from tests.factories import create_model, create_offering, create_provider, create_source

pytestmark = pytest.mark.django_db


def export(client, name: str) -> bytes:
    response = client.get(f"/api/v1/export/{name}")
    assert response.status_code == 200
    return response.content


def reimport_litellm(client):
    source = litellm.read_json(export(client, "litellm.json"), path="export/litellm.json", today=SNAPSHOT_DAY)
    return import_source(source=source, user=system_user(IMPORTER_ACCOUNT), dry_run=True)


def reimport_models_dev(client):
    source = models_dev.read_api_json(export(client, "models.dev.json"), path="export/models.dev.json")
    return import_source(source=source, user=system_user(IMPORTER_ACCOUNT), dry_run=True)


def proposed(summary) -> dict[str, tuple[int, int]]:
    return {kind: (c.new, c.changed) for kind, c in summary.counts.items() if c.new or c.changed}


def marked(entries: dict[str, dict]) -> set[str]:
    """The keys of the entries our export marks as keyed by our own ids."""
    return {key for key, entry in entries.items() if entry.get(DERIVED_KEY) is True}


def keys(entries, depth: int) -> set[str]:
    """Every key path of these JSON objects, to `depth` levels: {"cost", "cost.input", "cost.tiers.tier", ...}."""
    found: set[str] = set()

    def walk(value, prefix: str, level: int) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item, prefix, level)
        elif isinstance(value, dict) and level < depth:
            for key, child in value.items():
                path = f"{prefix}.{key}" if prefix else key
                found.add(path)
                walk(child, path, level + 1)

    for entry in entries:
        walk(entry, "", 0)
    return found


class TestLiteLLMRoundTrip:
    def test_export_of_an_imported_litellm_catalog_imports_as_nothing_to_do(self, client):
        approve(import_prices().changeset)
        body = json.loads(export(client, "litellm.json"))
        # the keys LiteLLM itself uses, from the crosswalk: a tool switching URLs finds them
        assert {"gpt-4o", "azure/gpt-4o", "claude-opus-4-1", "gemini/gemini-2.5-pro",
                "bedrock/us-east-1/anthropic.claude-opus-4-1-v1:0"} <= set(body)  # fmt: skip
        assert "azure/eu/gpt-4o" not in body  # one entry per offering: the regional listing's price is not ours
        assert body["azure/gpt-4o"]["litellm_provider"] == "azure"
        assert body["gpt-4o"]["input_cost_per_token_priority"] == 4.25e-06
        assert body["gpt-4.1"]["input_cost_per_token_flex"] == 1e-06
        assert body["claude-opus-4-1"]["cache_creation_input_token_cost_above_1hr"] == 3e-05
        assert body["gemini/gemini-2.5-pro"]["output_cost_per_token_above_200k_tokens"] == 1.5e-05
        summary = reimport_litellm(client)
        assert summary.changes == 0, (proposed(summary), summary.unmatched)
        assert summary.counts["prices"].unchanged == Price.objects.count()
        assert not summary.unmatched

    def test_keys_and_types_are_the_ones_in_the_importers_fixture(self, client):
        approve(import_prices().changeset)
        fixture = json.loads((FIXTURES / "litellm.json").read_text())
        theirs: dict[str, set[type]] = {}
        for entry in fixture.values():
            for key, value in entry.items() if isinstance(entry, dict) else ():
                theirs.setdefault(key, set()).add(float if type(value) is int else type(value))
        ours = json.loads(export(client, "litellm.json"))
        for entry in ours.values():
            for key, value in entry.items():
                if key in ("source", "supported_output_modalities", "supported_modalities", "successor_model"):
                    continue  # keys the fixture does not carry (test_api_compat checks them against the real file)
                if key == DERIVED_KEY:
                    continue  # our own key, on an entry whose key we built (comparisons.api.compat)
                assert key in theirs, key
                assert (float if type(value) is int else type(value)) in theirs[key], key


class TestModelsDevRoundTrip:
    def test_export_of_an_imported_models_dev_catalog_imports_as_nothing_to_do(self, client):
        approve(import_tree().changeset)
        body = json.loads(export(client, "models.dev.json"))
        # models.dev's own provider and model ids, from the crosswalk
        assert {"openai", "openrouter", "amazon-bedrock", "github-copilot"} <= set(body)
        assert "openai-api" not in body
        gpt54 = body["openai"]["models"]["gpt-5.4"]
        assert gpt54["cost"]["tiers"] == [
            {"tier": {"type": "context", "size": 272_000}, "input": 5, "output": 22.5, "cache_read": 0.5}
        ]
        assert gpt54["experimental"]["modes"]["fast"] == {
            "cost": {"input": 5, "output": 30, "cache_read": 0.5},
            "provider": {"body": {"service_tier": "priority"}},
        }
        assert body["openai"]["models"]["gpt-4o-2024-05-13"]["status"] == "deprecated"
        assert body["amazon-bedrock"]["models"]["openai.gpt-5.4"]["limit"]["context"] == 272_000
        summary = reimport_models_dev(client)
        assert summary.changes == 0, (proposed(summary), summary.unmatched)
        assert summary.counts["prices"].unchanged == Price.objects.count()

    def test_keys_are_the_ones_in_the_importers_fixtures(self, client):
        approve(import_tree().changeset)
        fixture = json.loads((FIXTURES / "models-dev-api.json").read_text())
        provider_keys = keys(fixture.values(), 1)
        model_keys = keys([m for p in fixture.values() for m in p["models"].values()], 8)
        # the tree fixtures hold what api.json resolves from them (family, status, context tiers, the fast mode)
        for path in (FIXTURES / "models.dev").glob("**/models/**/*.toml"):
            model_keys |= keys([tomllib.loads(path.read_text())], 8)
        ours = json.loads(export(client, "models.dev.json"))
        assert keys(ours.values(), 1) <= provider_keys
        # DERIVED_KEY is our own key, on a model whose ids we built (comparisons.api.compat)
        ours_models = keys([m for p in ours.values() for m in p["models"].values()], 8) - {DERIVED_KEY}
        assert ours_models <= model_keys, ours_models - model_keys
        assert {"cost.tiers.tier.size", "experimental.modes.fast.provider.body.service_tier"} <= ours_models


class TestBothSources:
    """models.dev, then LiteLLM, as the imported catalog is built."""

    @pytest.fixture
    def catalog(self):
        approve(import_tree().changeset)
        approve(import_prices().changeset)

    def test_litellm_export_changes_nothing_and_marks_only_what_litellm_does_not_list(self, client, catalog):
        # offerings only models.dev lists get LiteLLM-style keys of our own, marked as ours
        only_models_dev = Offering.objects.exclude(external_ids__source="litellm").count()
        assert only_models_dev
        assert len(marked(json.loads(export(client, "litellm.json")))) == only_models_dev
        summary = reimport_litellm(client)
        assert summary.changes == 0, (proposed(summary), summary.unmatched)
        assert not summary.unmatched

    def test_models_dev_export_changes_no_price_and_no_crosswalk_row(self, client, catalog):
        only_litellm = Offering.objects.exclude(external_ids__source="models.dev").count()
        assert only_litellm
        body = json.loads(export(client, "models.dev.json"))
        models = {f"{provider}/{model_id}": entry for provider, info in body.items()
                  for model_id, entry in info["models"].items()}  # fmt: skip
        assert len(marked(models)) == only_litellm
        changes = proposed(reimport_models_dev(client))
        assert "prices" not in changes, changes
        assert "external ids" not in changes, changes

    def test_reviewed_amounts_survive_per_token_conversion(self, client, catalog):
        body = json.loads(export(client, "litellm.json"))
        for row in Price.objects.select_related("offering").filter(tier="standard", context_threshold=0):
            if row.dimension != "input":
                continue
            ids = ExternalId.objects.filter(source="litellm", offering=row.offering).values_list("external_id")
            for (external_id,) in ids:
                if external_id in body:
                    got = Decimal(repr(body[external_id]["input_cost_per_token"])) * 1_000_000
                    assert got == row.usd_per_million


class TestImporterRulesTheRoundTripNeeds:
    def test_a_listing_does_not_restate_a_model_its_lab_file_describes(self, tmp_path):
        approve(import_tree().changeset)
        api = json.loads((FIXTURES / "models-dev-api.json").read_text())
        api["openai"]["models"]["gpt-4o"]["limit"]["context"] = 100_000  # the provider's, not the lab file's
        summary = import_source(
            source=models_dev.read_api_json(json.dumps(api).encode(), path="api.json"),
            user=system_user(IMPORTER_ACCOUNT),
            dry_run=True,
        )
        assert summary.counts["models"].changed == 0
        assert summary.counts["offerings"].changed == 1  # gpt-4o on OpenAI states its own context window

    def test_a_litellm_entry_without_a_date_leaves_a_retired_offering_retired(self, client):
        approve(import_prices().changeset)
        entries = json.loads((FIXTURES / "litellm.json").read_text())
        del entries["gpt-4o-2024-05-13"]["deprecation_date"]
        source = litellm.read_json(json.dumps(entries).encode(), path="litellm.json", today=SNAPSHOT_DAY)
        assert "status" not in next(x for x in source.listings if x.external_id == "gpt-4o-2024-05-13").facts
        summary = import_source(source=source, user=system_user(IMPORTER_ACCOUNT), dry_run=True)
        assert summary.counts["offerings"].changed == 0

    def test_models_dev_deprecated_is_not_a_change_to_retired(self, client):
        approve(import_prices().changeset)  # gpt-4o-2024-05-13 retired on OpenAI (its date has passed)
        body = json.loads(export(client, "models.dev.json"))
        assert body["openai"]["models"]["gpt-4o-2024-05-13"]["status"] == "deprecated"
        assert reimport_models_dev(client).counts["offerings"].changed == 0


class TestResidueOfTheRealCatalog:
    """The causes of residue tests/comparisons/test_api_compat_real.py found on the real catalog, in small."""

    def test_a_crosswalk_key_that_reads_back_as_another_provider_model_id_is_not_the_export_s_key(self, client):
        approve(import_tree().changeset)
        approve(import_prices().changeset)
        # LiteLLM lists Bedrock's cross-region profile; the offering records models.dev's in-region id
        bedrock = Offering.objects.get(provider__slug="aws-bedrock", model__slug="gpt-5-4")
        ExternalId.objects.create(source="litellm", external_id="us.openai.gpt-5.4", offering=bedrock)
        body = json.loads(export(client, "litellm.json"))
        assert "us.openai.gpt-5.4" not in body
        assert body["bedrock/openai.gpt-5.4"]["litellm_provider"] == "bedrock"
        # a key the export built for each offering LiteLLM does not list, and Bedrock's: marked, so not recorded
        assert "bedrock/openai.gpt-5.4" in marked(body)
        assert len(marked(body)) == Offering.objects.exclude(external_ids__source="litellm").count() + 1
        summary = reimport_litellm(client)
        assert summary.changes == 0, (proposed(summary), summary.unmatched)

    def test_a_lab_listing_that_states_its_offering_s_own_limit_does_not_restate_the_model(self, client):
        approve(import_prices().changeset)
        Offering.objects.filter(provider__slug="gemini-api", model__slug="gemini-2-5-pro").update(
            context_window=500_000
        )
        body = json.loads(export(client, "litellm.json"))
        assert body["gemini/gemini-2.5-pro"]["max_input_tokens"] == 500_000  # the Gemini API's, not the model's
        summary = reimport_litellm(client)
        assert summary.changes == 0, (proposed(summary), summary.unmatched)

    def test_a_lab_listing_s_deprecated_status_is_its_offering_s_when_the_offering_has_it(self, client):
        approve(import_prices().changeset)
        Offering.objects.filter(provider__slug="openai-api", model__slug="gpt-5-4").update(status="deprecated")
        assert json.loads(export(client, "models.dev.json"))["openai"]["models"]["gpt-5.4"]["status"] == "deprecated"
        summary = reimport_models_dev(client)
        assert summary.counts["models"].changed == 0, [p.change.values for p in summary.planned if p.kind == "models"]
        assert summary.counts["offerings"].changed == 0

    def test_a_lab_api_s_listing_of_another_organization_s_model_describes_only_the_offering(self):
        approve(import_prices().changeset)
        gpt4o = LanguageModel.objects.get(slug="gpt-4o")
        create_offering(model=gpt4o, provider=create_provider(slug="tencent", name="Tencent Cloud"),
                        provider_model_id="gpt-4o", context_window=100_000)  # fmt: skip
        api = {"tencent": {"id": "tencent", "name": "Tencent Cloud", "models": {"gpt-4o": {
            "id": "gpt-4o", "name": "GPT-4o on Tencent", "limit": {"context": 100_000, "output": 16_384},
            "cost": {"input": 1, "output": 2}}}}}  # fmt: skip
        summary = import_source(
            source=models_dev.read_api_json(json.dumps(api).encode(), path="api.json"),
            user=system_user(IMPORTER_ACCOUNT),
            dry_run=True,
        )
        assert summary.skipped["a lab's listing of another organization's model (its model facts not used)"] == 1
        assert (summary.counts["models"].new, summary.counts["models"].changed) == (0, 0)
        assert summary.counts["organizations"].new == 0  # no "tencent" lab for a model it does not make
        assert not summary.unmatched

    def test_a_lab_listing_describes_the_model_it_is_an_offering_of_not_a_twin_its_slug_names(self, client):
        approve(import_prices().changeset)
        # two live models for one id: the twin holds the slug, the other the OpenAI API's offering of it
        twin = LanguageModel.objects.get(slug="gpt-4-1")
        other = create_model(slug="openai-gpt-4-1", name="GPT-4.1 (the one served)", organization=twin.organization)
        Offering.objects.filter(model=twin, provider__slug="openai-api").update(model=other)
        summary = reimport_models_dev(client)
        assert summary.counts["models"].changed == 0, [p.change.values for p in summary.planned if p.kind == "models"]
        assert summary.skipped["model whose slug and own listing name two live models (listing's kept)"] == 1


def list_gpt_4o_at_a_new_host() -> Offering:
    """gpt-4o at a provider neither source lists, through the workflow (its prices reviewed): no crosswalk id in
    either source, so both exports build its key from ours."""
    host = create_provider(slug="host", name="Host")
    source = create_source(url="https://host.example/pricing")
    values = {"model": LanguageModel.objects.get(slug="gpt-4o"), "provider": host, "provider_model_id": "gpt-4o-host"}
    changes = [ProposedChange("create", Offering, values=values, source=source, key="o")]
    for dimension, amount in (("input", "2.5"), ("output", "10")):
        values = {"offering": NewRef("o"), "dimension": dimension, "tier": "standard", "context_threshold": 0,
                  "usd_per_million": Decimal(amount)}  # fmt: skip
        changes.append(ProposedChange("create", Price, values=values, source=source))
    changeset_create_applied(author=system_user("c-author"), reviewer=system_user("c-reviewer", reviewer=True),
                             changes=changes, summary="List gpt-4o at Host")  # fmt: skip
    return Offering.objects.get(provider=host)


class TestDerivedKeys:
    """A key the export built from our ids is marked as ours; the importer matches the entry but records no crosswalk
    row for it. The rule is the marker, not the key: the same key unmarked is an id the source uses."""

    def test_litellm_an_offering_without_a_crosswalk_id_is_exported_marked_and_reads_back_as_nothing(self, client):
        approve(import_prices().changeset)
        list_gpt_4o_at_a_new_host()
        body = json.loads(export(client, "litellm.json"))
        assert body["host/gpt-4o-host"][DERIVED_KEY] is True
        assert body["host/gpt-4o-host"]["litellm_provider"] == "host"
        assert marked(body) == {"host/gpt-4o-host"}  # every other key is LiteLLM's own, from the crosswalk
        assert DERIVED_KEY not in body["gpt-4o"]
        summary = reimport_litellm(client)
        assert summary.changes == 0, (proposed(summary), summary.unmatched)
        assert summary.counts["external ids"].new == 0
        assert summary.counts["offerings"].unchanged == Offering.objects.count()
        assert not summary.unmatched

    def test_models_dev_an_offering_without_a_crosswalk_id_is_exported_marked_and_reads_back_as_nothing(self, client):
        approve(import_tree().changeset)
        list_gpt_4o_at_a_new_host()
        body = json.loads(export(client, "models.dev.json"))
        assert body["host"]["models"]["gpt-4o-host"][DERIVED_KEY] is True
        assert DERIVED_KEY not in body["openai"]["models"]["gpt-4o"]
        summary = reimport_models_dev(client)
        assert summary.changes == 0, (proposed(summary), summary.unmatched)
        assert summary.counts["external ids"].new == 0
        assert summary.counts["offerings"].unchanged == Offering.objects.count()

    @pytest.mark.parametrize("marker", [None, False, "true"], ids=["absent", "false", "a string"])
    def test_the_same_key_unmarked_in_a_litellm_file_is_recorded_in_the_crosswalk(self, client, marker):
        approve(import_prices().changeset)
        offering = list_gpt_4o_at_a_new_host()
        entries = json.loads(export(client, "litellm.json"))
        del entries["host/gpt-4o-host"][DERIVED_KEY]
        if marker is not None:
            entries["host/gpt-4o-host"][DERIVED_KEY] = marker  # only JSON true marks a key as ours
        source = litellm.read_json(json.dumps(entries).encode(), path="litellm.json", today=SNAPSHOT_DAY)
        summary = import_source(source=source, user=system_user(IMPORTER_ACCOUNT), dry_run=True)
        assert proposed(summary) == {"external ids": (1, 0)}
        (row,) = [p.change.values for p in summary.planned]
        assert (row["source"], row["external_id"], row["offering"]) == ("litellm", "host/gpt-4o-host", offering)

    def test_the_same_model_unmarked_in_a_models_dev_api_json_is_recorded_in_the_crosswalk(self, client):
        approve(import_tree().changeset)
        offering = list_gpt_4o_at_a_new_host()
        api = json.loads(export(client, "models.dev.json"))
        del api["host"]["models"]["gpt-4o-host"][DERIVED_KEY]
        summary = import_source(
            source=models_dev.read_api_json(json.dumps(api).encode(), path="api.json"),
            user=system_user(IMPORTER_ACCOUNT),
            dry_run=True,
        )
        assert proposed(summary) == {"external ids": (1, 0)}
        (row,) = [p.change.values for p in summary.planned]
        assert (row["external_id"], row["offering"]) == ("providers/host/models/gpt-4o-host", offering)
