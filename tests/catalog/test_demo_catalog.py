import copy
import datetime
import itertools
import tomllib
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from catalog.demo import (
    DEMO_AUTHOR,
    DEMO_CATALOG_PATH,
    DEMO_REVIEWER,
    MODEL_FACT_FIELDS,
    OFFERING_FACT_FIELDS,
    RESULT_FACT_FIELDS,
    DemoCatalogError,
    DemoPlan,
    PlannedRow,
    demo_catalog_plan,
    demo_catalog_write,
    load_demo_catalog,
)
from catalog.models import (
    Benchmark,
    BenchmarkResult,
    ChangeItem,
    ChangeSet,
    LanguageModel,
    License,
    Offering,
    Organization,
    Price,
    Provenance,
    Provider,
    Review,
    Source,
)

pytestmark = pytest.mark.django_db

CATALOG_TABLES = (Source, Organization, License, Provider, Benchmark, LanguageModel, Offering, Price, BenchmarkResult)


def _data() -> dict:
    with DEMO_CATALOG_PATH.open("rb") as handle:
        return tomllib.load(handle)


def _snapshot() -> dict[str, list[dict]]:
    tables = {model.__name__: list(model.objects.order_by("pk").values()) for model in CATALOG_TABLES}
    for model in (Provenance, ChangeSet, ChangeItem, User):
        tables[model.__name__] = list(model.objects.order_by("pk").values())
    return tables


def _natural_key(row: PlannedRow) -> tuple:
    def plain(value):
        if not hasattr(value, "key"):
            return value
        return tuple((name, plain(part)) for name, part in value.key)

    return tuple(sorted((name, plain(value)) for name, value in row.key.items()))


def _live_rows_by_natural_key(plan: DemoPlan) -> dict[tuple, object]:
    """Live rows keyed like the plan's rows: FKs in a key become the referenced row's natural key."""
    by_pk, live = {}, {}
    for model in (Organization, License, Provider, Benchmark, LanguageModel):
        for obj in model.objects.all():
            by_pk[(model, obj.pk)] = (("slug", obj.slug),)
            live[(model, (("slug", obj.slug),))] = obj
    for obj in Offering.objects.all():
        key = (("model", by_pk[(LanguageModel, obj.model_id)]), ("provider", by_pk[(Provider, obj.provider_id)]))
        live[(Offering, key)] = obj
    offering_key = {obj.pk: key for (model, key), obj in live.items() if model is Offering}
    for obj in Price.objects.all():
        key = (
            ("context_threshold", obj.context_threshold),
            ("dimension", obj.dimension),
            ("offering", offering_key[obj.offering_id]),
            ("tier", obj.tier),
        )
        live[(Price, key)] = obj
    for obj in BenchmarkResult.objects.all():
        key = (
            ("benchmark", by_pk[(Benchmark, obj.benchmark_id)]),
            ("model", by_pk[(LanguageModel, obj.model_id)]),
            ("variant", obj.variant),
        )
        live[(BenchmarkResult, key)] = obj
    return live


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo catalog, loaded once for the module inside a transaction rolled back at its end.

    Each test still runs in its own savepoint (pytest-django), so a test that writes leaves nothing behind.
    Tests that need other data compare against a snapshot instead of assuming an empty catalog.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo_catalog()
        transaction.set_rollback(True)


def _demo_changesets() -> list[ChangeSet]:
    return list(ChangeSet.objects.filter(author__username=DEMO_AUTHOR).order_by("id"))


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


