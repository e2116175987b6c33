"""Imports through review: one submitted change set, only real differences, idempotence, disagreements."""

import datetime
import io
import json
import urllib.error
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from catalog.importers import IMPORTER_ACCOUNT, common, litellm, models_dev
from catalog.importers.plan import import_source, prices_disagree
from catalog.models import (
    ChangeItem,
    ChangeSet,
    ExternalId,
    LanguageModel,
    Offering,
    Price,
    Provider,
    Source,
    SourceDisagreement,
)
from catalog.review.services import ProposedChange, changeset_approve, changeset_create_applied, system_user
from tests.auth_support import sign_in
from tests.catalog.workflow_support import create_reviewer

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
TREE = str(FIXTURES / "models.dev")
PRICES = str(FIXTURES / "litellm.json")
SNAPSHOT_DAY = datetime.date(2026, 11, 20)


def import_tree(**kwargs):
    return import_source(source=models_dev.read(TREE), user=system_user(IMPORTER_ACCOUNT), revision="abc123", **kwargs)


def import_prices(**kwargs):
    source = litellm.read(PRICES, today=SNAPSHOT_DAY)
    return import_source(source=source, user=system_user(IMPORTER_ACCOUNT), revision="v1.110.2", **kwargs)


def approve(changeset):
    assert changeset_approve(
        changeset=changeset, user=create_reviewer(f"reviewer-{changeset.pk}"), acknowledge_warnings=True
    ), changeset.problems


def price(model_slug, provider_slug, dimension="input", tier="standard", threshold=0):
    return Price.objects.get(
        offering__model__slug=model_slug,
        offering__provider__slug=provider_slug,
        dimension=dimension,
        tier=tier,
        context_threshold=threshold,
    ).usd_per_million


class TestModelsDevImport:
    def test_one_submitted_change_set_by_the_importer_citing_a_source_per_file(self):
        summary = import_tree()
        changeset = summary.changeset
        assert changeset.state == ChangeSet.State.SUBMITTED
        assert changeset.author.username == IMPORTER_ACCOUNT
        assert not changeset.items.filter(source__isnull=True).exists()
        urls = set(changeset.items.values_list("source__url", flat=True))
        assert "https://github.com/anomalyco/models.dev/blob/abc123/providers/openai/models/gpt-5.4.toml" in urls
        assert ChangeSet.objects.count() == 1
        # nothing live yet: the importer only proposes
        assert not LanguageModel.objects.exists()

    def test_applied_import_maps_prices_limits_and_one_model_per_real_model(self):
        approve(import_tree().changeset)
        gpt54 = LanguageModel.objects.get(slug="gpt-5-4")
        # the lab file, the OpenAI listing, Bedrock's base_model listing: one model, three offerings
        assert sorted(gpt54.offerings.values_list("provider__slug", flat=True)) == ["aws-bedrock", "openai-api"]
        assert gpt54.context_window == 1_050_000
        assert price("gpt-5-4", "openai-api", threshold=272_000) == Decimal(5)
        assert price("gpt-5-4", "openai-api", tier="priority") == Decimal(5)
        assert price("gpt-5-4", "aws-bedrock", "cache_read") == Decimal("0.275")
        bedrock = Offering.objects.get(model=gpt54, provider__slug="aws-bedrock")
        assert bedrock.context_window == 272_000  # differs from the model's, so the offering states it
        gpt4o = LanguageModel.objects.get(slug="gpt-4o")
        assert gpt4o.knowledge_cutoff == datetime.date(2023, 10, 1)
        assert gpt4o.knowledge_cutoff_precision == "month"
        assert gpt4o.vision is True and gpt4o.function_calling is True
        assert gpt4o.license.slug == "proprietary"
        assert price("gpt-4o", "openrouter") == Decimal("2.5")  # 2.4999999999999996 in the file
        assert price("gpt-4o", "openrouter", "cache_read") == Decimal("0.1")
        # a date-suffixed model is its own model, deprecated, never merged into gpt-4o
        dated = LanguageModel.objects.get(slug="gpt-4o-2024-05-13")
        assert dated.status == "deprecated"
        assert not Offering.objects.filter(model=gpt4o, provider_model_id="gpt-4o-2024-05-13").exists()
        # the crosswalk holds every matched id
        assert ExternalId.objects.get(source="models.dev", external_id="models/openai/gpt-4o").model == gpt4o
        copilot = ExternalId.objects.get(source="models.dev", external_id="providers/github-copilot/models/gpt-4o")
        assert copilot.offering.model == gpt4o
        # a fact inherited from the lab file cites the lab file
        bedrock_ids = ExternalId.objects.get(external_id="providers/amazon-bedrock/models/openai.gpt-5.4")
        assert bedrock_ids.offering == bedrock

    def test_unmatched_listings_are_listed_not_imported(self):
        summary = import_tree()
        unmatched = {external_id for external_id, _provider, _tried in summary.unmatched}
        assert unmatched == {
            "providers/openrouter/models/openai/gpt-4o-mini",  # no such canonical model: never "gpt-4o"
            "providers/openrouter/models/thedrummer/cydonia-24b",
            "providers/amazon-bedrock/models/us.anthropic.claude-opus-9",
        }
        assert summary.counts["models"].new == 3

    def test_second_import_proposes_nothing(self):
        approve(import_tree().changeset)
        before = (ChangeSet.objects.count(), ChangeItem.objects.count(), Source.objects.count())
        summary = import_tree()
        assert summary.changeset is None
        assert summary.changes == 0
        assert (ChangeSet.objects.count(), ChangeItem.objects.count(), Source.objects.count()) == before
        assert summary.counts["prices"].new == 0 and summary.counts["prices"].changed == 0
        assert summary.counts["prices"].unchanged > 0

    def test_dry_run_writes_nothing(self):
        out = io.StringIO()
        call_command("import_catalog", "models.dev", TREE, "--dry-run", stdout=out)
        assert not ChangeSet.objects.exists()
        assert not Source.objects.exists()
        assert not ExternalId.objects.exists()
        text = out.getvalue()
        assert "Dry run (nothing written) of models.dev" in text
        assert "models: 3 new, 0 changed, 0 unchanged" in text
        assert "embedding model: 1" in text
        assert "unmatched listings (for an editor to map): 3" in text

    def test_api_json_imports_like_the_tree(self):
        source = models_dev.read(str(FIXTURES / "models-dev-api.json"))
        summary = import_source(source=source, user=system_user(IMPORTER_ACCOUNT))
        approve(summary.changeset)
        assert price("gpt-4o", "openrouter", "output") == Decimal(10)
        assert Source.objects.filter(url="https://models.dev/api.json").exists()


