"""/api/v1/resolve over the crosswalk of a catalog imported from the importers' fixtures: ids that must match, must
not match, and are ambiguous. The crosswalk answers first, then recorded provider model ids, then the written
normalisation rules of catalog.importers.matching; nothing fuzzy."""

from __future__ import annotations

import pytest

from catalog.models import ExternalId
from comparisons.api.resolve import read_id
from tests.catalog.importers.test_import import approve, import_prices, import_tree
from tests.factories import create_model, create_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported():
    approve(import_tree().changeset)
    approve(import_prices().changeset)


def resolve(client, source: str, external_id: str):
    return client.get("/api/v1/resolve", {"source": source, "id": external_id})


class TestMustMatch:
    @pytest.mark.parametrize(
        ("source", "external_id", "model", "provider", "matched_by"),
        [
            # recorded by the importers
            ("litellm", "azure/eu/gpt-4o", "gpt-4o", "azure-ai-foundry", "crosswalk"),
            ("litellm", "bedrock/us-east-1/anthropic.claude-opus-4-1-v1:0", "claude-opus-4-1", "aws-bedrock",
             "crosswalk"),
            ("litellm", "gemini/gemini-2.5-pro", "gemini-2-5-pro", "gemini-api", "crosswalk"),
            ("models.dev", "providers/github-copilot/models/gpt-4o", "gpt-4o", "github-copilot", "crosswalk"),
            ("models.dev", "openai/gpt-4o", "gpt-4o", "openai-api", "crosswalk"),  # api.json's provider/model
            ("models.dev", "amazon-bedrock/openai.gpt-5.4", "gpt-5-4", "aws-bedrock", "crosswalk"),
            ("models.dev", "models/openai/gpt-5.4", "gpt-5-4", None, "crosswalk"),  # the lab file: a model
            ("openrouter", "openai/gpt-4o", "gpt-4o", "openrouter", "crosswalk"),  # models.dev's openrouter listing
            # not recorded: the written rules (region, Bedrock version suffix, vendor prefix)
            ("litellm", "bedrock/eu-west-3/anthropic.claude-opus-4-1-v1:0", "claude-opus-4-1", "aws-bedrock",
             "normalisation"),
            ("litellm", "bedrock/global.anthropic.claude-opus-4-1-v1:0", "claude-opus-4-1", "aws-bedrock",
             "normalisation"),
            ("litellm", "azure/us/gpt-4.1", "gpt-4-1", None, "normalisation"),  # no Azure offering of it
            ("openrouter", "anthropic/claude-opus-4-1", "claude-opus-4-1", None, "normalisation"),
            ("models.dev", "openrouter/anthropic/claude-opus-4-1", "claude-opus-4-1", None, "normalisation"),
        ],
    )  # fmt: skip
    def test_resolves(self, client, imported, source, external_id, model, provider, matched_by):
        response = resolve(client, source, external_id)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["model"], body["matched_by"]) == (model, matched_by)
        assert (body["offering"] or {}).get("provider") == provider

    def test_an_editors_mapping_wins_over_the_rules(self, client, imported):
        from catalog.models import LanguageModel

        ExternalId.objects.create(
            source="openrouter", external_id="openai/gpt-4.1", model=LanguageModel.objects.get(slug="gpt-4o")
        )
        body = resolve(client, "openrouter", "openai/gpt-4.1").json()
        assert (body["model"], body["matched_by"]) == ("gpt-4o", "crosswalk")

    def test_bounded_queries(self, client, imported, django_assert_max_num_queries):
        for source, external_id in [("litellm", "bedrock/eu-west-3/anthropic.claude-opus-4-1-v1:0"),
                                    ("openrouter", "nobody/nothing"), ("models.dev", "openai/gpt-4o")]:  # fmt: skip
            with django_assert_max_num_queries(8):  # 7 + the catalog revision for the ETag
                resolve(client, source, external_id)


