"""Change set transitions, four-eyes, conflicts, applying, provenance, revert and the audit trail."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog.models import (
    AuditEvent,
    CatalogRevision,
    ChangeItem,
    ChangeSet,
    ChangeSetError,
    LanguageModel,
    Offering,
    Organization,
    Price,
    Provenance,
    Review,
)
from catalog.review.diff import changeset_diff
from catalog.review.services import (
    NewRef,
    ProposedChange,
    changeset_approve,
    changeset_cite_source,
    changeset_create_applied,
    changeset_open_draft,
    changeset_propose,
    changeset_rebase,
    changeset_revert,
    system_user,
)
from comparisons.changelog import ENTRIES_ON_LIST
from tests.auth_support import sign_in
from tests.factories import create_model, create_offering, create_organization, create_provider, create_source

from .workflow_support import create_editor, create_reviewer, input_row, propose_price, submitted_price_change

pytestmark = pytest.mark.django_db

State = ChangeSet.State


@pytest.fixture
def editor():
    return create_editor()


@pytest.fixture
def reviewer():
    return create_reviewer()


@pytest.fixture
def offering():
    return create_offering(input_price=Decimal("1.00"), output_price=Decimal("2.00"))


def actions(changeset: ChangeSet) -> list[str]:
    return list(changeset.events.values_list("action", flat=True))


class TestSubmit:
    def test_author_submits_a_sourced_draft(self, editor, offering):
        changeset = propose_price(user=editor, offering=offering, price="0.80").changeset
        changeset.submit(user=editor, summary="Cheaper input")
        changeset.refresh_from_db()
        assert changeset.state == State.SUBMITTED
        assert changeset.submitted_at is not None
        assert actions(changeset) == ["created", "proposed", "submitted"]

    def test_empty_changeset_cannot_be_submitted(self, editor):
        changeset = changeset_open_draft(user=editor)
        with pytest.raises(ChangeSetError, match="empty"):
            changeset.submit(user=editor, summary="Nothing")
        assert ChangeSet.objects.get(pk=changeset.pk).state == State.DRAFT

    def test_item_without_source_is_refused(self, editor, offering):
        change = ProposedChange("update", Price, values={"usd_per_million": Decimal("3")}, target=input_row(offering))
        changeset = changeset_propose(user=editor, change=change).changeset
        with pytest.raises(ChangeSetError, match="Cite a source"):
            changeset.submit(user=editor, summary="Unsourced")
        changeset_cite_source(changeset=changeset, user=editor, source=create_source())
        changeset.submit(user=editor, summary="Now sourced")
        assert changeset.state == State.SUBMITTED

    def test_summary_is_required(self, editor, offering):
        changeset = propose_price(user=editor, offering=offering, price="0.80").changeset
        with pytest.raises(ChangeSetError, match="summary"):
            changeset.submit(user=editor, summary="  ")

    def test_only_the_author_submits(self, editor, reviewer, offering):
        changeset = propose_price(user=editor, offering=offering, price="0.80").changeset
        with pytest.raises(ChangeSetError, match="Only the author"):
            changeset.submit(user=reviewer, summary="Not mine")

    def test_submitted_changeset_cannot_be_submitted_again(self, editor):
        changeset = submitted_price_change(editor=editor)
        with pytest.raises(ChangeSetError, match="submitted, not draft"):
            changeset.submit(user=editor, summary="Again")


class TestWithdraw:
    @pytest.mark.parametrize("stage", ["draft", "submitted", "conflicted"])
    def test_author_withdraws_a_pending_changeset(self, editor, reviewer, offering, stage):
        changeset = propose_price(user=editor, offering=offering, price="0.80").changeset
        if stage != "draft":
            changeset.submit(user=editor, summary="s")
        if stage == "conflicted":
            # moved since drafting (by a write outside the workflow): the amount it was drafted against is gone
            Price.objects.filter(pk=input_row(offering).pk).update(usd_per_million=Decimal("0.90"), version=5)
            assert changeset_approve(changeset=changeset, user=reviewer) is False
        changeset.withdraw(user=editor, comment="Changed my mind")
        assert ChangeSet.objects.get(pk=changeset.pk).state == State.WITHDRAWN
        assert changeset.items.count() == 1  # kept for the record
        assert changeset.events.last().comment == "Changed my mind"

    def test_someone_else_cannot_withdraw(self, editor, reviewer):
        changeset = submitted_price_change(editor=editor)
        with pytest.raises(ChangeSetError, match="Only the author"):
            changeset.withdraw(user=reviewer)

    def test_applied_changeset_cannot_be_withdrawn(self, editor, reviewer):
        changeset = submitted_price_change(editor=editor)
        changeset_approve(changeset=changeset, user=reviewer)
        with pytest.raises(ChangeSetError, match="applied"):
            changeset.withdraw(user=editor)


class TestReject:
    def test_reviewer_rejects_with_a_comment_and_the_live_value_stays(self, editor, reviewer, offering):
        changeset = submitted_price_change(editor=editor, offering=offering, price="0.10")
        changeset.reject(user=reviewer, comment="The pricing page says $1.00")
        offering.refresh_from_db()
        assert offering.input_price == Decimal("1.00")
        assert offering.version == 1
        assert ChangeSet.objects.get(pk=changeset.pk).state == State.REJECTED
        review = Review.objects.get(changeset=changeset)
        assert (review.decision, review.reviewer, review.author) == ("reject", reviewer, editor)
        assert actions(changeset)[-1] == "rejected"

    def test_reject_requires_a_comment(self, editor, reviewer):
        changeset = submitted_price_change(editor=editor)
        with pytest.raises(ChangeSetError, match="comment"):
            changeset.reject(user=reviewer, comment=" ")
        assert ChangeSet.objects.get(pk=changeset.pk).state == State.SUBMITTED

    def test_author_cannot_reject_own_changeset(self):
        author = create_reviewer("both")
        changeset = submitted_price_change(editor=author)
        with pytest.raises(ChangeSetError, match="own change set"):
            changeset.reject(user=author, comment="No")

    def test_editor_without_review_permission_cannot_reject(self, editor):
        changeset = submitted_price_change(editor=create_editor("other"))
        with pytest.raises(ChangeSetError, match="reviewer permission"):
            changeset.reject(user=editor, comment="No")

    def test_draft_cannot_be_rejected(self, editor, reviewer, offering):
        changeset = propose_price(user=editor, offering=offering, price="0.80").changeset
        with pytest.raises(ChangeSetError, match="draft, not submitted"):
            changeset.reject(user=reviewer, comment="No")


class TestApprove:
    def test_approval_writes_value_version_provenance_revision_and_audit(self, editor, reviewer, offering):
        source = create_source(url="https://example.com/pricing", title="Pricing page")
        changeset = propose_price(user=editor, offering=offering, price="0.25", source=source).changeset
        changeset.submit(user=editor, summary="New price")
        revision_before = CatalogRevision.current()

        assert changeset_approve(changeset=changeset, user=reviewer, comment="Matches the page") is True

        row = input_row(offering)
        assert (row.usd_per_million, row.version) == (Decimal("0.25"), 2)
        assert LanguageModel.objects.get(pk=offering.model_id).min_input_price == Decimal("0.25")  # headline moved
        provenance = Provenance.objects.get(
            content_type=ContentType.objects.get_for_model(Price), object_id=row.pk, field="usd_per_million"
        )
        assert provenance.source == source
        assert provenance.reviewed_at == changeset.applied_at
        assert CatalogRevision.current() == revision_before + 1 == changeset.revision
        changeset.refresh_from_db()
        assert changeset.state == State.APPLIED
        assert actions(changeset) == ["created", "proposed", "submitted", "approved", "applied"]
        approved = changeset.events.get(action="approved")
        assert (approved.actor, approved.comment, approved.from_state, approved.to_state) == (
            reviewer,
            "Matches the page",
            "submitted",
            "approved",
        )

    def test_author_cannot_approve_own_changeset_even_as_reviewer(self):
        author = create_reviewer("both")
        changeset = submitted_price_change(editor=author)
        with pytest.raises(ChangeSetError, match="own change set"):
            changeset_approve(changeset=changeset, user=author)
        assert not Review.objects.exists()

    def test_superuser_is_a_reviewer_but_still_under_four_eyes(self, editor):
        admin = User.objects.create_superuser("root", "root@example.com", "pw")
        own = submitted_price_change(editor=admin)
        with pytest.raises(ChangeSetError, match="own change set"):
            changeset_approve(changeset=own, user=admin)
        assert changeset_approve(changeset=submitted_price_change(editor=editor), user=admin) is True

    def test_editor_without_review_permission_cannot_approve(self, editor):
        changeset = submitted_price_change(editor=create_editor("other"))
        with pytest.raises(ChangeSetError, match="reviewer permission"):
            changeset_approve(changeset=changeset, user=editor)

    @pytest.mark.parametrize("state", [State.DRAFT, State.APPLIED, State.REJECTED, State.WITHDRAWN, State.CONFLICTED])
    def test_approving_a_changeset_that_is_not_submitted_is_refused(self, editor, reviewer, offering, state):
        changeset = propose_price(user=editor, offering=offering, price="0.80").changeset
        ChangeSet.objects.filter(pk=changeset.pk).update(state=state)
        with pytest.raises(ChangeSetError, match="Cannot approve"):
            changeset_approve(changeset=changeset, user=reviewer)
        offering.refresh_from_db()
        assert offering.input_price == Decimal("1.00")

    def test_four_eyes_is_enforced_by_the_database(self, editor):
        changeset = submitted_price_change(editor=editor)
        with pytest.raises(IntegrityError), transaction.atomic():
            Review.objects.create(changeset=changeset, author=editor, reviewer=editor, decision="approve")

    def test_database_refuses_a_second_approval_and_a_silent_rejection(self, editor, reviewer):
        changeset = submitted_price_change(editor=editor)
        changeset_approve(changeset=changeset, user=reviewer)
        with pytest.raises(IntegrityError), transaction.atomic():
            Review.objects.create(
                changeset=changeset, author=editor, reviewer=create_reviewer("r2"), decision="approve"
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            Review.objects.create(changeset=changeset, author=editor, reviewer=reviewer, decision="reject")


class TestConflicts:
    def test_second_stale_changeset_on_the_same_field_conflicts_and_overwrites_nothing(self, reviewer, offering):
        alice, bob = create_editor("alice"), create_editor("bob")
        first = submitted_price_change(editor=alice, offering=offering, price="0.50")
        second = submitted_price_change(editor=bob, offering=offering, price="0.70")

        assert changeset_approve(changeset=first, user=reviewer) is True
        assert changeset_approve(changeset=second, user=reviewer) is False

        assert (input_row(offering).usd_per_million, input_row(offering).version) == (Decimal("0.50"), 2)
        second.refresh_from_db()
        assert second.state == State.CONFLICTED
        assert [(p["field"], p["drafted"], p["live"], p["proposed"]) for p in second.problems] == [
            ("usd_per_million", "1", "0.5", "0.7")
        ]
        assert not Review.objects.filter(changeset=second).exists()
        assert actions(second)[-1] == "conflicted"

    def test_author_rebases_a_conflicted_changeset_and_it_applies(self, reviewer, offering):
        alice, bob = create_editor("alice"), create_editor("bob")
        first = submitted_price_change(editor=alice, offering=offering, price="0.50")
        second = submitted_price_change(editor=bob, offering=offering, price="0.70")
        changeset_approve(changeset=first, user=reviewer)
        changeset_approve(changeset=second, user=reviewer)

        with pytest.raises(ChangeSetError, match="Only the author"):
            changeset_rebase(changeset=second, user=alice)
        changeset_rebase(changeset=second, user=bob)
        item = second.items.get()
        assert second.state == State.DRAFT
        assert item.changes == {"usd_per_million": ["0.5", "0.7"]}
        assert item.base_version == 2
        second.submit(user=bob, summary="Redrafted")
        assert changeset_approve(changeset=second, user=reviewer) is True
        assert (input_row(offering).usd_per_million, input_row(offering).version) == (Decimal("0.70"), 3)
        assert actions(second)[-5:] == ["conflicted", "rebased", "submitted", "approved", "applied"]

    def test_rebase_is_refused_unless_conflicted(self, editor):
        changeset = submitted_price_change(editor=editor)
        with pytest.raises(ChangeSetError, match="Cannot rebase"):
            changeset_rebase(changeset=changeset, user=editor)

    def test_target_deleted_since_drafting_conflicts(self, editor, reviewer, offering):
        changeset = submitted_price_change(editor=editor, offering=offering)
        input_row(offering).delete()
        assert changeset_approve(changeset=changeset, user=reviewer) is False
        assert changeset.problems[0]["kind"] == "deleted"
        assert changeset.items.count() == 1  # the author's work is kept

    def test_all_or_nothing_when_one_item_conflicts(self, editor, reviewer):
        untouched = create_offering(input_price=Decimal("1.00"))
        moved = create_offering(input_price=Decimal("1.00"))
        item = propose_price(user=editor, offering=untouched, price="0.40")
        propose_price(user=editor, offering=moved, price="0.40", changeset=item.changeset)
        item.changeset.submit(user=editor, summary="Two prices")
        Price.objects.filter(pk=input_row(moved).pk).update(version=7, usd_per_million=Decimal("3"))

        assert changeset_approve(changeset=item.changeset, user=reviewer) is False
        assert (input_row(untouched).usd_per_million, input_row(untouched).version) == (Decimal("1.00"), 1)
        assert not Provenance.objects.exists()

    def test_invalid_result_is_reported_and_nothing_is_written(self, editor, reviewer, offering):
        item = propose_price(user=editor, offering=offering, price="0.30")
        change = ProposedChange(
            "create",
            Price,
            values={"offering": create_offering(), "dimension": "cache_read", "usd_per_million": Decimal("5")},
            source=None,
        )
        other = changeset_propose(user=editor, change=change, changeset=item.changeset)
        other.source = item.source
        other.save()
        item.changeset.submit(user=editor, summary="Bad cached price")

        assert changeset_approve(changeset=item.changeset, user=reviewer, acknowledge_warnings=True) is False
        assert item.changeset.problems[0]["field"] == "usd_per_million"
        assert "above the input price" in item.changeset.problems[0]["message"]
        offering.refresh_from_db()
        assert offering.input_price == Decimal("1.00")


class TestDrafts:
    def test_proposing_leaves_the_live_row_untouched(self, editor, offering):
        propose_price(user=editor, offering=offering, price="0.10")
        offering.refresh_from_db()
        assert (offering.input_price, offering.version) == (Decimal("1.00"), 1)

    def test_a_second_save_of_the_same_row_merges_into_one_item(self, editor, offering):
        change = ProposedChange("update", Offering, values={"provider_model_id": "m-1"}, target=offering)
        first = changeset_propose(user=editor, change=change)
        first.source = create_source()
        first.save()
        change = ProposedChange("update", Offering, values={"context_window": 4096}, target=offering)
        second = changeset_propose(user=editor, change=change)
        assert second.pk == first.pk
        assert second.changes == {"provider_model_id": ["", "m-1"], "context_window": [None, 4096]}
        assert second.source_id == first.source_id

    def test_setting_a_value_back_removes_it_from_the_item(self, editor, offering):
        propose_price(user=editor, offering=offering, price="0.10")
        assert propose_price(user=editor, offering=offering, price="1") is None
        assert not ChangeItem.objects.exists()

    def test_nothing_a_reviewer_does_loses_an_editors_draft(self, editor, reviewer, offering):
        submitted = submitted_price_change(editor=editor, offering=offering)
        draft_item = propose_price(user=editor, offering=create_offering(), price="9")
        submitted.reject(user=reviewer, comment="Wrong page")
        assert ChangeItem.objects.filter(pk=draft_item.pk).exists()
        assert submitted.items.count() == 1
        assert changeset_open_draft(user=editor) == draft_item.changeset

    def test_editor_cannot_edit_someone_elses_or_a_submitted_changeset(self, editor, offering):
        changeset = submitted_price_change(editor=editor)
        with pytest.raises(ChangeSetError, match="not a draft"):
            propose_price(user=editor, offering=offering, price="3", changeset=changeset)
        other_draft = changeset_open_draft(user=create_editor("other"))
        with pytest.raises(ChangeSetError, match="Only the author"):
            propose_price(user=editor, offering=offering, price="3", changeset=other_draft)


class TestRevert:
    def test_revert_is_a_reviewed_changeset_that_restores_value_and_source(self, editor, reviewer, offering):
        old_source = create_source(title="Old pricing")
        ct = ContentType.objects.get_for_model(Price)
        row = input_row(offering)
        Provenance.objects.create(
            content_type=ct,
            object_id=row.pk,
            field="usd_per_million",
            source=old_source,
            reviewed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        )
        changeset = submitted_price_change(editor=editor, offering=offering, price="0.20")
        changeset_approve(changeset=changeset, user=reviewer)

        reverse_set = changeset_revert(changeset=changeset, user=reviewer, comment="Price was a promo")
        assert reverse_set.state == State.SUBMITTED
        assert reverse_set.reverts == changeset
        assert reverse_set.author == reviewer
        offering.refresh_from_db()
        assert offering.input_price == Decimal("0.20")  # nothing changes before review
        with pytest.raises(ChangeSetError, match="own change set"):
            changeset_approve(changeset=reverse_set, user=reviewer)

        assert changeset_approve(changeset=reverse_set, user=create_reviewer("second")) is True
        assert (input_row(offering).usd_per_million, input_row(offering).version) == (Decimal("1.00"), 3)
        provenance = Provenance.objects.get(content_type=ct, object_id=row.pk, field="usd_per_million")
        assert provenance.source == old_source
        assert actions(changeset)[-1] == "revert_created"
        assert actions(reverse_set) == ["revert_created", "proposed", "submitted", "approved", "applied"]

    def test_only_applied_changesets_by_reviewers_can_be_reverted_once(self, editor, reviewer):
        changeset = submitted_price_change(editor=editor)
        with pytest.raises(ChangeSetError, match="Cannot revert"):
            changeset_revert(changeset=changeset, user=reviewer)
        changeset_approve(changeset=changeset, user=reviewer)
        with pytest.raises(ChangeSetError, match="reviewer permission"):
            changeset_revert(changeset=changeset, user=editor)
        changeset_revert(changeset=changeset, user=reviewer)
        with pytest.raises(ChangeSetError, match="already reverts"):
            changeset_revert(changeset=changeset, user=reviewer)

    def test_reverting_a_create_deletes_and_reverting_that_recreates(self, reviewer):
        author = system_user("importer")
        bot = system_user("import-reviewer", reviewer=True)
        provider = create_provider()
        model = create_model()
        source = create_source()
        changes = [
            ProposedChange("create", Offering, values={"model": model, "provider": provider}, source=source, key="o"),
            ProposedChange(
                "create",
                Price,
                values={"offering": NewRef("o"), "dimension": "input", "usd_per_million": Decimal("3")},
                source=source,
            ),
        ]
        created = changeset_create_applied(author=author, reviewer=bot, changes=changes, summary="Add offering")
        offering = Offering.objects.get(model=model, provider=provider)
        price = offering.prices.get()

        undo = changeset_revert(changeset=created, user=reviewer)
        assert changeset_approve(changeset=undo, user=bot) is True  # the price row goes first, then its offering
        assert not Offering.objects.filter(pk=offering.pk).exists()
        assert not Provenance.objects.filter(object_id=price.pk, field="usd_per_million").exists()

        redo = changeset_revert(changeset=undo, user=reviewer)
        assert (
            changeset_approve(changeset=redo, user=bot) is True
        )  # the recreated price row belongs to the recreated offering
        recreated = Offering.objects.get(model=model, provider=provider)
        assert recreated.input_price == Decimal("3")
        assert LanguageModel.objects.get(pk=model.pk).min_input_price == Decimal("3")


class TestProgrammatic:
    def test_create_applied_builds_related_rows_with_provenance(self):
        author = system_user("demo-loader")
        reviewer = system_user("demo-reviewer", reviewer=True)
        source = create_source()
        changes = [
            ProposedChange("create", Organization, values={"name": "Meta", "slug": "meta"}, source=source, key="org"),
            ProposedChange(
                "create",
                LanguageModel,
                values={
                    "name": "Llama 3.2 1B",
                    "slug": "llama-3-2-1b",
                    "organization": NewRef("org"),
                    "release_date": datetime.date(2024, 9, 25),
                },
                source=source,
                key="llama",
            ),
            ProposedChange(
                "create",
                Offering,
                values={"model": NewRef("llama"), "provider": create_provider()},
                source=source,
                key="o",
            ),
            ProposedChange(
                "create",
                Price,
                values={"offering": NewRef("o"), "dimension": "input", "usd_per_million": Decimal("0.1")},
                source=source,
            ),
        ]
        changeset = changeset_create_applied(author=author, reviewer=reviewer, changes=changes, summary="Demo")

        model = LanguageModel.objects.get(slug="llama-3-2-1b")
        assert model.organization.name == "Meta"
        assert model.offerings.get().input_price == Decimal("0.1")
        assert changeset.state == State.APPLIED
        fields = set(
            Provenance.objects.filter(
                content_type=ContentType.objects.get_for_model(LanguageModel), object_id=model.pk
            ).values_list("field", flat=True)
        )
        assert {"name", "slug", "organization", "release_date"} <= fields
        assert "knowledge_cutoff" not in fields  # unknown facts get no provenance

    def test_create_applied_refuses_the_same_account_as_author_and_reviewer(self):
        bot = system_user("bot", reviewer=True)
        change = ProposedChange("create", Organization, values={"name": "X", "slug": "x"}, source=create_source())
        with pytest.raises(ChangeSetError, match="own change set"):
            changeset_create_applied(author=bot, reviewer=bot, changes=[change], summary="x")
        assert not Organization.objects.filter(slug="x").exists()

    def test_create_applied_rolls_back_when_a_row_is_invalid(self):
        create_organization(slug="taken")
        changes = [
            ProposedChange("create", Organization, values={"name": "Y", "slug": "taken"}, source=create_source())
        ]
        with pytest.raises(ChangeSetError, match="slug"):
            changeset_create_applied(
                author=system_user("a"), reviewer=system_user("b", reviewer=True), changes=changes, summary="y"
            )
        assert not ChangeSet.objects.exists()


class TestAuditEvents:
    def test_audit_events_are_append_only(self, editor):
        event = submitted_price_change(editor=editor).events.first()
        event.comment = "rewritten"
        with pytest.raises(ChangeSetError):
            event.save()
        with pytest.raises(ChangeSetError):
            event.delete()
        assert AuditEvent.objects.get(pk=event.pk).comment == ""


class TestReviewTable:
    def test_diff_flags_validation_problems(self, editor):
        model = create_model(release_date=datetime.date(2025, 4, 16))
        offering = create_offering(input_price=Decimal("1"), output_price=Decimal("2"))
        source = create_source()
        changeset = changeset_open_draft(user=editor)
        for change in (
            ProposedChange(
                "update", LanguageModel, values={"knowledge_cutoff": datetime.date(2025, 8, 1)}, target=model
            ),
            ProposedChange(
                "create",
                Price,
                values={"offering": offering, "dimension": "cache_read", "usd_per_million": Decimal("1.5")},
            ),
            ProposedChange(
                "update",
                Price,
                values={"usd_per_million": Decimal("25")},
                target=offering.prices.get(dimension="output"),
            ),
        ):
            change.source = source
            changeset_propose(user=editor, change=change, changeset=changeset)

        model_diff, cached_diff, output_diff = changeset_diff(changeset=changeset)
        assert any("knowledge cutoff" in flag for flag in model_diff.flags)
        assert any("cached input price" in flag for flag in cached_diff.flags)
        assert any("more than 10x" in flag for flag in output_diff.flags)
        rows = {row.field: row for row in output_diff.rows}
        assert (rows["usd_per_million"].live, rows["usd_per_million"].proposed) == ("2", "25")

    def test_diff_marks_rows_that_moved_since_drafting(self, editor, offering):
        changeset = propose_price(user=editor, offering=offering, price="0.5").changeset
        Price.objects.filter(pk=input_row(offering).pk).update(usd_per_million=Decimal("0.9"), version=2)
        (diff,) = changeset_diff(changeset=changeset)
        assert diff.stale
        assert diff.rows[0].stale
        assert (diff.rows[0].drafted, diff.rows[0].live, diff.rows[0].proposed) == ("1", "0.9", "0.5")


class TestFieldSources:
    """An item cites a default source and, in field_sources, another source for single fields."""

    @pytest.fixture
    def model(self):
        return create_model(release_date=datetime.date(2025, 1, 1))

    @staticmethod
    def provenance_of(obj) -> dict[str, str]:
        ct = ContentType.objects.get_for_model(obj)
        rows = Provenance.objects.filter(content_type=ct, object_id=obj.pk).select_related("source")
        return {p.field: p.source.title for p in rows}

    @staticmethod
    def apply(*changes: ProposedChange) -> ChangeSet:
        return changeset_create_applied(
            author=system_user("loader"),
            reviewer=system_user("loader-reviewer", reviewer=True),
            changes=list(changes),
            summary="Per-field sources",
        )

    def test_applying_records_the_per_field_source_in_provenance(self, model):
        card, models_page = create_source(title="Model card"), create_source(title="Models page")
        changeset = self.apply(
            ProposedChange(
                "update",
                LanguageModel,
                target=model,
                values={"context_window": 128_000, "knowledge_cutoff": datetime.date(2024, 6, 1)},
                source=card,
                field_sources={"knowledge_cutoff": models_page},
            )
        )

        item = changeset.items.get()
        assert (item.source, item.field_sources) == (card, {"knowledge_cutoff": models_page.pk})
        assert self.provenance_of(model) == {"context_window": "Model card", "knowledge_cutoff": "Models page"}

    def test_a_field_source_equal_to_the_default_is_not_stored_and_unknown_fields_are_refused(self, editor, model):
        card = create_source(title="Model card")
        item = changeset_propose(
            user=editor,
            change=ProposedChange(
                "update",
                LanguageModel,
                target=model,
                values={"context_window": 64_000},
                source=card,
                field_sources={"context_window": card},
            ),
        )
        assert item.field_sources == {}
        with pytest.raises(ChangeSetError, match="does not set: max_output_tokens"):
            changeset_propose(
                user=editor,
                change=ProposedChange(
                    "update",
                    LanguageModel,
                    target=model,
                    values={"context_window": 32_000},
                    source=card,
                    field_sources={"max_output_tokens": card},
                ),
            )

    def test_proposing_the_same_row_twice_keeps_each_fields_source(self, editor, model):
        card, models_page, blog = (create_source(title=t) for t in ("Model card", "Models page", "Blog"))
        changeset_propose(
            user=editor,
            change=ProposedChange(
                "update",
                LanguageModel,
                target=model,
                values={"context_window": 64_000, "max_output_tokens": 8_000},
                source=card,
                field_sources={"max_output_tokens": blog},
            ),
        )
        item = changeset_propose(
            user=editor,
            change=ProposedChange(
                "update",
                LanguageModel,
                target=model,
                values={"knowledge_cutoff": datetime.date(2024, 6, 1)},
                source=models_page,
            ),
        )

        # The new proposal's source becomes the default; the earlier fields keep the sources they cited.
        assert item.source == models_page
        assert item.field_sources == {"context_window": card.pk, "max_output_tokens": blog.pk}
        item = changeset_propose(
            user=editor,
            change=ProposedChange(
                "update", LanguageModel, target=model, values={"context_window": 96_000}, source=models_page
            ),
        )
        assert item.field_sources == {"max_output_tokens": blog.pk}

    def test_citing_a_source_for_every_change_drops_the_per_field_sources(self, editor, model):
        item = changeset_propose(
            user=editor,
            change=ProposedChange(
                "update",
                LanguageModel,
                target=model,
                values={"context_window": 64_000, "max_output_tokens": 8_000},
                source=create_source(),
                field_sources={"max_output_tokens": create_source()},
            ),
        )
        changeset_cite_source(changeset=item.changeset, user=editor, source=create_source(), only_missing=False)
        item.refresh_from_db()
        assert item.field_sources == {}

    def test_revert_restores_each_fields_previous_source(self, reviewer):
        model = create_model(context_window=128_000, max_output_tokens=16_000, parameter_count=8_000_000)
        ct = ContentType.objects.get_for_model(LanguageModel)
        earlier = {"context_window": create_source(title="Old card"), "max_output_tokens": create_source(title="Docs")}
        for name, source in earlier.items():
            Provenance.objects.create(
                content_type=ct,
                object_id=model.pk,
                field=name,
                source=source,
                reviewed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            )
        Provenance.objects.create(
            content_type=ct,
            object_id=model.pk,
            field="parameter_count",
            source=earlier["context_window"],
            reviewed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        )
        changeset = self.apply(
            ProposedChange(
                "update",
                LanguageModel,
                target=model,
                values={"context_window": 1_000_000, "max_output_tokens": 64_000, "parameter_count": 9_000_000},
                source=create_source(title="New card"),
                field_sources={"max_output_tokens": create_source(title="New docs")},
            )
        )
        assert self.provenance_of(model) == {
            "context_window": "New card",
            "max_output_tokens": "New docs",
            "parameter_count": "New card",
        }

        reverse_set = changeset_revert(changeset=changeset, user=reviewer)
        item = reverse_set.items.get()
        assert (item.source, item.field_sources) == (
            earlier["context_window"],
            {"max_output_tokens": earlier["max_output_tokens"].pk},
        )
        assert changeset_approve(changeset=reverse_set, user=create_reviewer("second")) is True

        assert self.provenance_of(model) == {
            "context_window": "Old card",
            "max_output_tokens": "Docs",
            "parameter_count": "Old card",
        }

    def test_reverting_a_delete_recreates_the_row_with_each_fields_source(self, reviewer):
        provider, model = create_provider(), create_model()
        pricing, promo = create_source(title="Pricing page"), create_source(title="Promo post")
        self.apply(
            ProposedChange(
                "create",
                Offering,
                values={"model": model, "provider": provider, "provider_model_id": "m-1", "context_window": 4096},
                source=pricing,
                field_sources={"context_window": promo},
            )
        )
        offering = Offering.objects.get(model=model, provider=provider)
        removal = self.apply(ProposedChange("delete", Offering, target=offering, source=pricing))
        assert self.provenance_of(offering) == {}

        undo = changeset_revert(changeset=removal, user=reviewer)
        assert changeset_approve(changeset=undo, user=create_reviewer("second")) is True

        recreated = Offering.objects.get(model=model, provider=provider)
        provenance = self.provenance_of(recreated)
        assert (provenance["provider_model_id"], provenance["context_window"]) == ("Pricing page", "Promo post")

    @pytest.mark.parametrize("n", [1, 20])
    def test_review_page_and_changelog_show_the_per_field_source_with_bounded_queries(
        self, client, django_assert_max_num_queries, n
    ):
        changes = [
            ProposedChange(
                "update",
                LanguageModel,
                target=create_model(release_date=datetime.date(2025, 1, 1)),
                values={"context_window": 100_000 + i, "knowledge_cutoff": datetime.date(2024, 6, 1)},
                source=create_source(url=f"https://example.com/card-{i}", title=f"Model card {i}"),
                field_sources={
                    "knowledge_cutoff": create_source(url=f"https://example.com/models-{i}", title=f"Models page {i}")
                },
            )
            for i in range(n)
        ]
        changeset = self.apply(*changes)
        sign_in(client, create_reviewer())
        client.get(changeset.get_admin_url())  # warm per-process caches (content types)

        with django_assert_max_num_queries(16):
            review = client.get(changeset.get_admin_url())
        with django_assert_max_num_queries(9):  # + the set's totals (its first rows are listed)
            changelog = client.get(reverse("comparisons:changes"))

        diff = {row.field: row.source.title for row in review.context["diffs"][0].rows}
        assert diff == {"context_window": "Model card 0", "knowledge_cutoff": "Models page 0"}
        html = review.content.decode()
        assert '<a href="https://example.com/models-0" rel="noopener">Models page 0</a>' in html
        assert html.count('<td class="source">') == 2 * n
        public = changelog.content.decode()
        assert (
            'Knowledge cutoff: <a href="https://example.com/models-0" rel="nofollow noopener">Models page 0</a>'
            in public
        )
        assert public.count("Models page ") == min(n, ENTRIES_ON_LIST)
