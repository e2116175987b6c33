"""How a fact was approved is stored with its provenance and labelled on the public pages: reviewed by a person,
or imported (applied by a system account without a person's review)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from catalog.models import Price, Provenance
from catalog.review.services import (
    ProposedChange,
    changeset_approve,
    changeset_create_applied,
    changeset_open_draft,
    changeset_propose,
    system_user,
)
from tests.catalog.importers.test_import import import_tree
from tests.catalog.workflow_support import create_editor, create_reviewer, input_row
from tests.factories import create_model, create_offering, create_source

pytestmark = pytest.mark.django_db


def approval_of(row, field: str) -> str:
    return Provenance.objects.get(
        content_type=ContentType.objects.get_for_model(row), object_id=row.pk, field=field
    ).approval


def imported_source():
    return create_source(title="models.dev: providers/acme/models/m.toml", publisher="models.dev")


def import_applied(offering, amount: str, source):
    """A price applied the way an import without a person's review is: by two system accounts."""
    return changeset_create_applied(
        author=system_user("catalog-importer"),
        reviewer=system_user("catalog-reviewer-bot", reviewer=True),
        changes=[
            ProposedChange(
                "update", Price, values={"usd_per_million": Decimal(amount)}, target=input_row(offering), source=source
            )
        ],
        summary="Import",
    )


def person_approved(offering, amount: str, source, reviewer_name: str = "reviewer"):
    editor = create_editor(f"editor-for-{reviewer_name}")
    draft = changeset_open_draft(user=editor)
    changeset_propose(
        user=editor,
        change=ProposedChange(
            "update", Price, values={"usd_per_million": Decimal(amount)}, target=input_row(offering), source=source
        ),
        changeset=draft,
    )
    draft.submit(user=editor, summary="Price")
    assert changeset_approve(changeset=draft, user=create_reviewer(reviewer_name), acknowledge_warnings=True)
    return draft


class TestApplyRecordsHowAFactWasApproved:
    def test_applied_by_a_system_account_is_imported(self):
        offering = create_offering()
        import_applied(offering, "0.90", imported_source())
        assert approval_of(input_row(offering), "usd_per_million") == "import"

    def test_approved_by_a_staff_reviewer_is_reviewed(self):
        offering = create_offering()
        person_approved(offering, "0.90", create_source())
        assert approval_of(input_row(offering), "usd_per_million") == "person"

    def test_a_person_approving_an_imported_value_makes_it_reviewed_and_an_import_after_it_imported(self):
        offering = create_offering()
        import_applied(offering, "0.90", imported_source())
        person_approved(offering, "0.80", create_source())
        assert approval_of(input_row(offering), "usd_per_million") == "person"
        import_applied(offering, "0.70", imported_source())
        assert approval_of(input_row(offering), "usd_per_million") == "import"

    def test_an_import_submitted_for_review_and_approved_by_a_person_is_reviewed(self):
        summary = import_tree()
        assert summary.changeset.state == "submitted"
        assert changeset_approve(changeset=summary.changeset, user=create_reviewer(), acknowledge_warnings=True)
        assert set(Provenance.objects.values_list("approval", flat=True)) == {"person"}

    def test_the_hand_curated_demo_catalog_reads_reviewed(self, client):
        from catalog.demo import load_demo_catalog

        load_demo_catalog()
        assert set(Provenance.objects.values_list("approval", flat=True)) == {"person"}
        body = client.get("/models/gpt-4o/").content.decode()
        assert "not yet reviewed by a person" not in body
        assert "imported from" not in body
        assert "reviewed " in body


class TestPublicPagesLabelTrust:
    def page(self, client, model) -> str:
        return client.get(model.get_absolute_url()).content.decode()

    def test_an_imported_fact_is_labelled_imported_and_not_reviewed(self, client):
        offering = create_offering(model=create_model(slug="acme-m"))
        import_applied(offering, "0.90", imported_source())
        body = self.page(client, offering.model)
        today = timezone.localdate().isoformat()
        assert f"imported from models.dev on {today}" in body
        assert f"reviewed {today}" not in body
        assert "Last reviewed: not yet reviewed by a person." in body
        assert f"Facts imported from models.dev without a person&#x27;s review (the newest on {today})" in body

    def test_a_reviewed_fact_is_labelled_reviewed_and_dates_the_page(self, client):
        offering = create_offering(model=create_model(slug="acme-m"))
        import_applied(offering, "0.90", imported_source())
        source = create_source(title="Acme pricing", publisher="Acme")
        person_approved(offering, "0.80", source)
        today = timezone.localdate().isoformat()
        body = self.page(client, offering.model)
        assert f"retrieved 2026-11-01; reviewed {today}</small>" in body
        assert f'Last reviewed: <time datetime="{today}">' in body
        assert "imported from models.dev" not in body  # the imported value was replaced

    def test_the_comparison_and_provider_pages_label_the_same_way(self, client):
        offering = create_offering(model=create_model(slug="acme-a"))
        create_offering(model=create_model(slug="acme-b"), provider=offering.provider)
        import_applied(offering, "0.90", imported_source())
        today = timezone.localdate().isoformat()
        for url in ("/compare/acme-a-vs-acme-b/", offering.provider.get_absolute_url()):
            body = client.get(url).content.decode()
            assert f"imported from models.dev on {today}" in body, url
            assert "Last reviewed: not yet reviewed by a person." in body, url


@pytest.fixture
def migrated_back():
    """Leaves the schema at the latest migrations whatever the test does (later tests need every column)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_derives_approval_from_review_history(migrated_back):
    before, after = [("catalog", "0041_external_id_permissions")], [("catalog", "0042_provenance_approval")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    User = apps.get_model("auth", "User")
    ChangeSet, ChangeItem = apps.get_model("catalog", "ChangeSet"), apps.get_model("catalog", "ChangeItem")
    Review, Old = apps.get_model("catalog", "Review"), apps.get_model("catalog", "Provenance")
    Source, Organization = apps.get_model("catalog", "Source"), apps.get_model("catalog", "Organization")
    LanguageModel = apps.get_model("catalog", "LanguageModel")
    # a transactional test before this one may have flushed the content types
    model_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="catalog", model="languagemodel"
    )
    author = User.objects.create(username="author")
    bot, alice = User.objects.create(username="bot"), User.objects.create(username="alice", is_staff=True)
    source = Source.objects.create(url="https://example.com/s", title="S", retrieved_on=datetime.date(2026, 1, 1))
    model = LanguageModel.objects.create(
        name="M", slug="m", organization=Organization.objects.create(name="O", slug="o")
    )
    day = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)

    def applied(reviewer, when, fields, state="applied"):
        changeset = ChangeSet.objects.create(author=author, state=state, applied_at=when)
        Review.objects.create(changeset=changeset, author=author, reviewer=reviewer, decision="approve")
        ChangeItem.objects.create(
            changeset=changeset,
            action="update",
            content_type=model_type,
            object_id=model.pk,
            object_repr="M",
            changes={name: [None, 1] for name in fields},
        )

    applied(bot, day, ["context_window", "name"])  # an import set both...
    applied(alice, day + datetime.timedelta(days=1), ["context_window"])  # ...then a person the window
    applied(alice, day + datetime.timedelta(days=2), ["name"], state="rejected")  # never applied: no say
    for name in ("context_window", "name", "release_date"):  # release_date: no history at all
        Old.objects.create(content_type=model_type, object_id=model.pk, field=name, source=source, reviewed_at=day)

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    rows = dict(apps.get_model("catalog", "Provenance").objects.values_list("field", "approval"))
    assert rows == {"context_window": "person", "name": "import", "release_date": ""}
