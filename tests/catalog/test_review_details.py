"""The smaller review-workflow fixes: bounds, duplicate slugs at submit, who acted, the 10x flag, modality
checkboxes, and revert reasons kept internal unless published."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import ChangeItem, ChangeSet, ChangeSetError, LanguageModel, Price
from catalog.review.diff import changeset_diff
from catalog.review.services import ProposedChange, changeset_approve, changeset_propose, changeset_revert
from tests.auth_support import sign_in
from tests.factories import create_model, create_offering, create_organization, create_source

from .workflow_support import admin_url, create_editor, create_reviewer, form_data, input_row, submitted_price_change

pytestmark = pytest.mark.django_db


class TestBounds:
    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("context_window", 99_999_999_999, "At most 100 million tokens"),
            ("max_output_tokens", 100_000_001, "At most 100 million tokens"),
            ("parameter_count", 100_000_000_000_001, "At most 100 trillion parameters"),
        ],
    )
    def test_implausible_sizes_are_refused_the_same_on_every_database(self, field, value, message):
        model = create_model()
        setattr(model, field, value)
        with pytest.raises(ValidationError, match=message):
            model.full_clean()

    def test_admin_form_names_the_field_instead_of_overflowing(self, client):
        model = create_model(release_date=datetime.date(2025, 1, 1))
        sign_in(client, create_editor())
        data = form_data(client.get(admin_url(LanguageModel, "change", model.pk)))
        response = client.post(admin_url(LanguageModel, "change", model.pk), {**data, "context_window": "99999999999"})
        assert response.status_code == 200
        assert "At most 100 million tokens" in " ".join(response.context["adminform"].form.errors["context_window"])
        assert not ChangeItem.objects.exists()

    def test_a_big_but_real_context_window_is_fine(self):
        model = create_model(context_window=10_000_000)
        model.full_clean()


class TestDuplicateSlugsAtSubmit:
    def propose_model(self, editor, slug):
        org = create_organization()
        change = ProposedChange(
            "create", LanguageModel, values={"name": slug, "slug": slug, "organization": org}, source=create_source()
        )
        return changeset_propose(user=editor, change=change).changeset

    def test_two_pending_sets_creating_the_same_slug_are_caught_at_submit(self):
        first = self.propose_model(create_editor("alice"), "new-model")
        first.submit(user=first.author, summary="one")
        second = self.propose_model(create_editor("bob"), "new-model")
        with pytest.raises(ChangeSetError, match=f"slug “new-model” is also proposed by change set #{first.pk}"):
            second.submit(user=second.author, summary="two")
        assert ChangeSet.objects.get(pk=second.pk).state == ChangeSet.State.DRAFT

    def test_a_slug_a_live_row_already_has_is_caught_at_submit(self):
        create_model(slug="taken")
        changeset = self.propose_model(create_editor(), "taken")
        with pytest.raises(ChangeSetError, match="slug “taken” is already used by language model"):
            changeset.submit(user=changeset.author, summary="dup")

    def test_renaming_away_and_reusing_in_one_set_is_fine(self):
        editor = create_editor()
        old = create_model(slug="reused")
        source = create_source()
        changeset = changeset_propose(
            user=editor, change=ProposedChange("delete", LanguageModel, target=old, source=source)
        ).changeset
        org = create_organization()
        values = {"name": "Reused", "slug": "reused", "organization": org}
        changeset_propose(
            user=editor,
            change=ProposedChange("create", LanguageModel, values=values, source=source),
            changeset=changeset,
        )
        changeset.submit(user=editor, summary="replace")
        assert changeset.state == ChangeSet.State.SUBMITTED


class TestHeaderNamesWhoActed:
    def test_rejected_set_says_rejected_by_the_reviewer(self, client):
        changeset = submitted_price_change(editor=create_editor("alice"))
        changeset.reject(user=create_reviewer("carol"), comment="wrong page")
        sign_in(client, create_reviewer("dave"))
        page = client.get(changeset.get_admin_url()).content.decode()
        assert "Rejected by carol" in page
        assert "authored by <strong>alice</strong>" in page

    def test_applied_set_says_applied_by_the_approver(self, client):
        alice = create_editor("alice")
        changeset = submitted_price_change(editor=alice)
        changeset_approve(changeset=changeset, user=create_reviewer("carol"))
        sign_in(client, alice)
        assert "Applied by carol" in client.get(changeset.get_admin_url()).content.decode()


class TestPriceJumpFlag:
    @pytest.mark.parametrize(("new", "flagged"), [("10", False), ("10.01", True), ("0.1", False), ("0.09", True)])
    def test_flag_fires_above_ten_times(self, new, flagged):
        offering = create_offering(input_price=Decimal("1"), output_price=Decimal("2"))
        editor = create_editor()
        change = ProposedChange(
            "update",
            Price,
            values={"usd_per_million": Decimal(new)},
            target=input_row(offering),
            source=create_source(),
        )
        changeset = changeset_propose(user=editor, change=change).changeset
        (diff,) = changeset_diff(changeset=changeset)
        assert any("more than 10x" in flag for flag in diff.flags) is flagged


class TestModalityCheckboxes:
    def test_modalities_are_checkboxes_and_save_as_a_list(self, client):
        model = create_model(input_modalities=["text"], output_modalities=None)
        sign_in(client, create_editor())
        page = client.get(admin_url(LanguageModel, "change", model.pk))
        html = page.content.decode()
        assert 'type="checkbox" name="input_modalities" value="image"' in html
        data = {**form_data(page), "input_modalities": ["image", "text"], "output_modalities": ["text"]}
        data["proposal_source"] = str(create_source().pk)
        assert client.post(admin_url(LanguageModel, "change", model.pk), data).status_code == 302
        item = ChangeItem.objects.get()
        assert item.changes == {
            "input_modalities": [["text"], ["text", "image"]],
            "output_modalities": [None, ["text"]],
        }

    def test_untouched_modalities_propose_nothing(self, client):
        model = create_model(input_modalities=["text", "image"], output_modalities=None)
        sign_in(client, create_editor())
        data = form_data(client.get(admin_url(LanguageModel, "change", model.pk)))
        client.post(admin_url(LanguageModel, "change", model.pk), data)
        assert not ChangeItem.objects.exists()


class TestRevertReason:
    def applied(self):
        changeset = submitted_price_change(editor=create_editor("alice"))
        changeset_approve(changeset=changeset, user=create_reviewer("carol"))
        return changeset

    def test_reviewer_comment_stays_internal_by_default(self, client):
        changeset = self.applied()
        revert = changeset_revert(changeset=changeset, user=create_reviewer("dave"), comment="INTERNAL-NOTE")
        assert "INTERNAL-NOTE" not in revert.summary
        assert revert.events.filter(comment="INTERNAL-NOTE").exists()
        changeset_approve(changeset=revert, user=create_reviewer("erin"))
        assert "INTERNAL-NOTE" not in client.get(reverse("comparisons:changes")).content.decode()

    def test_a_published_reason_is_in_the_headline(self, client):
        changeset = self.applied()
        sign_in(client, create_reviewer("dave"))
        url = reverse("admin:catalog_changeset_transition", args=[changeset.pk, "revert"])
        client.post(url, {"comment": "Promo price ended", "publish_comment": "on"})
        revert = ChangeSet.objects.get(reverts=changeset)
        assert revert.summary.endswith(": Promo price ended")