class TestThroughTheReviewWorkflow:
    def test_the_load_is_one_applied_change_set_by_a_system_account_approved_by_another(self, demo):
        (changeset,) = _demo_changesets()

        assert demo.changesets == [changeset.pk]
        assert changeset.state == ChangeSet.State.APPLIED
        review = changeset.reviews.get()
        assert (review.decision, review.reviewer.username) == (Review.Decision.APPROVE, DEMO_REVIEWER)
        assert review.reviewer_id != changeset.author_id
        assert changeset.summary == "Demo catalog load: 725 rows added."

    def test_every_row_is_one_create_item_citing_its_source_and_the_sources_of_single_facts(self, demo):
        (changeset,) = _demo_changesets()
        catalog_rows = sum(model.objects.count() for model in CATALOG_TABLES if model is not Source)

        assert changeset.items.count() == catalog_rows
        assert set(changeset.items.values_list("action", flat=True)) == {ChangeItem.Action.CREATE}
        assert not changeset.items.filter(source__isnull=True).exists()
        # Facts from a second page (a deprecation date, a cutoff) name it in field_sources, not a later set.
        with_field_sources = [item for item in changeset.items.all() if item.field_sources]
        assert len(with_field_sources) == 11
        # a batch API is a tier of its offering, never a provider
        assert not Provider.objects.filter(name__icontains="batch").exists()
        for item in with_field_sources:
            assert item.source_id not in item.field_sources.values()
            assert set(item.field_sources) <= set(item.changes)

    def test_system_accounts_cannot_sign_in(self, demo):
        author = User.objects.get(username=DEMO_AUTHOR)
        reviewer = User.objects.get(username=DEMO_REVIEWER)

        assert not author.is_active
        for account in (author, reviewer):
            assert not account.has_usable_password()
            assert not account.is_staff and not account.is_superuser
        assert reviewer.has_perm("catalog.review_changeset")

    def test_every_applied_change_is_audited(self, demo):
        for changeset in _demo_changesets():
            actions = list(changeset.events.values_list("action", flat=True))
            assert actions[-3:] == ["submitted", "approved", "applied"]

    def test_the_load_appears_in_the_public_changelog_and_prices_in_price_history(self, demo, client):
        html = client.get(reverse("comparisons:changes")).content.decode()
        assert html.count('class="changeset"') == len(demo.changesets)
        assert "Demo catalog load: 725 rows added." in html
        # The list shows each set's first rows; the set's own page all of them, 500 a page.
        load = ChangeSet.objects.get(pk__in=demo.changesets, summary__startswith="Demo catalog load")
        url = reverse("comparisons:change-detail", args=[load.pk])
        own = "".join(client.get(f"{url}?page={n}").content.decode() for n in (1, 2))
        assert '<a href="/models/llama-3-2-1b/">Llama 3.2 1B on Fireworks AI</a>' in own

        model_page = client.get(reverse("comparisons:model-detail", args=["llama-3-2-1b"]))
        assert sorted((r.provider, r.label, r.new, r.change.words) for r in model_page.context["price_history"]) == [
            ("Fireworks AI", "Input", "$0.10 / 1M", "first listed"),
            ("Fireworks AI", "Output", "$0.10 / 1M", "first listed"),
        ]

    def test_a_load_that_does_not_apply_rolls_back_everything(self):
        before = _snapshot()
        data = _data()
        llama = next(m for m in data["models"] if m["slug"] == "llama-3-2-1b")
        llama["knowledge_cutoff"] = "2025-01"  # after its 2024-09-25 release: clean() refuses it

        with pytest.raises(DemoCatalogError, match="knowledge_cutoff"):
            demo_catalog_write(plan=demo_catalog_plan(data=data))

        assert _snapshot() == before


