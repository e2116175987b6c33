import copy
import datetime
import itertools
import tomllib
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command

from catalog.demo import (
    DEMO_CATALOG_PATH,
    MODEL_FACT_FIELDS,
    OFFERING_FACT_FIELDS,
    RESULT_FACT_FIELDS,
    DemoCatalogError,
    demo_catalog_plan,
    demo_catalog_write,
    load_demo_catalog,
)
from catalog.models import (
    Benchmark,
    BenchmarkResult,
    LanguageModel,
    License,
    Offering,
    Organization,
    Provenance,
    Provider,
    Source,
)

pytestmark = pytest.mark.django_db

CATALOG_TABLES = (Source, Organization, License, Provider, Benchmark, LanguageModel, Offering, BenchmarkResult)


def _data() -> dict:
    with DEMO_CATALOG_PATH.open("rb") as handle:
        return tomllib.load(handle)


def _snapshot() -> dict[str, list[dict]]:
    tables = {model.__name__: list(model.objects.order_by("pk").values()) for model in CATALOG_TABLES}
    tables["Provenance"] = list(Provenance.objects.order_by("pk").values())
    return tables


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=datetime.UTC)


@pytest.fixture
def demo():
    return load_demo_catalog()


class TestCatalogSize:
    def test_counts_meet_the_issue_bars(self, demo):
        assert LanguageModel.objects.count() >= 40
        assert Organization.objects.filter(models__isnull=False).distinct().count() >= 10
        assert Provider.objects.filter(offerings__isnull=False).distinct().count() >= 12
        assert Offering.objects.count() >= 80
        assert Benchmark.objects.filter(results__isnull=False).distinct().count() >= 6
        assert BenchmarkResult.objects.values("model").distinct().count() >= 20

    def test_summary_counts_match_the_tables(self, demo):
        assert demo.counts["language models"] == LanguageModel.objects.count()
        assert demo.counts["offerings"] == Offering.objects.count()
        assert demo.counts["benchmark results"] == BenchmarkResult.objects.count()
        assert demo.created == sum(model.objects.count() for model in CATALOG_TABLES)

    def test_many_model_pairs_share_benchmark_rows(self, demo):
        rows: dict[int, set[tuple[int, str]]] = {}
        for model_id, benchmark_id, variant in BenchmarkResult.objects.values_list(
            "model_id", "benchmark_id", "variant"
        ):
            rows.setdefault(model_id, set()).add((benchmark_id, variant))
        sharing = [a for a, b in itertools.combinations(rows, 2) if rows[a] & rows[b]]
        assert len(sharing) >= 100

    def test_license_kinds_follow_the_license_not_the_marketing(self, demo):
        assert License.objects.get(slug="llama-3-2-community").kind == License.Kind.OPEN_WEIGHTS
        assert License.objects.get(slug="apache-2-0").kind == License.Kind.OPEN_SOURCE
        assert set(License.objects.values_list("kind", flat=True)) == set(License.Kind.values)


class TestIdempotence:
    def test_second_run_changes_nothing(self, demo):
        before = _snapshot()

        second = load_demo_catalog()

        assert _snapshot() == before
        assert (second.created, second.updated, second.provenance_written) == (0, 0, 0)
        assert second.unchanged == demo.created

    def test_changed_fact_updates_row_bumps_version_and_moves_provenance(self, demo):
        data = _data()
        offering = next(
            o for o in data["offerings"] if o["model"] == "llama-3-2-1b" and o["provider"] == "fireworks-ai"
        )
        offering["input_price"] = "0.12"
        offering["sources"] = {"input_price": "together-pricing"}

        stats = demo_catalog_write(plan=demo_catalog_plan(data=data))

        row = Offering.objects.get(model__slug="llama-3-2-1b")
        assert (row.input_price, row.version) == (Decimal("0.12"), 2)
        assert stats.updated == 1
        assert stats.provenance_written == 1
        provenance = Provenance.objects.get(
            content_type=ContentType.objects.get_for_model(Offering), object_id=row.pk, field="input_price"
        )
        assert provenance.source.url == "https://www.together.ai/pricing"


