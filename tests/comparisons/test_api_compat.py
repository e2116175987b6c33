"""Compatibility exports in the shapes of LiteLLM's price map and models.dev's api.json, from reviewed facts only.

The shape tests read the real catalogs in ../shared/data (skipped when they are absent): every key we write is one
the source itself uses, with the same JSON type."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.importers.common import DERIVED_KEY
from catalog.models import LanguageModel, Offering, Price
from catalog.review.services import NewRef, ProposedChange, changeset_create_applied, system_user
from comparisons.api.compat import litellm_price_key
from tests.factories import create_model, create_organization, create_provider, create_source

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
LITELLM = DATA / "litellm" / "model_prices_and_context_window.json"
MODELS_DEV = DATA / "models.dev" / "providers"


def reviewed_catalog() -> None:
    """One model listed through the workflow (so every fact is reviewed), one price row written directly."""
    model = create_model(slug="m1", name="Model One", organization=create_organization())
    provider = create_provider(slug="host")
    source = create_source(url="https://example.com/pricing")
    facts = {"context_window": 400_000, "vision": True, "reasoning": False, "release_date": "2025-01-02",
             "input_modalities": ["text", "image"], "output_modalities": ["text"]}  # fmt: skip
    changes = [
        ProposedChange("update", LanguageModel, values=facts, target=model, source=source),
        ProposedChange("create", Offering, values={"model": model, "provider": provider,
                                                    "provider_model_id": "model-one"}, source=source, key="o"),
    ]  # fmt: skip
    for dimension, tier, threshold, amount in [
        ("input", "standard", 0, "0.15"),
        ("output", "standard", 0, "0.60"),
        ("cache_read", "standard", 0, "0.075"),
        ("input", "batch", 0, "0.075"),
        ("input", "standard", 200_000, "0.30"),
    ]:
        values = {"offering": NewRef("o"), "dimension": dimension, "tier": tier, "context_threshold": threshold,
                  "usd_per_million": Decimal(amount)}  # fmt: skip
        changes.append(ProposedChange("create", Price, values=values, source=source))
    changeset_create_applied(author=system_user("c-author"), reviewer=system_user("c-reviewer", reviewer=True),
                             changes=changes, summary="List model one")  # fmt: skip
    offering = Offering.objects.get(model=model)
    Price.objects.create(offering=offering, dimension="output", tier="batch", usd_per_million=Decimal("0.3"))


class TestLiteLLM:
    def test_reviewed_prices_per_token_with_litellm_keys(self, client):
        reviewed_catalog()
        body = client.get("/api/v1/export/litellm.json").json()
        entry = body["host/model-one"]
        assert entry["input_cost_per_token"] == 1.5e-07
        assert entry["output_cost_per_token"] == 6e-07
        assert entry["cache_read_input_token_cost"] == 7.5e-08
        assert entry["input_cost_per_token_batches"] == 7.5e-08
        assert entry["input_cost_per_token_above_200k_tokens"] == 3e-07
        assert "output_cost_per_token_batches" not in entry  # written without review: left out
        assert entry["max_input_tokens"] == 400_000
        assert (entry["supports_vision"], entry["supports_reasoning"]) == (True, False)
        assert entry["source"] == "https://example.com/pricing"
        assert entry["litellm_provider"] == "host" and entry["mode"] == "chat"
        assert entry[DERIVED_KEY] is True  # no LiteLLM id in the crosswalk: the key is built from ours

    @pytest.mark.parametrize(
        ("key", "name"),
        [
            (("input", "standard", 0), "input_cost_per_token"),
            (("cache_write_1h", "standard", 0), "cache_creation_input_token_cost_above_1hr"),
            (("input", "priority", 272_000), "input_cost_per_token_above_272k_tokens_priority"),
            (("output", "flex", 0), "output_cost_per_token_flex"),
            (("input", "standard", 200_001), None),
        ],
    )
    def test_price_keys(self, key, name):
        assert litellm_price_key(*key) == name

    @pytest.mark.skipif(not LITELLM.exists(), reason="../shared/data is not here")
    def test_every_key_and_type_is_one_litellm_uses(self, client):
        reviewed_catalog()
        theirs: dict[str, set[type]] = {}
        for entry in json.loads(LITELLM.read_text()).values():
            for key, value in entry.items():
                theirs.setdefault(key, set()).add(float if isinstance(value, int | float) and not isinstance(
                    value, bool) else type(value))  # fmt: skip
        ours = client.get("/api/v1/export/litellm.json").json()
        assert ours
        for entry in ours.values():
            for key, value in entry.items():
                if key == DERIVED_KEY:
                    continue  # our own key, on an entry whose key we built (comparisons.api.compat)
                assert key in theirs, key
                kind = float if isinstance(value, int | float) and not isinstance(value, bool) else type(value)
                assert kind in theirs[key] or (kind is float and int in theirs[key]), key


class TestModelsDev:
    def test_reviewed_facts_and_costs_per_million(self, client):
        reviewed_catalog()
        body = client.get("/api/v1/export/models.dev.json").json()
        model = body["host"]["models"]["model-one"]
        assert model["cost"] == {"input": 0.15, "output": 0.6, "cache_read": 0.075,
                                 "tiers": [{"tier": {"type": "context", "size": 200_000}, "input": 0.3}]}  # fmt: skip
        assert model["limit"] == {"context": 400_000}
        assert model["attachment"] is True and model["reasoning"] is False
        assert model["modalities"] == {"input": ["text", "image"], "output": ["text"]}
        assert model["release_date"] == "2025-01-02"
        assert "tool_call" not in model  # not sourced: left out, never guessed
        assert model[DERIVED_KEY] is True  # no models.dev id in the crosswalk: the ids are built from ours

    @pytest.mark.skipif(not MODELS_DEV.exists(), reason="../shared/data is not here")
    def test_every_key_is_one_models_dev_uses(self, client):
        reviewed_catalog()
        model_keys, cost_keys, provider_keys = {"id"}, set(), {"id", "models"}
        for path in MODELS_DEV.glob("*/provider.toml"):
            provider_keys |= set(tomllib.loads(path.read_text()))
        for path in list(MODELS_DEV.glob("*/models/*.toml"))[:2000]:
            data = tomllib.loads(path.read_text())
            model_keys |= set(data)
            cost_keys |= set(data.get("cost", {}))
        for provider in client.get("/api/v1/export/models.dev.json").json().values():
            assert set(provider) <= provider_keys | {"doc"}
            for model in provider["models"].values():
                # DERIVED_KEY is our own key, on a model whose ids we built (comparisons.api.compat)
                assert set(model) - {DERIVED_KEY} <= model_keys, set(model) - model_keys
                tiers = {k for k in model.get("cost", {}) if k.startswith("context_over_")}
                assert set(model.get("cost", {})) - tiers <= cost_keys

    def test_queries_are_bounded(self, client, django_assert_max_num_queries):
        reviewed_catalog()
        # revision, offerings, their models, providers, price rows, 2 x provenance, the crosswalk (+ providers)
        with django_assert_max_num_queries(10):
            client.get("/api/v1/export/models.dev.json")
        with django_assert_max_num_queries(9):
            client.get("/api/v1/export/litellm.json")
