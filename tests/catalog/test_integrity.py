"""Regression tests for the four ways reviewed data was lost or changed without a reviewer seeing it.

Each test failed on the code before the fix: a stale admin form undid an approved change, a delete cascaded
behind the workflow, a cited source could be edited live, and disjoint edits of one row conflicted.
"""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models.deletion import ProtectedError

from catalog.models import (
    BenchmarkResult,
    ChangeItem,
    ChangeSet,
    LanguageModel,
    Offering,
    Price,
    Provenance,
    Source,
)
from catalog.review.services import (
    NewRef,
    ProposedChange,
    changeset_approve,
    changeset_cite_source,
    changeset_create_applied,
    changeset_propose,
    changeset_revert,
    system_user,
)
from tests.auth_support import sign_in
from tests.factories import create_benchmark, create_model, create_offering, create_provider, create_source

from .workflow_support import (
    admin_url,
    create_editor,
    create_reviewer,
    form_data,
    input_row,
    message_texts,
    price_field,
)

pytestmark = pytest.mark.django_db


def approved_update(*, target, values, editor_name="bob", reviewer_name="carol", source=None) -> ChangeSet:
    editor = create_editor(editor_name)
    change = ProposedChange("update", type(target), values=values, target=target, source=source or create_source())
    changeset = changeset_propose(user=editor, change=change).changeset
    changeset.submit(user=editor, summary="meanwhile")
    assert changeset_approve(changeset=changeset, user=create_reviewer(reviewer_name)) is True
    return changeset