class TestProvenance:
    @pytest.mark.parametrize(
        ("model", "fact_fields"),
        [(LanguageModel, MODEL_FACT_FIELDS), (Offering, OFFERING_FACT_FIELDS), (BenchmarkResult, RESULT_FACT_FIELDS)],
    )
    def test_every_non_null_fact_has_a_source_reviewed_on_its_retrieval_day(self, demo, model, fact_fields):
        content_type = ContentType.objects.get_for_model(model)
        provenance = {
            (p.object_id, p.field): p
            for p in Provenance.objects.filter(content_type=content_type).select_related("source")
        }
        missing = []
        for row in model.objects.all():
            for name in fact_fields:
                value = getattr(row, f"{name}_id" if model._meta.get_field(name).is_relation else name)
                if value in (None, ""):
                    assert (row.pk, name) not in provenance, f"{row}: provenance for unset {name}"
                    continue
                if name == "status" and value == LanguageModel.Status.ACTIVE:
                    continue  # the default, not a sourced claim
                entry = provenance.get((row.pk, name))
                if entry is None:
                    missing.append(f"{row}.{name}")
                    continue
                assert entry.reviewed_at == _midnight(entry.source.retrieved_on)
        assert missing == []

    def test_benchmark_results_cite_their_own_source(self, demo):
        content_type = ContentType.objects.get_for_model(BenchmarkResult)
        for result in BenchmarkResult.objects.all():
            cited = Provenance.objects.get(content_type=content_type, object_id=result.pk, field="score")
            assert cited.source_id == result.source_id

    def test_retrieval_days_are_the_two_snapshot_days(self, demo):
        assert set(Source.objects.values_list("retrieved_on", flat=True)) == {
            datetime.date(2026, 11, 20),
            datetime.date(2026, 7, 2),
        }