class TestLiteLLMImport:
    def test_listings_of_one_model_share_it_and_regions_do_not_win(self):
        approve(import_prices().changeset)
        gpt4o = LanguageModel.objects.get(slug="gpt-4o")
        assert sorted(gpt4o.offerings.values_list("provider__slug", flat=True)) == ["azure-ai-foundry", "openai-api"]
        assert price("gpt-4o", "azure-ai-foundry") == Decimal("2.5")  # not the EU listing's 2.75
        assert ExternalId.objects.get(source="litellm", external_id="azure/eu/gpt-4o").offering.model == gpt4o
        assert price("gpt-4o", "openai-api", tier="batch") == Decimal("1.25")
        assert price("gpt-4-1", "openai-api", tier="flex") == Decimal(1)
        opus = LanguageModel.objects.get(slug="claude-opus-4-1")
        assert Offering.objects.get(model=opus, provider__slug="aws-bedrock").provider_model_id == (
            "us-east-1/anthropic.claude-opus-4-1-v1:0"
        )
        assert price("claude-opus-4-1", "aws-bedrock") == Decimal("16.5")
        assert price("claude-opus-4-1", "anthropic-api", "cache_write_1h") == Decimal(30)
        assert price("gemini-2-5-pro", "gemini-api", "output", threshold=200_000) == Decimal(15)
        kinds = dict(Provider.objects.values_list("slug", "kind"))
        assert kinds["gemini-api"] == kinds["anthropic-api"] == "first_party"
        assert kinds["azure-ai-foundry"] == kinds["aws-bedrock"] == "cloud"

    def test_deprecation_successor_and_no_guessing(self):
        summary = import_prices()
        approve(summary.changeset)
        dated = LanguageModel.objects.get(slug="gpt-4o-2024-05-13")
        assert dated.successor.slug == "gpt-4o"
        assert dated.deprecation_date == datetime.date(2026, 6, 30)
        assert Offering.objects.get(model=dated).status == "retired"
        unmatched = {external_id for external_id, _provider, _tried in summary.unmatched}
        assert unmatched == {"openrouter/openai/gpt-4o-mini", "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo"}

    def test_second_import_proposes_nothing(self):
        approve(import_prices().changeset)
        summary = import_prices()
        assert summary.changeset is None and summary.changes == 0

    def test_two_records_of_one_model_make_one_model(self, tmp_path):
        entry = {"litellm_provider": "mistral", "mode": "chat", "input_cost_per_token": 1e-06}
        entry["output_cost_per_token"] = 2e-06
        data = {"mistral/medium-3-5": {**entry, "deprecation_date": "2027-04-30"}, "mistral/medium-3.5": entry}
        path = tmp_path / "prices.json"
        path.write_text(json.dumps(data))
        user = system_user(IMPORTER_ACCOUNT)
        summary = import_source(source=litellm.read(str(path), today=SNAPSHOT_DAY), user=user)
        assert summary.counts["models"].new == 1
        assert summary.skipped["another record of the same model (its facts not used)"] == 1
        approve(summary.changeset)
        (model,) = LanguageModel.objects.all()
        assert set(model.external_ids.values_list("external_id", flat=True)) | set(
            ExternalId.objects.filter(offering__model=model).values_list("external_id", flat=True)
        ) == {"mistral/medium-3-5", "mistral/medium-3.5"}
        again = import_source(source=litellm.read(str(path), today=SNAPSHOT_DAY), user=user)
        assert again.changes == 0

    def test_a_price_a_live_row_refuses_is_not_proposed_so_the_set_applies(self, tmp_path):
        approve(import_prices().changeset)
        row = Price.objects.get(
            offering__model__slug="gpt-4o", offering__provider__slug="openai-api", dimension="input", tier="standard"
        )
        # a live batch price of $2 that this import leaves alone: the import's standard $1.50 would be below it
        batch = Price.objects.get(offering=row.offering, dimension="input", tier="batch")
        curated = Source.objects.create(url="https://example.com/batch", title="Batch", retrieved_on=SNAPSHOT_DAY)
        changeset_create_applied(
            author=system_user("curator"),
            reviewer=system_user("curation-reviewer", reviewer=True),
            changes=[
                ProposedChange("update", Price, values={"usd_per_million": Decimal(2)}, target=batch, source=curated),
                ProposedChange("update", Price, values={"usd_per_million": Decimal(3)}, target=row, source=curated),
            ],
            summary="Curated prices.",
        )
        data = json.loads(Path(PRICES).read_text())
        data["gpt-4o"]["input_cost_per_token"] = 1.5e-06
        data["gpt-4o"]["output_cost_per_token"] = 1.2e-05  # a change that is proposed
        data["gpt-4o"].pop("input_cost_per_token_batches")
        path = tmp_path / "prices.json"
        path.write_text(json.dumps(data))
        summary = import_source(source=litellm.read(str(path), today=SNAPSHOT_DAY), user=system_user(IMPORTER_ACCOUNT))
        assert any(key == "gpt-4o" and why.startswith("input / standard / 0") for key, why in summary.refused)
        approve(summary.changeset)
        assert price("gpt-4o", "openai-api") == Decimal(3)
        assert price("gpt-4o", "openai-api", "output") == Decimal(12)