class TestStaleForm:
    """Bug 1: changes are computed against the values the form was rendered with."""

    def test_stale_offering_form_is_refused_naming_the_move_and_never_undoes_it(self, client):
        offering = create_offering(provider_model_id="old-id", max_output_tokens=8000)
        alice = create_editor("alice")
        sign_in(client, alice)
        rendered = form_data(client.get(admin_url(Offering, "change", offering.pk)))

        moved = approved_update(target=offering, values={"max_output_tokens": 16000})

        source = create_source()
        data = {**rendered, "provider_model_id": "new-id", "proposal_source": str(source.pk)}
        response = client.post(admin_url(Offering, "change", offering.pk), data)

        assert response.status_code == 200  # the form again, not a redirect
        assert not ChangeItem.objects.filter(changeset__author=alice).exists()
        errors = " ".join(response.context["adminform"].form.non_field_errors())
        assert "max output tokens: 8000 → 16000" in errors
        assert f"change set #{moved.pk} by bob, approved by carol" in errors
        form = response.context["adminform"].form
        assert form["provider_model_id"].value() == "new-id"  # the editor's input is kept
        assert int(form["max_output_tokens"].value()) == 16000  # untouched field now shows the live value

        # Saving the redrafted form proposes only what the editor changed.
        response = client.post(admin_url(Offering, "change", offering.pk), form_data(response))
        assert response.status_code == 302
        item = ChangeItem.objects.get(changeset__author=alice)
        assert item.changes == {"provider_model_id": ["old-id", "new-id"]}
        assert item.base_version == offering.version + 1
        assert Offering.objects.get(pk=offering.pk).max_output_tokens == 16000

    def test_unedited_fields_never_become_proposals_when_nothing_moved(self, client):
        offering = create_offering(provider_model_id="old-id", context_window=100_000)
        sign_in(client, create_editor("alice"))
        rendered = form_data(client.get(admin_url(Offering, "change", offering.pk)))
        source = create_source()
        response = client.post(
            admin_url(Offering, "change", offering.pk),
            {**rendered, "status": "deprecated", "proposal_source": str(source.pk)},
        )
        assert response.status_code == 302
        assert ChangeItem.objects.get().changes == {"status": ["active", "deprecated"]}

    def test_stale_inline_offering_on_the_model_page_is_refused(self, client):
        offering = create_offering(context_window=100_000, max_output_tokens=8000)
        model = offering.model
        alice = create_editor("alice")
        sign_in(client, alice)
        rendered = form_data(client.get(admin_url(LanguageModel, "change", model.pk)))

        approved_update(target=offering, values={"max_output_tokens": 16000})

        data = {**rendered, "offerings-0-context_window": "128000", "proposal_source": str(create_source().pk)}
        response = client.post(admin_url(LanguageModel, "change", model.pk), data)
        assert response.status_code == 200
        assert not ChangeItem.objects.filter(changeset__author=alice).exists()
        assert "max output tokens: 8000 → 16000" in response.content.decode()
        assert Offering.objects.get(pk=offering.pk).max_output_tokens == 16000

    def test_stale_price_row_on_the_offering_page_is_refused(self, client):
        offering = create_offering(input_price=Decimal("1.00"), output_price=Decimal("9.00"))
        alice = create_editor("alice")
        sign_in(client, alice)
        url = admin_url(Offering, "change", offering.pk)
        rendered = form_data(client.get(url))

        moved = approved_update(target=input_row(offering), values={"usd_per_million": Decimal("1.20")})

        key = price_field(rendered, "input")
        response = client.post(url, {**rendered, key: "0.80", "proposal_source": str(create_source().pk)})
        assert response.status_code == 200
        assert not ChangeItem.objects.filter(changeset__author=alice).exists()
        page = response.content.decode()
        assert f"USD per 1M: 1 → 1.2 by change set #{moved.pk} by bob, approved by carol" in page
        assert "you edited it too" in page
        assert input_row(offering).usd_per_million == Decimal("1.20")  # the approved move stands

        # The editor's value is kept in the redrafted form; saving it now proposes it against the live value.
        redrafted = form_data(response)
        assert redrafted[key] == "0.80"
        assert client.post(url, redrafted).status_code == 302
        item = ChangeItem.objects.get(changeset__author=alice)
        assert (item.object_id, item.changes) == (input_row(offering).pk, {"usd_per_million": ["1.2", "0.8"]})
        assert input_row(offering).usd_per_million == Decimal("1.20")

    def test_a_form_without_its_rendered_version_is_a_form_error(self, client):
        offering = create_offering()
        sign_in(client, create_editor("alice"))
        data = form_data(client.get(admin_url(Offering, "change", offering.pk)))
        del data["rendered_values"]
        response = client.post(admin_url(Offering, "change", offering.pk), {**data, "provider_model_id": "new-id"})
        assert response.status_code == 200
        assert "reload the page" in " ".join(response.context["adminform"].form.non_field_errors())
        assert not ChangeItem.objects.exists()


@pytest.fixture
def applied_model():
    """A model created through review with two offerings (an input price each), a benchmark result and a
    predecessor."""
    author, bot = system_user("importer"), system_user("bot", reviewer=True)
    source, price_page = create_source(), create_source()
    org_model = create_model()  # for the organization and as the predecessor
    changes = [
        ProposedChange(
            "create",
            LanguageModel,
            key="m",
            values={"name": "Doomed 1", "slug": "doomed-1", "organization": org_model.organization_id},
            source=source,
        ),
        *[
            change
            for n, price in enumerate(("1.5", "2.5"))
            for change in (
                ProposedChange(
                    "create",
                    Offering,
                    key=f"o{n}",
                    values={"model": NewRef("m"), "provider": create_provider()},
                    source=source,
                ),
                ProposedChange(
                    "create",
                    Price,
                    values={"offering": NewRef(f"o{n}"), "dimension": "input", "usd_per_million": Decimal(price)},
                    source=source,
                    field_sources={"usd_per_million": price_page},
                ),
            )
        ],
        ProposedChange(
            "create",
            BenchmarkResult,
            values={"model": NewRef("m"), "benchmark": create_benchmark(), "score": Decimal("71.2"), "source": source},
            source=source,
        ),
    ]
    changeset_create_applied(author=author, reviewer=bot, changes=changes, summary="add doomed")
    model = LanguageModel.objects.get(slug="doomed-1")
    changeset_create_applied(
        author=author,
        reviewer=bot,
        changes=[ProposedChange("update", LanguageModel, target=org_model, values={"successor": model}, source=source)],
        summary="successor",
    )
    return model, org_model, price_page