class TestValidation:
    def test_every_row_passes_model_validation(self, demo):
        for model in CATALOG_TABLES:
            for row in model.objects.all():
                row.full_clean()

    def test_no_model_slug_contains_vs(self, demo):
        assert not LanguageModel.objects.filter(slug__contains="-vs-").exists()

    def test_planning_touches_no_database(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            plan = demo_catalog_plan(data=_data())
        assert len(plan.rows) > 400

    def test_successors_are_planned_before_their_predecessors(self):
        slugs = [row.key["slug"] for row in demo_catalog_plan(data=_data()).rows if row.model is LanguageModel]
        assert slugs.index("claude-sonnet-4-5") < slugs.index("claude-sonnet-4") < slugs.index("claude-3-7-sonnet")

    @pytest.mark.parametrize(
        ("edit", "message"),
        [
            (lambda d: d["offerings"][0].update(input_price=1.1), "write prices and scores as strings"),
            (lambda d: d["models"][0].update(source="nowhere"), "unknown source 'nowhere'"),
            (lambda d: d["models"][0].update(context_windw=5), "unknown key(s) context_windw"),
            (lambda d: d["models"][0].update(knowledge_cutoff="2024-13"), "has no such month"),
            (lambda d: d["models"][0].update(successor="gpt-99"), "unknown successor 'gpt-99'"),
            (lambda d: d["offerings"].append(copy.deepcopy(d["offerings"][0])), "duplicate offering"),
            (lambda d: d["results"][0].update(benchmark="vibes"), "unknown benchmark"),
            (lambda d: d["models"][0].update(sources={"architecture": "openai-pricing"}), "sources.architecture"),
        ],
    )
    def test_inconsistent_file_is_refused_with_the_entry_named(self, edit, message):
        data = _data()
        edit(data)
        with pytest.raises(DemoCatalogError, match=message.replace("(", r"\(").replace(")", r"\)")):
            demo_catalog_plan(data=data)

    def test_invalid_row_rolls_back_the_whole_load(self):
        data = _data()
        llama = next(m for m in data["models"] if m["slug"] == "llama-3-2-1b")
        llama["knowledge_cutoff"] = "2025-01"  # after its 2024-09-25 release: clean() refuses it

        with pytest.raises(ValidationError, match="knowledge_cutoff"):
            demo_catalog_write(plan=demo_catalog_plan(data=data))

        assert LanguageModel.objects.count() == 0
        assert Source.objects.count() == 0


class TestSeedPair:
    def test_llama_3_2_1b_has_the_seed_facts(self, demo):
        llama = LanguageModel.objects.select_related("organization", "license").get(slug="llama-3-2-1b")
        assert llama.name == "Llama 3.2 1B"
        assert (llama.organization.name, llama.organization.label) == ("Meta", "AI at Meta")
        assert llama.release_date == datetime.date(2024, 9, 25)
        assert llama.context_window == 131072
        assert llama.parameter_count == 1230000000
        assert (llama.license.name, llama.license.kind) == ("Llama 3.2 Community License", License.Kind.OPEN_WEIGHTS)
        assert llama.knowledge_cutoff == datetime.date(2023, 12, 1)
        assert llama.knowledge_cutoff_display == "2023-12"
        assert (llama.input_modalities, llama.output_modalities) == (["text"], ["text"])
        assert (llama.vision, llama.reasoning, llama.multimodal) == (False, False, False)

    def test_llama_3_2_1b_is_served_only_by_fireworks_at_ten_cents(self, demo):
        offerings = list(Offering.objects.filter(model__slug="llama-3-2-1b").select_related("provider"))
        assert [(o.provider.name, o.input_price, o.output_price) for o in offerings] == [
            ("Fireworks AI", Decimal("0.10"), Decimal("0.10"))
        ]

    def test_o4_mini_has_the_seed_facts_without_the_impossible_cutoff(self, demo):
        o4_mini = LanguageModel.objects.select_related("organization", "license").get(slug="o4-mini")
        assert o4_mini.organization.name == "OpenAI"
        assert o4_mini.release_date == datetime.date(2025, 4, 16)
        assert o4_mini.license.kind == License.Kind.PROPRIETARY
        assert o4_mini.knowledge_cutoff is None
        assert (o4_mini.reasoning, o4_mini.vision, o4_mini.function_calling) == (True, True, True)

    def test_o4_mini_has_the_four_seed_providers(self, demo):
        names = set(Offering.objects.filter(model__slug="o4-mini").values_list("provider__name", flat=True))
        assert names == {"OpenAI API", "OpenRouter", "OpenAI Batch API", "Replicate API"}

    def test_o4_mini_cheapest_offering_is_the_sourced_batch_price_not_the_seed_figure(self, demo):
        # The seed page's $0.50/$2.00 matches no tracked provider in either catalog snapshot; the cheapest
        # sourced price is the Batch API's half price of $1.10/$4.40.
        cheapest = Offering.objects.filter(model__slug="o4-mini").cheapest_first().select_related("provider")[0]
        assert (cheapest.provider.name, cheapest.input_price, cheapest.output_price) == (
            "OpenAI Batch API",
            Decimal("0.55"),
            Decimal("2.20"),
        )
        replicate = Offering.objects.get(model__slug="o4-mini", provider__slug="replicate-api")
        assert (replicate.input_price, replicate.output_price) == (Decimal("1.00"), Decimal("4.00"))


class TestCommand:
    def test_command_prints_a_one_line_summary_and_is_idempotent(self, capsys):
        call_command("load_demo_catalog")
        first = capsys.readouterr().out.strip()
        call_command("load_demo_catalog")
        second = capsys.readouterr().out.strip()

        assert "\n" not in first
        assert f"{LanguageModel.objects.count()} language models" in first
        assert "updated 0" in second and "created 0" in second and "provenance rows written 0" in second