class TestDisagreements:
    def test_litellm_price_differing_from_the_models_dev_one_is_flagged_with_both_sources(self):
        approve(import_tree().changeset)
        summary = import_prices()
        row = Price.objects.get(
            offering__model__slug="gpt-5-4",
            offering__provider__slug="openai-api",
            dimension="input",
            tier="standard",
            context_threshold=0,
        )
        flag = SourceDisagreement.objects.get(object_id=row.pk, field="usd_per_million")
        assert (flag.live_value, flag.imported_value) == ("2.5", "2.75")
        assert flag.live_source.url.endswith("providers/openai/models/gpt-5.4.toml")
        assert "litellm" in flag.imported_source.url
        # the same value from both sources is no disagreement (gpt-4o's input on OpenAI); a status is one
        assert summary.disagreements == SourceDisagreement.objects.count() == 2
        status = SourceDisagreement.objects.get(field="status")
        assert (status.live_value, status.imported_value) == ("deprecated", "retired")
        # LiteLLM's listings of models.dev models join them: one gpt-5.4
        assert LanguageModel.objects.filter(name__icontains="gpt-5.4").count() == 1

    def test_a_curated_price_against_an_imported_one(self):
        approve(import_tree().changeset)
        curated = Source.objects.create(
            url="https://openai.com/api/pricing", title="OpenAI pricing", retrieved_on=SNAPSHOT_DAY
        )
        row = Price.objects.get(
            offering__model__slug="gpt-4o", offering__provider__slug="openai-api", dimension="input", tier="standard"
        )
        author, reviewer = system_user("curator"), system_user("curation-reviewer", reviewer=True)
        changeset_create_applied(
            author=author,
            reviewer=reviewer,
            changes=[
                ProposedChange("update", Price, values={"usd_per_million": Decimal("2.00")}, target=row, source=curated)
            ],
            summary="Curated price.",
        )
        summary = import_tree()
        assert summary.disagreements == 1
        flag = SourceDisagreement.objects.get()
        assert (flag.live_value, flag.imported_value) == ("2", "2.5")
        assert flag.live_source == curated
        assert flag.imported_source.url.endswith("providers/openai/models/gpt-4o.toml")
        assert flag.change_item.changeset == summary.changeset
        assert SourceDisagreement.objects.open().count() == 1
        # the model page says so beside the reviewed value; the review table shows both values and sources
        page = Client().get(reverse("comparisons:model-detail", args=["gpt-4o"])).content.decode()
        assert page.count("sources disagree</span>") == 1
        reviewer = create_reviewer()
        admin = sign_in(Client(), reviewer)
        review = admin.get(reverse("admin:catalog_changeset_change", args=[summary.changeset.pk])).content.decode()
        assert "Sources disagree on usd_per_million: live 2 (OpenAI pricing) vs imported 2.5 (models.dev:" in review
        summary.changeset.reject(user=reviewer, comment="The curated price stands.")
        assert not SourceDisagreement.objects.open().exists()
        page = Client().get(reverse("comparisons:model-detail", args=["gpt-4o"])).content.decode()
        assert "sources disagree</span>" not in page

    @pytest.mark.parametrize(
        ("live", "imported", "expected"),
        [
            ("2.50", "2.504", False),  # under half a cent
            ("0.10", "0.104", False),  # under half a cent, though 4%
            ("100", "100.5", False),  # half a cent and more, but only 0.5%
            ("2.50", "2.60", True),
            ("0.30", "0.15", True),
        ],
    )
    def test_tolerance(self, live, imported, expected, settings):
        assert prices_disagree(Decimal(live), Decimal(imported), (Decimal("0.005"), Decimal("0.01"))) is expected

    def test_tolerance_is_a_setting(self, settings):
        settings.IMPORT_PRICE_TOLERANCE = ("0", "0")
        from catalog.importers.plan import price_tolerance

        assert price_tolerance() == (Decimal(0), Decimal(0))


