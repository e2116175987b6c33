"""The review workflow through the real admin: editors' form saves become proposals, reviewers act on them."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from catalog.models import ChangeItem, ChangeSet, LanguageModel, Offering, Price, Provenance, Source
from catalog.review.services import ProposedChange, changeset_approve, changeset_propose
from tests.auth_support import sign_in
from tests.factories import (
    create_license,
    create_model,
    create_offering,
    create_organization,
    create_provider,
    create_source,
)

from .workflow_support import (
    admin_url,
    create_editor,
    create_reviewer,
    form_data,
    message_texts,
    propose_price,
    submitted_price_change,
    transition_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    sign_in(client, create_editor())
    return client


@pytest.fixture
def model_with_offering():
    model = create_model(
        name="Llama 3.2 1B",
        slug="llama-3-2-1b",
        release_date=datetime.date(2024, 9, 25),
        context_window=128000,
        license=create_license(),
    )
    create_offering(model=model, input_price=Decimal("0.10"), output_price=Decimal("0.20"))
    return model


class TestEditorSaves:
    def test_change_form_offers_a_source_and_says_saving_proposes(self, editor_client, model_with_offering):
        response = editor_client.get(admin_url(LanguageModel, "change", model_with_offering.pk))
        assert response.status_code == 200
        assert b"Source for this change" in response.content
        assert b"Saving proposes your changes" in response.content

    def test_saving_the_model_form_with_an_inline_proposes_and_leaves_live_rows_unchanged(
        self, editor_client, model_with_offering
    ):
        url = admin_url(LanguageModel, "change", model_with_offering.pk)
        data = form_data(editor_client.get(url))
        data["context_window"] = "131072"
        data["offerings-0-provider_model_id"] = "meta/llama-3.2-1b"
        data["proposal_source_url"] = "https://example.com/llama-card"
        data["proposal_source_title"] = "Llama 3.2 model card"

        response = editor_client.post(url, data)

        assert response.status_code == 302
        model_with_offering.refresh_from_db()
        offering = model_with_offering.offerings.get()
        assert (model_with_offering.context_window, model_with_offering.version) == (128000, 1)
        assert (offering.provider_model_id, offering.version) == ("", 1)
        changeset = ChangeSet.objects.get()
        assert changeset.state == ChangeSet.State.DRAFT
        source = Source.objects.get(url="https://example.com/llama-card")
        assert {(i.object_id, tuple(i.changes), i.source_id) for i in changeset.items.all()} == {
            (model_with_offering.pk, ("context_window",), source.pk),
            (offering.pk, ("provider_model_id",), source.pk),
        }
        assert message_texts(response) == [
            f"Changes to language model “Llama 3.2 1B”: Proposed in "
            f'<a href="{changeset.get_admin_url()}">change set #{changeset.pk}</a> — submit it for review.'
        ]

    def test_unchanged_save_proposes_nothing(self, editor_client, model_with_offering):
        url = admin_url(LanguageModel, "change", model_with_offering.pk)
        response = editor_client.post(url, form_data(editor_client.get(url)))
        assert response.status_code == 302
        assert not ChangeItem.objects.exists()
        assert message_texts(response) == ["Nothing changed, so nothing was proposed."]

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("knowledge_cutoff", "2025-08-01", b"later than the release date"),
            ("context_window", "-5", b"greater than or equal to 0"),
            ("release_date", "not a date", b"Enter a valid date"),
        ],
    )
    def test_invalid_values_are_form_errors_naming_the_field(
        self, editor_client, model_with_offering, field, value, message
    ):
        url = admin_url(LanguageModel, "change", model_with_offering.pk)
        data = form_data(editor_client.get(url))
        data[field] = value
        response = editor_client.post(url, data)
        assert response.status_code == 200
        assert field in response.context["adminform"].form.errors
        assert message in response.content
        assert not ChangeItem.objects.exists()

    def test_new_source_url_needs_a_title(self, editor_client, model_with_offering):
        url = admin_url(LanguageModel, "change", model_with_offering.pk)
        data = form_data(editor_client.get(url))
        data["context_window"] = "1000"
        data["proposal_source_url"] = "https://example.com/new"
        response = editor_client.post(url, data)
        assert response.status_code == 200
        assert "proposal_source_title" in response.context["adminform"].form.errors

    def test_adding_a_model_with_an_offering_proposes_creates_that_apply_together(self, client, model_with_offering):
        editor = create_editor()
        sign_in(client, editor)
        org = create_organization()
        provider = model_with_offering.offerings.get().provider
        source = create_source()
        data = form_data(client.get(admin_url(LanguageModel, "add")))
        data.update(
            {
                "name": "New Model",
                "slug": "new-model",
                "organization": str(org.pk),
                "proposal_source": str(source.pk),
                "offerings-TOTAL_FORMS": "1",
                "offerings-0-provider": str(provider.pk),
                "offerings-0-provider_model_id": "new-model",
                "offerings-0-status": "active",
            }
        )
        response = client.post(admin_url(LanguageModel, "add"), data)
        assert response.status_code == 302, response.context and response.context["adminform"].form.errors
        assert not LanguageModel.objects.filter(slug="new-model").exists()
        changeset = ChangeSet.objects.get()
        assert [i.action for i in changeset.items.all()] == ["create", "create"]

        changeset.submit(user=editor, summary="Add New Model")
        assert changeset_approve(changeset=changeset, user=create_reviewer()) is True
        model = LanguageModel.objects.get(slug="new-model")
        assert model.offerings.get().provider_model_id == "new-model"

    def test_delete_view_proposes_a_delete(self, editor_client, model_with_offering):
        offering = create_offering(model=model_with_offering, input_price=None, output_price=None)
        response = editor_client.post(admin_url(Offering, "delete", offering.pk), {"post": "yes"})
        assert response.status_code == 302
        assert Offering.objects.filter(pk=offering.pk).exists()
        item = ChangeItem.objects.get()
        assert (item.action, item.object_id) == ("delete", offering.pk)

    def test_deleting_an_offering_proposes_its_price_rows_explicitly(self, editor_client, model_with_offering):
        offering = model_with_offering.offerings.get()
        response = editor_client.post(admin_url(Offering, "delete", offering.pk), {"post": "yes"})
        assert response.status_code == 302
        assert Offering.objects.filter(pk=offering.pk).exists()
        proposed = {(i.content_type.model, i.action) for i in ChangeItem.objects.select_related("content_type")}
        assert proposed == {("offering", "delete"), ("price", "delete")}
        assert ChangeItem.objects.filter(content_type__model="price").count() == offering.prices.count() == 2

    def test_change_form_lists_pending_proposals(self, editor_client, model_with_offering):
        offering = model_with_offering.offerings.get()
        other = create_editor("other")
        propose_price(user=other, offering=offering, price="0.07")
        new_offering = ProposedChange(
            "create",
            Offering,
            values={"model": model_with_offering, "provider": create_provider(name="Newcloud")},
        )
        changeset_propose(user=other, change=new_offering)
        response = editor_client.get(admin_url(LanguageModel, "change", model_with_offering.pk))
        assert b"Pending proposals" in response.content
        assert b"0.1 \xe2\x86\x92 0.07" in response.content
        assert "Create offering “Llama 3.2 1B / Newcloud”".encode() in response.content

    def test_source_autocomplete_answers_editors(self, editor_client):
        create_source(title="Anthropic pricing page")
        url = reverse("admin:autocomplete") + "?app_label=catalog&model_name=changeitem&field_name=source&term=anthr"
        response = editor_client.get(url)
        assert response.status_code == 200
        assert [r["text"] for r in response.json()["results"]] == ["Anthropic pricing page"]


class TestChangeSetScreens:
    def test_editor_submits_and_reviewer_approves_through_the_admin(self, client, model_with_offering):
        editor, reviewer = create_editor(), create_reviewer()
        offering = model_with_offering.offerings.get()
        source = create_source(title="Provider pricing")
        sign_in(client, editor)
        url = admin_url(Offering, "change", offering.pk)
        data = form_data(client.get(url))
        assert data["prices-0-dimension"] == "input"  # rows in display order: input before output
        data.update({"prices-0-usd_per_million": "0.04", "proposal_source": str(source.pk)})
        client.post(url, data)
        changeset = ChangeSet.objects.get()

        response = client.post(transition_url(changeset, "submit"), {"summary": "Price cut"})
        assert response.status_code == 302
        changeset.refresh_from_db()
        assert changeset.state == ChangeSet.State.SUBMITTED

        page = client.get(changeset.get_admin_url())
        assert b"You cannot review your own change set" in page.content
        assert b'id="approve-form"' not in page.content

        sign_in(client, reviewer)
        queue = client.get(admin_url(ChangeSet, "changelist").replace("changeset", "awaitingreview"))
        assert f"Change set #{changeset.pk}".encode() in queue.content
        page = client.get(changeset.get_admin_url())
        assert b'id="approve-form"' in page.content
        assert b"Provider pricing" in page.content
        client.post(transition_url(changeset, "approve"), {"comment": "ok"})

        assert offering.input_price == Decimal("0.04")
        row = offering.prices.get(dimension="input")
        provenance = Provenance.objects.get(
            content_type=ContentType.objects.get_for_model(Price), object_id=row.pk, field="usd_per_million"
        )
        assert provenance.source == source
        assert provenance.reviewed_at is not None

    def test_submit_without_source_is_refused_with_a_message(self, client, model_with_offering):
        editor = create_editor()
        sign_in(client, editor)
        url = admin_url(Offering, "change", model_with_offering.offerings.get().pk)
        data = form_data(client.get(url))
        data["prices-1-usd_per_million"] = "0.30"
        client.post(url, data)
        changeset = ChangeSet.objects.get()

        response = client.post(transition_url(changeset, "submit"), {"summary": "No source"})
        assert any("Cite a source" in text for text in message_texts(response))
        assert ChangeSet.objects.get().state == ChangeSet.State.DRAFT

        client.post(transition_url(changeset, "cite"), {"proposal_source": str(create_source().pk), "scope": "all"})
        client.post(transition_url(changeset, "submit"), {"summary": "Sourced now"})
        assert ChangeSet.objects.get().state == ChangeSet.State.SUBMITTED

    def test_refused_transitions_are_messages_not_errors(self, client):
        editor, reviewer = create_editor(), create_reviewer()
        changeset = submitted_price_change(editor=editor)
        sign_in(client, reviewer)
        response = client.post(transition_url(changeset, "reject"), {"comment": ""})
        assert response.status_code == 302
        assert any("needs a comment" in text for text in message_texts(response))
        response = client.post(transition_url(changeset, "withdraw"))
        assert any("Only the author" in text for text in message_texts(response))
        sign_in(client, editor)
        response = client.post(transition_url(changeset, "approve"))
        assert any("reviewer permission" in text for text in message_texts(response))
        assert ChangeSet.objects.get().state == ChangeSet.State.SUBMITTED

    def test_transitions_need_post_and_a_known_action(self, client):
        changeset = submitted_price_change(editor=create_editor())
        sign_in(client, create_reviewer())
        assert client.get(transition_url(changeset, "approve")).status_code == 405
        assert client.post(transition_url(changeset, "explode")).status_code == 404
        assert client.get(reverse("admin:catalog_changeset_change", args=["999999"])).status_code == 404

    def test_editor_removes_an_item_from_the_draft(self, client):
        editor = create_editor()
        item = propose_price(user=editor, offering=create_offering(), price="9")
        sign_in(client, editor)
        url = reverse("admin:catalog_changeset_remove_item", args=[item.changeset_id, item.pk])
        client.post(url)
        assert not ChangeItem.objects.exists()

    def test_conflicted_set_shows_the_fields_and_can_be_rebased(self, client):
        alice, bob, reviewer = create_editor("alice"), create_editor("bob"), create_reviewer()
        offering = create_offering(input_price=Decimal("1"))
        first = submitted_price_change(editor=alice, offering=offering, price="0.5")
        second = submitted_price_change(editor=bob, offering=offering, price="0.7")
        changeset_approve(changeset=first, user=reviewer)
        sign_in(client, reviewer)
        response = client.post(transition_url(second, "approve"))
        assert any("could not apply" in text for text in message_texts(response))

        sign_in(client, bob)
        page = client.get(second.get_admin_url())
        assert b"Why it could not apply" in page.content
        assert b"usd_per_million" in page.content or b"USD per 1M" in page.content
        client.post(transition_url(second, "rebase"))
        assert ChangeSet.objects.get(pk=second.pk).state == ChangeSet.State.DRAFT

    def test_reviewer_generates_a_revert_another_reviewer_approves(self, client):
        editor, reviewer, second = create_editor(), create_reviewer(), create_reviewer("second")
        offering = create_offering(input_price=Decimal("1"))
        changeset = submitted_price_change(editor=editor, offering=offering, price="0.5")
        changeset_approve(changeset=changeset, user=reviewer)
        sign_in(client, reviewer)
        response = client.post(transition_url(changeset, "revert"), {"comment": "Wrong tier"})
        revert = ChangeSet.objects.get(reverts=changeset)
        assert response["Location"] == revert.get_admin_url()
        sign_in(client, second)
        client.post(transition_url(revert, "approve"))
        assert offering.input_price == Decimal("1")

    def test_editors_do_not_see_the_review_queue(self, editor_client):
        url = reverse("admin:catalog_awaitingreview_changelist")
        assert editor_client.get(url).status_code == 403
        assert b"Awaiting review" not in editor_client.get(reverse("admin:index")).content

    def test_queue_lists_only_other_peoples_submitted_sets(self, client):
        reviewer = create_reviewer()
        own = submitted_price_change(editor=reviewer)
        theirs = submitted_price_change(editor=create_editor())
        propose_price(user=create_editor("drafter"), offering=create_offering(), price="3")
        sign_in(client, reviewer)
        response = client.get(reverse("admin:catalog_awaitingreview_changelist"))
        listed = {obj.pk for obj in response.context["cl"].result_list}
        assert listed == {theirs.pk}
        assert own.pk not in listed


def populate_sets(n: int) -> None:
    editor = create_editor(f"bulk-{n}")
    offerings = [create_offering(input_price=Decimal("1")) for _ in range(n)]
    model = create_model(release_date=datetime.date(2025, 1, 1))
    for i in range(n):
        item = propose_price(user=editor, offering=offerings[i], price="2")
        changeset = item.changeset
        changeset.submit(user=editor, summary=f"set {i}")
    # one large set mixing models, offerings and a create
    for offering in offerings:
        propose_price(user=editor, offering=offering, price="5")
    changeset_propose(
        user=editor,
        change=ProposedChange(
            "update", LanguageModel, values={"knowledge_cutoff": datetime.date(2025, 6, 1)}, target=model
        ),
    )


@pytest.mark.parametrize("n", [1, 30])
class TestBoundedQueries:
    def test_changeset_changelist(self, client, django_assert_max_num_queries, n):
        populate_sets(n)
        sign_in(client, create_reviewer())
        # 13: the signed-in second factor (django-otp loads the session's TOTP device) is one of them.
        with django_assert_max_num_queries(13):
            response = client.get(admin_url(ChangeSet, "changelist"))
        assert response.status_code == 200

    def test_review_queue(self, client, django_assert_max_num_queries, n):
        populate_sets(n)
        sign_in(client, create_reviewer())
        with django_assert_max_num_queries(12):
            response = client.get(reverse("admin:catalog_awaitingreview_changelist"))
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == n

    def test_changeset_change_view(self, client, django_assert_max_num_queries, n):
        populate_sets(n)
        draft = ChangeSet.objects.get(state=ChangeSet.State.DRAFT)
        sign_in(client, draft.author)
        # Constant: the page of items, counts, events, per-model live rows and previews, not one per item; the
        # price checks read the offerings' windows and sibling price rows (2), the sign-in its TOTP device and
        # whether the account needs one (2).
        with django_assert_max_num_queries(22):
            response = client.get(draft.get_admin_url())
        assert response.status_code == 200
        assert len(response.context["diffs"]) == n + 1

    def test_superuser_sees_change_set_pages(self, admin_client, django_assert_max_num_queries, n):
        populate_sets(n)
        draft = ChangeSet.objects.get(state=ChangeSet.State.DRAFT)
        # As above; a superuser needs no permission or group queries.
        with django_assert_max_num_queries(19):
            assert admin_client.get(draft.get_admin_url()).status_code == 200
        assert admin_client.get(reverse("admin:catalog_awaitingreview_changelist")).status_code == 200