class TestIdempotence:
    def test_second_run_changes_nothing_and_creates_no_change_set(self, demo):
        before = _snapshot()

        second = load_demo_catalog()

        assert _snapshot() == before
        assert (second.created, second.updated, second.provenance_written) == (0, 0, 0)
        assert second.changesets == []
        assert second.unchanged == demo.created

    def test_changed_fact_becomes_one_change_set_with_only_that_field(self, demo):
        data = _data()
        offering = next(
            o for o in data["offerings"] if o["model"] == "llama-3-2-1b" and o["provider"] == "fireworks-ai"
        )
        offering["input_price"] = "0.12"
        offering["sources"] = {"input_price": "together-pricing"}

        stats = demo_catalog_write(plan=demo_catalog_plan(data=data))

        row = Price.objects.get(offering__model__slug="llama-3-2-1b", dimension="input", tier="standard")
        assert (row.usd_per_million, row.version) == (Decimal("0.12"), 2)
        assert (stats.updated, stats.provenance_written, len(stats.changesets)) == (1, 1, 1)
        item = ChangeItem.objects.get(changeset_id=stats.changesets[0])
        assert (item.action, item.object_id, item.changes) == ("update", row.pk, {"usd_per_million": ["0.1", "0.12"]})
        assert item.source.url == "https://fireworks.ai/pricing"  # the offering's own source stays the default
        assert Source.objects.get(pk=item.field_sources["usd_per_million"]).url == "https://www.together.ai/pricing"
        provenance = Provenance.objects.get(
            content_type=ContentType.objects.get_for_model(Price), object_id=row.pk, field="usd_per_million"
        )
        assert provenance.source.url == "https://www.together.ai/pricing"
        assert provenance.reviewed_at == ChangeSet.objects.get(pk=stats.changesets[0]).applied_at