class TestCommand:
    def test_as_user_and_unknown_user(self, django_user_model):
        editor = django_user_model.objects.create_user("editor")
        call_command("import_catalog", "litellm", PRICES, "--as", "editor", stdout=io.StringIO())
        assert ChangeSet.objects.get().author == editor
        with pytest.raises(CommandError, match="--as nobody: no such user"):
            call_command("import_catalog", "litellm", PRICES, "--as", "nobody", stdout=io.StringIO())

    def test_file_url(self):
        out = io.StringIO()
        call_command("import_catalog", "litellm", (FIXTURES / "litellm.json").as_uri(), "--dry-run", stdout=out)
        assert "Dry run (nothing written) of litellm" in out.getvalue()

    def test_unreachable_url_is_a_clear_error(self):
        with (
            mock.patch("urllib.request.urlopen", side_effect=urllib.error.URLError("connection refused")),
            pytest.raises(CommandError, match="Cannot fetch https://example.invalid/prices.json"),
        ):
            call_command("import_catalog", "litellm", "https://example.invalid/prices.json", stdout=io.StringIO())

    def test_size_limit(self, monkeypatch):
        monkeypatch.setattr(common, "FETCH_MAX_BYTES", 100)
        with pytest.raises(CommandError, match="larger than 100 bytes"):
            call_command("import_catalog", "litellm", (FIXTURES / "litellm.json").as_uri(), stdout=io.StringIO())

    def test_missing_path_and_not_json(self, tmp_path):
        with pytest.raises(CommandError, match="no such file"):
            call_command("import_catalog", "litellm", str(tmp_path / "nope.json"), stdout=io.StringIO())
        bad = tmp_path / "bad.json"
        bad.write_text("{not json")
        with pytest.raises(CommandError, match="not JSON"):
            call_command("import_catalog", "litellm", str(bad), stdout=io.StringIO())
