"""The readers and the written normalisation: pure, no database."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.importers import litellm, models_dev
from catalog.importers.common import EntryError, price_from_text, slug_part
from catalog.importers.matching import listing_candidates

FIXTURES = Path(__file__).parent / "fixtures"


class TestPrices:
    @pytest.mark.parametrize(
        ("text", "per_token", "expected"),
        [
            ("1.5e-07", True, "0.15"),
            ("1.6000000000000001e-06", True, "1.6"),
            ("1.6500000000000001e-05", True, "16.5"),
            ("0.09999999999999999", False, "0.1"),
            ("2.4999999999999996", False, "2.5"),
            ("0", True, "0"),
            ("3.75", False, "3.75"),
            # below the field's precision: half-even to 6 places
            ("2.5e-13", True, "0"),
            ("1.5e-12", True, "0.000002"),
        ],
    )
    def test_price_is_decimal_from_the_text_rounded_to_six_places(self, text, per_token, expected):
        amount = price_from_text(Decimal(text), per_token=per_token)
        assert amount == Decimal(expected)
        assert isinstance(amount, Decimal)

    @pytest.mark.parametrize("value", ["cheap", True, None, Decimal("-1e-06"), Decimal("NaN"), [1]])
    def test_a_bad_price_is_an_entry_error(self, value):
        with pytest.raises(EntryError):
            price_from_text(value, per_token=True)

    def test_a_float_never_reaches_the_price(self):
        with pytest.raises(EntryError):
            price_from_text(1.5e-07, per_token=True)


class TestNormalisation:
    @pytest.mark.parametrize(
        ("listing_id", "kwargs", "expected"),
        [
            ("azure/gpt-4o", {"routes": {"azure"}, "dotted_vendors": False}, ["*/gpt-4o"]),
            ("azure/eu/gpt-4o", {"routes": {"azure"}, "dotted_vendors": False}, ["*/gpt-4o"]),
            (
                "openrouter/openai/gpt-4o-mini",
                {"routes": {"openrouter"}, "dotted_vendors": False},
                ["openai/gpt-4o-mini"],
            ),
            (
                "bedrock/us-east-1/anthropic.claude-opus-4-1-v1:0",
                {"routes": {"bedrock"}, "dotted_vendors": True},
                ["anthropic/claude-opus-4-1"],
            ),
            (
                "us.anthropic.claude-opus-4-7",
                {"routes": {"bedrock"}, "dotted_vendors": True},
                ["anthropic/claude-opus-4-7"],
            ),
            ("meta-llama/Llama-3.3-70B", {"routes": set(), "dotted_vendors": False}, ["meta/llama-3.3-70b"]),
            ("gpt-4o", {"routes": {"openai"}, "dotted_vendors": False, "own_lab": "openai"}, ["openai/gpt-4o"]),
            # a date suffix is another model unless the source says otherwise
            ("gpt-4o-2024-05-13", {"routes": set(), "dotted_vendors": False}, ["*/gpt-4o-2024-05-13"]),
            (
                "vertex_ai/claude-opus-4-1@20250805",
                {"routes": {"vertex_ai"}, "dotted_vendors": False},
                ["*/claude-opus-4-1-20250805"],
            ),
            ("thedrummer/cydonia-24b", {"routes": set(), "dotted_vendors": False}, ["*/thedrummer/cydonia-24b"]),
        ],
    )
    def test_listing_candidates(self, listing_id, kwargs, expected):
        assert listing_candidates(listing_id, **kwargs) == expected

    def test_slug_part(self):
        assert slug_part("gpt-4.1") == "gpt-4-1"
        assert slug_part("Qwen/Qwen3-235B") == "qwen-qwen3-235b"


@pytest.fixture(scope="module")
def tree():
    return models_dev.read(str(FIXTURES / "models.dev"))


@pytest.fixture(scope="module")
def prices_json():
    return litellm.read(str(FIXTURES / "litellm.json"), today=datetime.date(2026, 11, 20))


class TestModelsDevTree:
    def test_base_model_inheritance_with_omissions(self, tree):
        bedrock = next(li for li in tree.listings if li.external_id.endswith("amazon-bedrock/models/openai.gpt-5.4"))
        assert bedrock.candidates[0] == "openai/gpt-5.4"
        # its own limits win, the omitted tier prices and fast mode are gone
        assert bedrock.facts["context_window"] == 272_000
        assert all(key[2] == 0 and key[1] == "standard" for key in bedrock.prices)
        assert bedrock.prices[("cache_read", "standard", 0)] == Decimal("0.275")
        copilot = next(li for li in tree.listings if li.external_id == "providers/github-copilot/models/gpt-4o")
        assert copilot.facts["context_window"] == 128_000  # inherited from models/openai/gpt-4o.toml
        assert copilot.field_paths["context_window"] == "models/openai/gpt-4o.toml"

    def test_context_tiers_and_priority_mode(self, tree):
        own = next(li for li in tree.listings if li.external_id == "providers/openai/models/gpt-5.4")
        assert own.prices[("input", "standard", 272_000)] == Decimal(5)
        assert own.prices[("output", "standard", 272_000)] == Decimal("22.5")
        assert own.prices[("input", "priority", 0)] == Decimal(5)

    def test_float_artefacts_in_the_source_are_rounded(self, tree):
        router = next(li for li in tree.listings if li.external_id == "providers/openrouter/models/openai/gpt-4o")
        assert router.prices[("input", "standard", 0)] == Decimal("2.5")
        assert router.prices[("cache_read", "standard", 0)] == Decimal("0.1")

    def test_skips_are_counted_by_reason_and_bad_entries_reported(self, tree):
        assert tree.skipped["embedding model"] == 1
        assert tree.skipped["no token price"] == 1
        assert tree.skipped["lab model: no text output (image generation)"] == 1
        assert ("providers/openrouter/models/openai/broken", "release_date is not a date: '2025-02-31'") in tree.errors

    def test_lab_files_and_the_labs_own_listings_describe_models(self, tree):
        assert set(tree.models) == {"openai/gpt-4o", "openai/gpt-5.4", "openai/gpt-4o-2024-05-13"}
        dated = tree.models["openai/gpt-4o-2024-05-13"]
        assert dated.facts["status"] == "deprecated"
        assert tree.models["openai/gpt-4o"].facts["knowledge_cutoff_precision"] == "month"

    def test_api_json(self):
        catalog = models_dev.read(str(FIXTURES / "models-dev-api.json"))
        assert {li.external_id for li in catalog.listings} == {
            "providers/openai/models/gpt-4o",
            "providers/openrouter/models/openai/gpt-4o",
        }
        assert catalog.skipped["no text output (image generation)"] == 1
        assert "openai/gpt-4o" in catalog.models


class TestLiteLLM:
    def test_skips_by_reason(self, prices_json):
        assert prices_json.skipped["not a model entry"] == 2
        assert prices_json.skipped["alias"] == 1
        assert prices_json.skipped["wildcard or regex key"] == 1
        assert prices_json.skipped["mode image_generation"] == 1
        assert prices_json.skipped["mode embedding"] == 1
        assert prices_json.skipped["per-second or provisioned-throughput pricing"] == 1
        assert prices_json.skipped["no token price"] == 1
        assert prices_json.errors == [("gpt-bad-price", "price is not a number: 'cheap'")]

    def test_tiers_thresholds_and_cache_writes(self, prices_json):
        rows = {li.external_id: li for li in prices_json.listings}
        assert rows["gpt-4o"].prices[("input", "batch", 0)] == Decimal("1.25")
        assert rows["gpt-4o"].prices[("output", "priority", 0)] == Decimal(17)
        assert rows["gpt-4.1"].prices[("input", "flex", 0)] == Decimal(1)
        assert rows["gemini/gemini-2.5-pro"].prices[("input", "standard", 200_000)] == Decimal("2.5")
        opus = rows["claude-opus-4-1"].prices
        assert opus[("cache_write_5m", "standard", 0)] == Decimal("18.75")
        assert opus[("cache_write_1h", "standard", 0)] == Decimal(30)
        assert prices_json.unmapped_price_keys["input_cost_per_token_ultrafast"] == 1
        assert prices_json.unmapped_price_keys["search_context_cost_per_query"] == 1

    def test_deprecation_status_and_successor(self, prices_json):
        rows = {li.external_id: li for li in prices_json.listings}
        assert rows["gpt-4o-2024-05-13"].facts["status"] == "retired"  # shut down before the snapshot day
        assert rows["gpt-4.1"].facts["status"] == "deprecated"
        model = prices_json.models["openai/gpt-4o-2024-05-13"]
        assert model.successor == "gpt-4o"
        assert str(model.facts["deprecation_date"]) == "2026-06-30"

    def test_first_party_entries_describe_models(self, prices_json):
        assert set(prices_json.models) == {
            "openai/gpt-4o",
            "openai/gpt-4o-2024-05-13",
            "openai/gpt-4.1",
            "openai/gpt-5.4",
            "google/gemini-2.5-pro",
            "anthropic/claude-opus-4-1",
        }
        assert prices_json.models["openai/gpt-4o"].facts["output_modalities"] == ["text"]  # "code" is no modality