class TestProvenance:
    def test_every_planned_fact_cites_its_planned_source_reviewed_when_applied(self, demo):
        plan = demo_catalog_plan(data=_data())
        applied_at = {c.pk: c.applied_at for c in _demo_changesets()}
        provenance = {(p.content_type_id, p.object_id, p.field): p for p in Provenance.objects.select_related("source")}
        live = _live_rows_by_natural_key(plan)
        missing, wrong = [], []
        checked = 0
        for row in plan.rows:
            if row.model is Source:
                continue
            obj = live[(row.model, _natural_key(row))]
            content_type = ContentType.objects.get_for_model(row.model)
            for name, url in row.field_sources.items():
                entry = provenance.get((content_type.pk, obj.pk, name))
                checked += 1
                if entry is None:
                    missing.append(f"{obj}.{name}")
                elif entry.source.url != url:
                    wrong.append(f"{obj}.{name}: {entry.source.url} instead of {url}")
                else:
                    assert entry.reviewed_at in applied_at.values()
        assert (missing, wrong) == ([], [])
        assert checked > 1500

    @pytest.mark.parametrize(
        ("model", "fact_fields"),
        [(LanguageModel, MODEL_FACT_FIELDS), (Offering, OFFERING_FACT_FIELDS), (BenchmarkResult, RESULT_FACT_FIELDS)],
    )
    def test_no_unset_fact_has_provenance(self, demo, model, fact_fields):
        content_type = ContentType.objects.get_for_model(model)
        cited = set(Provenance.objects.filter(content_type=content_type).values_list("object_id", "field"))
        for row in model.objects.all():
            for name in fact_fields:
                value = getattr(row, f"{name}_id" if model._meta.get_field(name).is_relation else name)
                if value in (None, ""):
                    assert (row.pk, name) not in cited, f"{row}: provenance for unset {name}"

    def test_a_fact_with_its_own_source_cites_it(self, demo):
        sonnet = LanguageModel.objects.get(slug="claude-3-7-sonnet")
        cited = {
            p.field: p.source.url
            for p in Provenance.objects.filter(
                content_type=ContentType.objects.get_for_model(LanguageModel), object_id=sonnet.pk
            ).select_related("source")
        }
        assert cited["status"] == "https://docs.anthropic.com/en/docs/about-claude/model-deprecations"
        assert cited["release_date"] == "https://www.anthropic.com/news/claude-3-7-sonnet"
        assert sonnet.status == LanguageModel.Status.DEPRECATED

    def test_benchmark_results_cite_their_own_source(self, demo):
        content_type = ContentType.objects.get_for_model(BenchmarkResult)
        for result in BenchmarkResult.objects.all():
            cited = Provenance.objects.get(content_type=content_type, object_id=result.pk, field="score")
            assert cited.source_id == result.source_id

    def test_providers_cite_the_pricing_page_of_their_first_offering(self, demo):
        fireworks = Provider.objects.get(slug="fireworks-ai")
        cited = Provenance.objects.get(
            content_type=ContentType.objects.get_for_model(Provider), object_id=fireworks.pk, field="name"
        )
        assert cited.source.url == "https://fireworks.ai/pricing"

    def test_retrieval_days_are_the_two_snapshot_days(self, demo):
        assert set(Source.objects.values_list("retrieved_on", flat=True)) >= {
            datetime.date(2026, 11, 20),
            datetime.date(2026, 7, 2),
        }
        assert set(Source.objects.filter(change_items__isnull=False).values_list("retrieved_on", flat=True)) == {
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
        assert [(o.provider.name, o.price("input"), o.price("output")) for o in offerings] == [
            ("Fireworks AI", Decimal("0.10"), Decimal("0.10"))
        ]

    def test_o4_mini_has_the_seed_facts_without_the_impossible_cutoff(self, demo):
        o4_mini = LanguageModel.objects.select_related("organization", "license").get(slug="o4-mini")
        assert o4_mini.organization.name == "OpenAI"
        assert o4_mini.release_date == datetime.date(2025, 4, 16)
        assert o4_mini.license.kind == License.Kind.PROPRIETARY
        assert o4_mini.knowledge_cutoff is None
        assert (o4_mini.reasoning, o4_mini.vision, o4_mini.function_calling) == (True, True, True)

    def test_o4_mini_has_three_providers_and_openai_batch_is_a_tier(self, demo):
        names = set(Offering.objects.filter(model__slug="o4-mini").values_list("provider__name", flat=True))
        assert names == {"OpenAI API", "OpenRouter", "Replicate API"}
        openai = Offering.objects.get(model__slug="o4-mini", provider__slug="openai-api")
        assert (openai.price("input", "batch"), openai.price("output", "batch")) == (Decimal("0.55"), Decimal("2.20"))

    def test_o4_mini_headline_is_the_cheapest_standard_price_never_the_batch_price(self, demo):
        # The seed page's $0.50/$2.00 matches no tracked provider in either catalog snapshot; the cheapest
        # sourced real-time price is Replicate's $1.00/$4.00, and the batch half price is a labelled tier.
        o4 = LanguageModel.objects.get(slug="o4-mini")
        assert (o4.min_input_price, o4.min_output_price, o4.min_blended_price) == (
            Decimal("1.00"),
            Decimal("4.00"),
            Decimal("1.9"),
        )
        assert o4.provider_count == 3
        replicate = Offering.objects.get(model__slug="o4-mini", provider__slug="replicate-api")
        assert (replicate.price("input"), replicate.price("output")) == (Decimal("1.00"), Decimal("4.00"))


SMALL_CATALOG = """
[[sources]]
key = "card"
url = "https://example.com/tiny-model-card"
title = "Tiny model card"
retrieved_on = 2026-11-20

[[organizations]]
slug = "tiny-lab"
name = "Tiny Lab"

[[models]]
slug = "tiny-1b"
name = "Tiny 1B"
organization = "tiny-lab"
source = "card"
release_date = 2025-01-02
context_window = 8192
"""


class TestCommand:
    def test_command_prints_a_one_line_summary_and_is_idempotent(self, capsys, tmp_path):
        path = tmp_path / "tiny.toml"
        path.write_text(SMALL_CATALOG)

        call_command("load_demo_catalog", path=path)
        first = capsys.readouterr().out.strip()
        call_command("load_demo_catalog", path=path)
        second = capsys.readouterr().out.strip()

        assert "\n" not in first
        assert "1 language models" in first and "Rows created 3, updated 0" in first
        assert LanguageModel.objects.get(slug="tiny-1b").context_window == 8192
        assert "updated 0" in second and "created 0" in second and "provenance rows written 0" in second
        assert "change sets applied: none" in second

    def test_an_inconsistent_file_is_a_command_error(self, tmp_path):
        path = tmp_path / "bad.toml"
        path.write_text(
            SMALL_CATALOG.replace(
                "release_date = 2025-01-02", 'release_date = 2025-01-02\nknowledge_cutoff = "2025-06"'
            )
        )
        before = _snapshot()

        with pytest.raises(CommandError, match="knowledge_cutoff"):
            call_command("load_demo_catalog", path=path)

        assert _snapshot() == before