def provenance_of(obj) -> dict[str, int]:
    content_type = ContentType.objects.get_for_model(obj)
    return dict(
        Provenance.objects.filter(content_type=content_type, object_id=obj.pk).values_list("field", "source_id")
    )


class TestNoInvisibleCascades:
    """Bug 2: a delete proposes every dependant explicitly; apply deletes exactly that; revert restores all."""

    def test_database_refuses_a_cascade_behind_the_workflow(self, applied_model):
        model, _, _ = applied_model
        with pytest.raises(ProtectedError):
            model.delete()

    def test_delete_confirmation_lists_every_dependant_as_proposed(self, client, applied_model):
        model, predecessor, _ = applied_model
        sign_in(client, create_editor())
        page = client.get(admin_url(LanguageModel, "delete", model.pk)).content.decode()
        assert "proposed for deletion" in page
        for offering in model.offerings.all():
            assert str(offering) in page
            assert str(input_row(offering)) in page
        assert str(model.benchmark_results.get()) in page
        assert f"{predecessor} (successor cleared)" in page

    def test_delete_proposes_dependants_applies_exactly_them_and_revert_restores_them(self, client, applied_model):
        model, predecessor, price_page = applied_model
        offerings = list(model.offerings.order_by("pk"))
        prices = [input_row(o) for o in offerings]
        result = model.benchmark_results.get()
        before = {obj: (provenance_of(obj), obj.version) for obj in [model, *offerings, *prices, result]}
        snapshot = {
            "offerings": sorted((o.provider_id, o.input_price) for o in offerings),
            "result": (result.benchmark_id, result.score, result.source_id),
        }
        editor = create_editor()
        sign_in(client, editor)
        assert client.post(admin_url(LanguageModel, "delete", model.pk), {"post": "yes"}).status_code == 302

        changeset = ChangeSet.objects.get(author=editor)
        items = list(changeset.items.select_related("content_type"))
        described = [(i.action, i.content_type.model, i.object_id) for i in items]
        assert described == [
            ("update", "languagemodel", predecessor.pk),
            ("delete", "price", prices[0].pk),
            ("delete", "price", prices[1].pk),
            ("delete", "offering", offerings[0].pk),
            ("delete", "offering", offerings[1].pk),
            ("delete", "benchmarkresult", result.pk),
            ("delete", "languagemodel", model.pk),
        ]
        assert items[0].changes == {"successor": [model.pk, None]}
        assert LanguageModel.objects.filter(pk=model.pk).exists()  # nothing live yet

        changeset_cite_source(changeset=changeset, user=editor, source=create_source())
        changeset.submit(user=editor, summary="remove doomed")
        assert changeset_approve(changeset=changeset, user=create_reviewer()) is True
        assert not LanguageModel.objects.filter(slug="doomed-1").exists()
        assert not Offering.objects.filter(pk__in=[o.pk for o in offerings]).exists()
        assert not Price.objects.filter(pk__in=[p.pk for p in prices]).exists()
        assert not BenchmarkResult.objects.filter(pk=result.pk).exists()
        predecessor.refresh_from_db()
        assert predecessor.successor_id is None
        for obj in before:
            assert provenance_of(obj) == {}

        revert = changeset_revert(changeset=changeset, user=create_reviewer("first"))
        assert revert.items.count() == 7
        assert changeset_approve(changeset=revert, user=create_reviewer("second")) is True

        restored = LanguageModel.objects.get(slug="doomed-1")
        predecessor.refresh_from_db()
        assert predecessor.successor_id == restored.pk
        new_offerings = list(restored.offerings.order_by("pk"))
        assert sorted((o.provider_id, o.input_price) for o in new_offerings) == snapshot["offerings"]
        new_result = restored.benchmark_results.get()
        assert (new_result.benchmark_id, new_result.score, new_result.source_id) == snapshot["result"]
        # Provenance comes back field by field, with the per-field price source.
        assert provenance_of(restored) == before[model][0]
        for old, new in zip(offerings, new_offerings, strict=True):
            assert provenance_of(new) == before[old][0]
        for old, new in zip(prices, [input_row(o) for o in new_offerings], strict=True):
            assert provenance_of(new) == before[old][0]
            assert provenance_of(new)["usd_per_million"] == price_page.pk
        assert provenance_of(new_result) == before[result][0]

    def test_editor_may_choose_to_refuse_a_delete_that_has_dependants(self, client, applied_model):
        model, _, _ = applied_model
        sign_in(client, create_editor())
        response = client.post(admin_url(LanguageModel, "delete", model.pk), {"post": "yes", "dependants": "refuse"})
        assert response.status_code == 302
        assert not ChangeItem.objects.filter(changeset__author__username="editor").exists()
        text = " ".join(message_texts(response))
        assert "cannot be deleted on its own" in text
        assert str(model.offerings.first()) in text

    def test_a_dependant_added_after_review_makes_the_delete_a_conflict_not_a_cascade(self, applied_model):
        model, _, _ = applied_model
        editor = create_editor()
        change = ProposedChange("delete", LanguageModel, target=model, source=create_source())
        changeset = changeset_propose(user=editor, change=change).changeset
        changeset.submit(user=editor, summary="remove")
        late = create_offering(model=model)
        assert changeset_approve(changeset=changeset, user=create_reviewer()) is False
        assert Offering.objects.filter(pk=late.pk).exists()
        assert LanguageModel.objects.filter(pk=model.pk).exists()
        assert "cannot be deleted while these refer to it" in changeset.problems[0]["message"]


