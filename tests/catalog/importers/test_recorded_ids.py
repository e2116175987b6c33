"""The recorded-id rule: a listing or model is the live model whose offering at that provider records its id.

The live catalog is the curated demo catalog (its offerings record the providers' model ids, often dated
snapshot ids beside an undated slug: Cohere's `command-a-03-2025` is our `command-a`, Bedrock's
`anthropic.claude-3-5-haiku-20241022-v1:0` our `claude-3-5-haiku`).
"""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
from django.db import transaction

from catalog import export
from catalog.demo import load_demo_catalog
from catalog.importers import IMPORTER_ACCOUNT, litellm, llmref, models_dev
from catalog.importers.matching import provider_id_key
from catalog.importers.plan import import_source, recorded_id_key
from catalog.models import ExternalId, LanguageModel, Offering, Provider, Source
from catalog.review.services import ProposedChange, changeset_approve, changeset_create_applied, system_user
from tests.catalog.workflow_support import create_reviewer

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 20)
TREE = {
    "models/cohere/command-a-03-2025.toml": """
name = "Command A (03-2025)"
release_date = "2025-03-13"
knowledge = "2024-06"
tool_call = true

[limit]
context = 256_000
output = 8_000
""",
    "providers/cohere/provider.toml": 'name = "Cohere"\n',
    "providers/cohere/models/command-a-03-2025.toml": """
base_model = "cohere/command-a-03-2025"

[cost]
input = 2.50
output = 10.00
""",
    # A dated snapshot no live offering records: another model, not gpt-4o.
    "models/openai/gpt-4o-2024-11-20.toml": """
name = "GPT-4o (2024-11-20)"
release_date = "2024-11-20"

[limit]
context = 128_000
output = 16_384
""",
    "providers/openai/provider.toml": 'name = "OpenAI"\n',
    "providers/openai/models/gpt-4o-2024-11-20.toml": """
base_model = "openai/gpt-4o-2024-11-20"

[cost]
input = 2.50
output = 10.00
""",
}
PRICES = {
    "claude-3-5-haiku-20241022": {
        "litellm_provider": "anthropic",
        "mode": "chat",
        "input_cost_per_token": "8e-07",
        "output_cost_per_token": "4e-06",
        "max_input_tokens": 200000,
        "max_output_tokens": 8192,
    },
    "anthropic.claude-3-5-haiku-20241022-v1:0": {
        "litellm_provider": "bedrock",
        "mode": "chat",
        "input_cost_per_token": "8e-07",
        "output_cost_per_token": "4e-06",
    },
    "bedrock/us-east-1/anthropic.claude-3-5-haiku-20241022-v1:0": {
        "litellm_provider": "bedrock",
        "mode": "chat",
        "input_cost_per_token": "8e-07",
        "output_cost_per_token": "4e-06",
    },
    "gpt-4o-2024-05-13": {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": "5e-06",
        "output_cost_per_token": "1.5e-05",
    },
}


@pytest.fixture
def tree(tmp_path: Path) -> str:
    for name, text in TREE.items():
        path = tmp_path / "models.dev" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(tmp_path / "models.dev")


@pytest.fixture
def prices(tmp_path: Path) -> str:
    path = tmp_path / "prices.json"
    # numbers as JSON numbers, as LiteLLM writes them
    path.write_text(json.dumps(PRICES).replace('"8e-07"', "8e-07").replace('"4e-06"', "4e-06"))
    path.write_text(path.read_text().replace('"5e-06"', "5e-06").replace('"1.5e-05"', "1.5e-05"))
    return str(path)


def import_tree(location: str):
    return import_source(source=models_dev.read(location), user=system_user(IMPORTER_ACCOUNT), revision="abc123")


def import_prices(location: str):
    source = litellm.read(location, today=DAY)
    return import_source(source=source, user=system_user(IMPORTER_ACCOUNT), revision="v1.110.2")


def approve(changeset) -> None:
    assert changeset_approve(
        changeset=changeset, user=create_reviewer(f"reviewer-{changeset.pk}"), acknowledge_warnings=True
    ), changeset.problems


def proposed(changeset, model_name: str) -> list[tuple[str, str, dict]]:
    return [
        (item.action, item.object_repr, item.changes)
        for item in changeset.items.filter(content_type__model=model_name).order_by("pk")
    ]


def created_slugs(changeset) -> set[str]:
    return {c["slug"][1] for action, _repr, c in proposed(changeset, "languagemodel") if action == "create"}


def record_twice(*, provider_slug: str, provider_model_id: str, on: str) -> None:
    """Give the live model `on` an offering at the provider recording an id another live model records."""
    changeset_create_applied(
        author=system_user("curator"),
        reviewer=system_user("curator-reviewer", reviewer=True),
        changes=[
            ProposedChange(
                "create",
                Offering,
                values={
                    "model": LanguageModel.objects.get(slug=on),
                    "provider": Provider.objects.get(slug=provider_slug),
                    "provider_model_id": provider_model_id,
                },
                source=Source.objects.first(),
            )
        ],
        summary="A second model recording the same id.",
    )


