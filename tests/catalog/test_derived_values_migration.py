"""Migration 0047 computes the derived values the pages read (providers' model counts, models'
facts_changed_at) from the offerings and provenance there are, and leaves every fact and provenance row as it was."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.catalog.test_trust_labels import migrated_back  # noqa: F401  (fixture)


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_offerings_and_dates_each_models_facts(migrated_back):  # noqa: F811
    before = [("catalog", "0046_merge_approval_and_order_indexes")]
    after = [("catalog", "0047_provider_model_count_and_name_order_index")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    ContentType = apps.get_model("contenttypes", "ContentType")
    Provenance, Source = apps.get_model("catalog", "Provenance"), apps.get_model("catalog", "Source")
    Organization, Provider = apps.get_model("catalog", "Organization"), apps.get_model("catalog", "Provider")
    LanguageModel, Offering = apps.get_model("catalog", "LanguageModel"), apps.get_model("catalog", "Offering")
    Price = apps.get_model("catalog", "Price")
    # a transactional test before this one may have flushed the content types
    types = {
        name: ContentType.objects.get_or_create(app_label="catalog", model=name)[0]
        for name in ("languagemodel", "offering", "price")
    }
    source = Source.objects.create(url="https://example.com/s", title="S", retrieved_on=datetime.date(2026, 1, 1))
    organization = Organization.objects.create(name="O", slug="o")
    a = LanguageModel.objects.create(name="A", slug="a", organization=organization)
    b = LanguageModel.objects.create(name="B", slug="b", organization=organization)
    LanguageModel.objects.create(name="C", slug="c", organization=organization)  # no provenance: stays None
    host = Provider.objects.create(name="Host", slug="host", kind="inference")
    idle = Provider.objects.create(name="Idle", slug="idle", kind="inference")
    Offering.objects.create(model=a, provider=host)
    Offering.objects.create(model=b, provider=idle, status="retired")
    price_row = Price.objects.create(
        offering=Offering.objects.create(model=b, provider=host), dimension="input", usd_per_million="1"
    )
    day = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    cited = [
        (types["languagemodel"], a.pk, day),
        (types["languagemodel"], b.pk, day),
        (types["price"], price_row.pk, day + datetime.timedelta(days=5)),
    ]
    for content_type, object_id, when in cited:
        Provenance.objects.create(
            content_type=content_type, object_id=object_id, field="x", source=source, reviewed_at=when
        )
    provenance_before = sorted(Provenance.objects.values_list("object_id", "field", "reviewed_at", "source_id"))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    Provider, LanguageModel = apps.get_model("catalog", "Provider"), apps.get_model("catalog", "LanguageModel")
    assert dict(Provider.objects.values_list("slug", "model_count")) == {"host": 2, "idle": 0}
    assert dict(LanguageModel.objects.values_list("slug", "facts_changed_at")) == {
        "a": day,
        "b": day + datetime.timedelta(days=5),  # its offering's price row, newer than its own facts
        "c": None,
    }
    Provenance = apps.get_model("catalog", "Provenance")
    assert sorted(Provenance.objects.values_list("object_id", "field", "reviewed_at", "source_id")) == provenance_before