class TestCitedSourcesAreImmutable:
    """Bug 3: once an applied change cites a source, its edits go through review."""

    def test_editing_a_cited_source_is_a_proposal_and_changes_only_on_approval(self, client):
        offering = create_offering()
        source = create_source(url="https://example.com/old", title="Old title")
        cited_by = approved_update(
            target=input_row(offering), values={"usd_per_million": Decimal("0.5")}, source=source
        )
        editor = create_editor("alice")
        sign_in(client, editor)
        page = client.get(admin_url(Source, "change", source.pk))
        assert b"Where this source is cited" in page.content
        assert f"#{cited_by.pk}".encode() in page.content
        data = {**form_data(page), "url": "https://example.com/moved", "title": "New title"}
        response = client.post(admin_url(Source, "change", source.pk), data)
        assert response.status_code == 302
        source.refresh_from_db()
        assert (source.url, source.title) == ("https://example.com/old", "Old title")  # not live
        item = ChangeItem.objects.get(changeset__author=editor)
        assert item.changes == {
            "url": ["https://example.com/old", "https://example.com/moved"],
            "title": ["Old title", "New title"],
        }
        assert item.source_id == source.pk
        item.changeset.submit(user=editor, summary="the page moved")
        assert changeset_approve(changeset=item.changeset, user=create_reviewer("dave")) is True
        source.refresh_from_db()
        assert (source.url, source.title, source.version) == ("https://example.com/moved", "New title", 2)

    def test_an_uncited_source_is_edited_directly(self, client):
        source = create_source(title="Draft title")
        sign_in(client, create_editor())
        page = client.get(admin_url(Source, "change", source.pk))
        assert b"saving changes it at once" in page.content
        response = client.post(admin_url(Source, "change", source.pk), {**form_data(page), "title": "Fixed"})
        assert response.status_code == 302
        source.refresh_from_db()
        assert (source.title, source.version) == ("Fixed", 2)
        assert not ChangeItem.objects.exists()

    def test_a_cited_source_cannot_be_deleted(self, client):
        source = create_source()
        approved_update(target=input_row(create_offering()), values={"usd_per_million": Decimal("0.5")}, source=source)
        sign_in(client, create_editor())
        assert client.post(admin_url(Source, "delete", source.pk), {"post": "yes"}).status_code == 403
        assert Source.objects.filter(pk=source.pk).exists()