class TestNormalisation:
    @pytest.mark.parametrize(
        ("provider", "left", "right", "same"),
        [
            (
                "aws-bedrock",
                "anthropic.claude-3-5-haiku-20241022-v1:0",
                "us-east-1/anthropic.claude-3-5-haiku-20241022-v1:0",
                True,
            ),  # noqa: E501
            (
                "aws-bedrock",
                "us.anthropic.claude-3-5-haiku-20241022-v1:0",
                "anthropic.claude-3-5-haiku-20241022-v1:0",
                True,
            ),  # noqa: E501
            (
                "aws-bedrock",
                "anthropic.claude-3-5-sonnet-20240620-v1:0",
                "anthropic.claude-3-5-sonnet-20241022-v2:0",
                False,
            ),  # noqa: E501
            ("openai-api", "gpt-4o-2024-05-13", "gpt-4o-2024-11-20", False),
            ("openai-api", "gpt-4o-2024-05-13", "gpt-4o", False),
            ("deepinfra", "meta-llama/Llama-3.3-70B-Instruct", "meta-llama/llama-3.3-70b-instruct", True),
            ("openrouter", "openai/gpt-4o", "openai/gpt-4o-mini", False),
        ],
    )
    def test_two_ids_at_one_provider_are_the_same_only_by_the_written_normalisation(self, provider, left, right, same):
        assert (recorded_id_key(provider, left) == recorded_id_key(provider, right)) is same

    def test_the_key_is_the_listing_normalisation_without_route(self):
        assert provider_id_key("claude-opus-4-1@20250805", dotted_vendors=False) == "*/claude-opus-4-1-20250805"
        assert provider_id_key("command-a-03-2025", dotted_vendors=False, own_lab="cohere") == (
            "cohere/command-a-03-2025"
        )


class TestModelsDev:
    def test_a_dated_lab_model_a_live_first_party_offering_records_is_that_model(self, tree):
        load_demo_catalog()
        command_a = LanguageModel.objects.get(slug="command-a")
        models_before = LanguageModel.objects.count()
        summary = import_tree(tree)
        changeset = summary.changeset
        # No new Command A: its facts go to the live model (the live name stays), the new one is gpt-4o's snapshot.
        assert created_slugs(changeset) == {"gpt-4o-2024-11-20"}
        updates = [(r, c) for a, r, c in proposed(changeset, "languagemodel") if a == "update"]
        assert updates == [("Command A", {"knowledge_cutoff": [None, "2024-06-01"]})]  # the rest is unchanged
        approve(changeset)
        assert LanguageModel.objects.count() == models_before + 1
        command_a.refresh_from_db()
        assert command_a.name == "Command A" and command_a.knowledge_cutoff == datetime.date(2024, 6, 1)
        crosswalk = {e.external_id: (e.model, e.offering) for e in ExternalId.objects.filter(source="models.dev")}
        assert crosswalk["models/cohere/command-a-03-2025"] == (command_a, None)
        assert crosswalk["providers/cohere/models/command-a-03-2025"][1] == Offering.objects.get(
            model=command_a, provider__slug="cohere-api"
        )
        # gpt-4o keeps only its own offerings; its dated snapshot is another model
        assert not Offering.objects.filter(model__slug="gpt-4o", provider_model_id="gpt-4o-2024-11-20").exists()
        assert import_tree(tree).changeset is None  # the second import proposes nothing

    def test_an_id_two_live_models_record_matches_neither(self, tree):
        load_demo_catalog()
        record_twice(provider_slug="cohere-api", provider_model_id="command-a-03-2025", on="claude-3-haiku")
        summary = import_tree(tree)
        assert summary.skipped["model id recorded by two or more live models (not matched by it)"] == 1
        assert summary.skipped["listing id recorded by two or more live models (unmatched)"] == 1
        # a new model, never one of the two
        assert created_slugs(summary.changeset) == {"command-a-03-2025", "gpt-4o-2024-11-20"}
        assert "providers/cohere/models/command-a-03-2025" in {u[0] for u in summary.unmatched}