class TestMustNotMatch:
    @pytest.mark.parametrize(
        ("source", "external_id"),
        [
            ("litellm", "openrouter/openai/gpt-4o-mini"),  # a smaller model, never "gpt-4o"
            ("litellm", "gpt-4o-2024-08-06"),  # a date suffix is another model unless the source says so
            ("litellm", "vertex_ai/claude-opus-4-1@20250805"),  # a snapshot: claude-opus-4-1-20250805
            ("litellm", "azure/gpt-4o-mini"),
            ("models.dev", "openai/gpt-4"),
            ("models.dev", "providers/openrouter/models/thedrummer/cydonia-24b"),  # listed, but matched nothing
            ("openrouter", "meta-llama/llama-3.3-70b-instruct"),
            ("openrouter", "openai/gpt-4o:free"),
        ],
    )
    def test_does_not_match(self, client, imported, source, external_id):
        response = resolve(client, source, external_id)
        assert response.status_code == 404
        assert "No recorded match" in response.json()["detail"]

    def test_candidates_are_listed_never_chosen(self, client, imported):
        # Bedrock's id under an unknown route: the offering listed under it is a candidate, not an answer
        response = resolve(client, "litellm", "bedrock/invoke-x/us-east-1/anthropic.claude-opus-4-1-v1:0")
        assert response.status_code == 404
        assert response.json()["candidates"] == [
            {"model": "claude-opus-4-1", "provider": "aws-bedrock",
             "provider_model_id": "us-east-1/anthropic.claude-opus-4-1-v1:0"}
        ]  # fmt: skip


class TestAmbiguous:
    @pytest.fixture
    def two_labs(self):
        """One model id in two labs: Meta's "llama-9" and a lab whose models.dev file has the same id."""
        meta = create_organization(slug="meta", name="Meta")
        create_model(slug="llama-9", organization=meta)
        other = create_model(slug="acme-llama-9", organization=create_organization(slug="acme", name="Acme"))
        ExternalId.objects.create(source="models.dev", external_id="models/acme/llama-9", model=other)

    @pytest.mark.parametrize(
        ("source", "external_id"),
        [("litellm", "llama-9"), ("openrouter", "llama-9"), ("models.dev", "deepinfra/llama-9")],
    )
    def test_one_model_id_in_two_labs_lists_both(self, client, two_labs, source, external_id):
        response = resolve(client, source, external_id)
        assert response.status_code == 404
        assert "several" in response.json()["detail"]
        assert [c["model"] for c in response.json()["candidates"]] == ["acme-llama-9", "llama-9"]

    @pytest.mark.parametrize(("source", "external_id", "model"),
                             [("openrouter", "meta-llama/llama-9", "llama-9"), ("models.dev", "models/acme/llama-9",
                                                                                 "acme-llama-9")])  # fmt: skip
    def test_a_vendor_prefix_settles_it(self, client, two_labs, source, external_id, model):
        assert resolve(client, source, external_id).json()["model"] == model


class TestReadId:
    @pytest.mark.parametrize(
        ("source", "external_id", "provider", "keys"),
        [
            ("litellm", "bedrock/us-east-1/anthropic.claude-3-5-haiku-20241022-v1:0", "aws-bedrock",
             ("anthropic/claude-3-5-haiku-20241022",)),
            ("litellm", "vertex_ai/claude-opus-4-1@20250805", "vertex-ai", ("*/claude-opus-4-1-20250805",)),
            ("litellm", "gpt-4o", None, ("*/gpt-4o",)),
            ("litellm", "gemini/gemini-2.5-pro", "gemini-api", ("google/gemini-2.5-pro",)),
            ("models.dev", "openai/gpt-4.1", "openai-api", ("openai/gpt-4.1",)),
            ("models.dev", "amazon-bedrock/us.anthropic.claude-opus-9", "aws-bedrock", ("anthropic/claude-opus-9",)),
            ("openrouter", "qwen/qwen3-235b", "openrouter", ("alibaba/qwen3-235b",)),
        ],
    )  # fmt: skip
    def test_the_written_rules(self, source, external_id, provider, keys):
        reading = read_id(source, external_id)
        assert (reading.provider, reading.keys) == (provider, keys)
