"""manage.py export_catalog: the live catalog with its evidence, as JSON (validated by its committed schema)
and as streamed NDJSON holding the same records."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import jsonschema_rs
import pytest
from django.core.management import call_command

from catalog import export
from catalog.models import LanguageModel
from catalog.review.services import ProposedChange, changeset_create_applied, system_user
from tests.factories import (
    create_benchmark_result,
    create_license,
    create_model,
    create_offering,
    create_source,
)

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(export.__file__).parent / "export.schema.json").read_text())


def validator():
    return jsonschema_rs.Draft202012Validator(SCHEMA, validate_formats=True)


def sample_catalog() -> None:
    model = create_model(slug="alpha", license=create_license(slug="apache"), input_modalities=["text"])
    create_offering(model=model, prices=[("input", "batch", 0, "0.05")], long_context_threshold=200_000,
                    long_context_input_price="2.00")  # fmt: skip
    create_benchmark_result(model=model, score=Decimal("71.25"))
    changeset_create_applied(
        author=system_user("export-author"),
        reviewer=system_user("export-reviewer", reviewer=True),
        changes=[
            ProposedChange(
                "update",
                LanguageModel,
                values={"context_window": 131_072},
                target=model,
                source=create_source(url="https://example.com/card"),
            )
        ],  # fmt: skip
        summary="Context window",
    )


def export_json(tmp_path) -> dict:
    path = tmp_path / "catalog.json"
    call_command("export_catalog", str(path))
    return json.loads(path.read_text())


class TestExportCatalog:
    def test_the_export_matches_its_committed_schema(self, tmp_path):
        sample_catalog()
        doc = export_json(tmp_path)
        errors = [f"{list(e.instance_path)}: {e.message}" for e in validator().iter_errors(doc)]
        assert errors == []
        assert not validator().is_valid({**doc, "prices": [{"offering": "alpha"}]})  # the schema can fail

    def test_rows_use_natural_keys_decimal_strings_and_carry_their_evidence(self, tmp_path):
        sample_catalog()
        doc = export_json(tmp_path)
        (model,) = doc["models"]
        assert (model["slug"], model["license"], model["context_window"]) == ("alpha", "apache", 131_072)
        assert model["evidence"]["context_window"]["source"] == "https://example.com/card"
        assert "https://example.com/card" in {s["url"] for s in doc["sources"]}
        prices = {(p["dimension"], p["tier"], p["context_threshold"]): p["usd_per_million"] for p in doc["prices"]}
        assert prices[("input", "standard", 200_000)] == "2"
        assert prices[("input", "batch", 0)] == "0.05"
        assert {tuple(p["offering"]) for p in doc["prices"]} == {("alpha", doc["offerings"][0]["provider"])}
        assert doc["benchmark_results"][0]["score"] == "71.25"

    def test_ndjson_streams_the_same_records_after_a_header(self, tmp_path):
        sample_catalog()
        doc = export_json(tmp_path)
        out = io.StringIO()
        call_command("export_catalog", "-", ndjson=True, stdout=out)
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        assert lines[0]["record"] == "header" and lines[0]["format"] == "llmref-catalog"
        rebuilt = export.document(lines[1:])
        assert export.same_catalog(rebuilt, doc)

    def test_two_exports_of_the_same_catalog_are_identical(self, tmp_path):
        sample_catalog()
        assert export.same_catalog(export_json(tmp_path), export_json(tmp_path))

    @pytest.mark.parametrize("size", [1, 10])
    def test_queries_do_not_grow_with_the_catalog(self, size, django_assert_max_num_queries):
        for n in range(size):
            create_offering(model=create_model(slug=f"m-{n}"))
        with django_assert_max_num_queries(20):
            assert export.write_ndjson(io.StringIO()) > size