class TestLiteLLM:
    def test_listings_whose_id_a_live_offering_records_join_that_model(self, prices):
        load_demo_catalog()
        haiku = LanguageModel.objects.get(slug="claude-3-5-haiku")
        summary = import_prices(prices)
        approve(summary.changeset)
        assert not LanguageModel.objects.filter(slug__startswith="claude-3-5-haiku-").exists()
        assert LanguageModel.objects.filter(slug="gpt-4o-2024-05-13").exists()  # a dated id nobody records
        haiku.refresh_from_db()
        assert haiku.name == "Claude 3.5 Haiku"
        offerings = {o.provider.slug: o.provider_model_id for o in haiku.offerings.select_related("provider")}
        assert offerings == {
            "aws-bedrock": "anthropic.claude-3-5-haiku-20241022-v1:0",
            "anthropic-api": "claude-3-5-haiku-20241022",
        }
        crosswalk = {e.external_id: e.offering for e in ExternalId.objects.filter(source="litellm")}
        bedrock = haiku.offerings.get(provider__slug="aws-bedrock")
        assert crosswalk["anthropic.claude-3-5-haiku-20241022-v1:0"] == bedrock
        assert crosswalk["bedrock/us-east-1/anthropic.claude-3-5-haiku-20241022-v1:0"] == bedrock  # normalised
        assert crosswalk["claude-3-5-haiku-20241022"] == haiku.offerings.get(provider__slug="anthropic-api")
        assert import_prices(prices).changeset is None

    def test_an_id_two_live_models_record_is_unmatched(self, prices):
        load_demo_catalog()
        bedrock_id = "anthropic.claude-3-5-haiku-20241022-v1:0"
        record_twice(provider_slug="aws-bedrock", provider_model_id=bedrock_id, on="claude-3-haiku")
        summary = import_prices(prices)
        unmatched = {u[0] for u in summary.unmatched}
        assert "anthropic.claude-3-5-haiku-20241022-v1:0" in unmatched
        assert summary.skipped["listing id recorded by two or more live models (unmatched)"] == 2
        # the regional listing is the same id only by normalisation, which both recorded ids share: unmatched
        assert "bedrock/us-east-1/anthropic.claude-3-5-haiku-20241022-v1:0" in unmatched
        # nothing names claude-3-5-haiku any more: Anthropic's own entry is a model of its own
        assert created_slugs(summary.changeset) == {"claude-3-5-haiku-20241022", "gpt-4o-2024-05-13"}


def export_of(build) -> llmref.ExportDocument:
    with transaction.atomic():
        build()
        out = io.StringIO()
        export.write_json(out)
        transaction.set_rollback(True)
    return llmref.parse(out.getvalue().encode(), location="snapshot.json")


class TestLlmref:
    def test_a_snapshot_like_export_imported_onto_the_demo_adds_no_twins(self, tree, prices):
        def snapshot():  # as build_catalog_snapshot does: both catalogs into an empty database
            approve(import_tree(tree).changeset)
            approve(import_prices(prices).changeset)

        doc = export_of(snapshot)
        slugs = {row["slug"] for row in doc.rows["models"]}
        assert {"command-a-03-2025", "claude-3-5-haiku-20241022", "gpt-4o-2024-11-20", "gpt-4o-2024-05-13"} <= slugs
        load_demo_catalog()
        before = set(LanguageModel.objects.values_list("slug", flat=True))
        summary = llmref.import_export(doc=doc, user=system_user(IMPORTER_ACCOUNT))
        approve(summary.changeset)
        added = set(LanguageModel.objects.values_list("slug", flat=True)) - before
        assert added == {"gpt-4o-2024-11-20", "gpt-4o-2024-05-13"}  # dated ids no live offering records
        haiku = LanguageModel.objects.get(slug="claude-3-5-haiku")
        assert haiku.name == "Claude 3.5 Haiku"
        assert set(haiku.offerings.values_list("provider__slug", "provider_model_id")) == {
            ("aws-bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0"),
            ("anthropic-api", "claude-3-5-haiku-20241022"),
        }
        command_a = LanguageModel.objects.get(slug="command-a")
        assert command_a.knowledge_cutoff == datetime.date(2024, 6, 1)
        assert ExternalId.objects.get(external_id="models/cohere/command-a-03-2025").model == command_a
        assert ExternalId.objects.get(external_id="claude-3-5-haiku-20241022").offering.model == haiku
        assert llmref.import_export(doc=doc, user=system_user(IMPORTER_ACCOUNT)).changeset is None

    def test_an_exported_model_whose_ids_name_two_live_models_is_not_matched(self, tree, prices):
        doc = export_of(lambda: approve(import_prices(prices).changeset))
        # the exported claude-3-5-haiku-20241022 also gets an offering whose id the live claude-3-haiku records
        row = next(r for r in doc.rows["offerings"] if r["provider_model_id"] == "claude-3-5-haiku-20241022")
        doc.rows["offerings"].append({**row, "provider": "openrouter", "provider_model_id": "anthropic/claude-3-haiku"})
        load_demo_catalog()
        summary = llmref.import_export(doc=doc, user=system_user(IMPORTER_ACCOUNT), dry_run=True)
        assert summary.skipped["model whose recorded ids name two or more live models (not matched)"] == 1
        assert summary.counts["models"].new == 2  # claude-3-5-haiku-20241022 and gpt-4o-2024-05-13