class TestPerFieldConflicts:
    """Bug 4: disjoint field edits of one row both apply; a real conflict names field, values and mover."""

    def drafted(self, editor_name, target, values):
        editor = create_editor(editor_name)
        change = ProposedChange("update", type(target), values=values, target=target, source=create_source())
        changeset = changeset_propose(user=editor, change=change).changeset
        changeset.submit(user=editor, summary=editor_name)
        return changeset

    def test_disjoint_field_edits_of_one_row_both_apply(self):
        offering = create_offering(provider_model_id="old-id", max_output_tokens=None)
        first = self.drafted("alice", offering, {"provider_model_id": "new-id"})
        second = self.drafted("bob", offering, {"max_output_tokens": 16000})
        reviewer = create_reviewer()
        assert changeset_approve(changeset=first, user=reviewer) is True
        assert changeset_approve(changeset=second, user=reviewer) is True
        offering.refresh_from_db()
        assert (offering.provider_model_id, offering.max_output_tokens, offering.version) == ("new-id", 16000, 3)

    def test_a_real_conflict_names_field_values_and_the_change_set_that_moved_it(self):
        offering = create_offering(provider_model_id="old-id")
        first = self.drafted("alice", offering, {"provider_model_id": "new-id"})
        second = self.drafted("bob", offering, {"provider_model_id": "other-id", "status": "deprecated"})
        assert changeset_approve(changeset=first, user=create_reviewer("carol")) is True
        assert changeset_approve(changeset=second, user=create_reviewer("dave")) is False
        assert second.problems == [
            {
                "item": second.items.get().pk,
                "object": str(offering),
                "field": "provider_model_id",
                "kind": "moved",
                "drafted": "old-id",
                "live": "new-id",
                "proposed": "other-id",
                "moved_by": first.pk,
                "message": (
                    f"{offering}: provider_model_id was drafted against 'old-id' but is now 'new-id', changed by "
                    f"change set #{first.pk} by alice, approved by carol since this was drafted."
                ),
            }
        ]
        offering.refresh_from_db()
        assert offering.status == "active"  # nothing of the conflicted set applied

    def test_a_price_edited_by_two_sets_conflicts_on_its_amount(self):
        offering = create_offering(input_price=Decimal("1.00"))
        row = input_row(offering)
        first = self.drafted("alice", row, {"usd_per_million": Decimal("0.80")})
        second = self.drafted("bob", row, {"usd_per_million": Decimal("0.70")})
        assert changeset_approve(changeset=first, user=create_reviewer("carol")) is True
        assert changeset_approve(changeset=second, user=create_reviewer("dave")) is False
        (problem,) = second.problems
        assert (problem["field"], problem["drafted"], problem["live"], problem["moved_by"]) == (
            "usd_per_million",
            "1",
            "0.8",
            first.pk,
        )
        assert input_row(offering).usd_per_million == Decimal("0.80")


def test_revert_of_a_model_created_with_an_offering_deletes_both(applied_model):
    model, _, _ = applied_model
    created = ChangeSet.objects.get(summary="add doomed")
    successor = ChangeSet.objects.get(summary="successor")
    undo_successor = changeset_revert(changeset=successor, user=create_reviewer("r1"))
    assert changeset_approve(changeset=undo_successor, user=create_reviewer("r2")) is True
    undo = changeset_revert(changeset=created, user=create_reviewer("r3"))
    assert changeset_approve(changeset=undo, user=create_reviewer("r4")) is True
    assert not LanguageModel.objects.filter(pk=model.pk).exists()
    assert not Offering.objects.filter(model_id=model.pk).exists()
    assert not Price.objects.filter(offering__model_id=model.pk).exists()
