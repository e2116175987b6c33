"""The editor's and reviewer's desk: home panels, named drafts, reopening, per-item decisions, comments,
warning acknowledgement, notifications, the change set list, and review pages of large change sets."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import (
    CatalogRevision,
    ChangeItem,
    ChangeSet,
    ChangeSetError,
    ItemComment,
    LanguageModel,
    Offering,
    Price,
    Provenance,
    Provider,
)
from catalog.review.services import (
    ProposedChange,
    changeset_approve,
    changeset_comment_item,
    changeset_decide_items,
    changeset_propose,
    changeset_reopen,
)
from tests.auth_support import sign_in
from tests.factories import create_model, create_offering, create_source

from .workflow_support import (
    admin_url,
    create_editor,
    create_reviewer,
    form_data,
    input_row,
    message_texts,
    price_field,
    price_row,
    propose_price,
    submitted_price_change,
    transition_url,
)

pytestmark = pytest.mark.django_db


def three_item_set(editor):
    source = create_source()
    offerings = [create_offering(input_price=Decimal("1.00")) for _ in range(3)]
    changeset = None
    for n, offering in enumerate(offerings):
        item = propose_price(user=editor, offering=offering, price=f"0.{n + 5}", source=source, changeset=changeset)
        changeset = item.changeset
    changeset.submit(user=editor, summary="three prices")
    return changeset, offerings


class TestNotifications:
    def test_reviewers_hear_of_a_submission_and_the_author_of_each_decision(self, django_capture_on_commit_callbacks):
        alice = create_editor("alice")
        alice.email = "alice@example.com"
        alice.save()
        create_reviewer("carol")
        create_reviewer("dave")
        with django_capture_on_commit_callbacks(execute=True):
            changeset = submitted_price_change(editor=alice)
        assert sorted(m.to[0] for m in mail.outbox) == ["carol@example.com", "dave@example.com"]
        assert f"Change set #{changeset.pk} awaits review" in mail.outbox[0].subject
        assert changeset.get_admin_url() in mail.outbox[0].body

        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            changeset.reject(user=create_reviewer("erin"), comment="Wrong page")
        (message,) = mail.outbox
        assert message.to == ["alice@example.com"]
        assert "was rejected" in message.subject
        assert "Wrong page" in message.body

    def test_author_hears_of_approval_and_of_a_conflict(self, django_capture_on_commit_callbacks):
        alice = create_editor("alice")
        alice.email = "alice@example.com"
        alice.save()
        offering = create_offering(input_price=Decimal("1.00"))
        first = submitted_price_change(editor=alice, offering=offering, price="0.5")
        second = submitted_price_change(editor=create_editor("bob"), offering=offering, price="0.6")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            changeset_approve(changeset=first, user=create_reviewer("carol"))
        assert [m.subject for m in mail.outbox] == [f"[LLM Reference] Change set #{first.pk} was approved and applied"]
        bob = second.author
        bob.email = "bob@example.com"
        bob.save()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert changeset_approve(changeset=second, user=create_reviewer("dave")) is False
        (message,) = mail.outbox
        assert message.to == ["bob@example.com"]
        assert "conflicted" in message.subject
        assert "Input: usd_per_million was drafted against" in message.body

    def test_nothing_is_sent_when_the_transition_rolls_back(self, django_capture_on_commit_callbacks):
        create_reviewer("carol")
        changeset = propose_price(user=create_editor(), offering=create_offering(), price="0.5").changeset
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ChangeSetError):
            changeset.submit(user=changeset.author, summary="")
        assert mail.outbox == []


class TestHomePanels:
    def test_editor_sees_drafts_returned_sets_and_recent_changes(self, client):
        alice = create_editor("alice")
        rejected = submitted_price_change(editor=alice)
        rejected.reject(user=create_reviewer("carol"), comment="The page says 0.40")
        propose_price(user=alice, offering=create_offering(), price="0.5")
        applied = submitted_price_change(editor=create_editor("bob"))
        changeset_approve(changeset=applied, user=create_reviewer("dave"))
        sign_in(client, alice)
        page = client.get(reverse("admin:index")).content.decode()
        assert "My drafts" in page
        assert "1 change</li>" in page
        assert "Returned to me" in page
        assert "(rejected by carol): “The page says 0.40”" in page
        assert f"Change set #{applied.pk}" in page
        assert "Awaiting my review" not in page  # editors do not review

    def test_reviewer_sees_the_queue_count_and_age(self, client):
        submitted_price_change(editor=create_editor("alice"))
        submitted_price_change(editor=create_editor("bob"))
        sign_in(client, create_reviewer("carol"))
        page = client.get(reverse("admin:index")).content.decode()
        assert "2 change sets</a>, the oldest submitted" in page

    @pytest.mark.parametrize("n", [1, 15])
    def test_home_queries_do_not_grow_with_the_number_of_sets(self, client, django_assert_max_num_queries, n):
        alice = create_editor("alice")
        for _ in range(n):
            changeset = submitted_price_change(editor=alice)
            changeset.reject(user=create_reviewer(f"r{changeset.pk}"), comment="no")
            propose_price(user=alice, offering=create_offering(), price="0.5", changeset=None)
        sign_in(client, alice)
        client.get(reverse("admin:index"))
        with django_assert_max_num_queries(14):
            assert client.get(reverse("admin:index")).status_code == 200


class TestNamedDrafts:
    def test_an_editor_keeps_several_named_drafts_apart(self, client):
        alice = create_editor("alice")
        sign_in(client, alice)
        first, second = create_offering(), create_offering()
        source = create_source()
        url = admin_url(Offering, "change", first.pk)
        data = {
            **form_data(client.get(url)),
            "proposal_source": str(source.pk),
            "proposal_new_draft": "Anthropic prices",
        }
        data[price_field(data, "input")] = "0.5"
        assert client.post(url, data).status_code == 302
        named = ChangeSet.objects.get(name="Anthropic prices")
        assert str(named) == f"Change set #{named.pk}: Anthropic prices"

        url = admin_url(Offering, "change", second.pk)
        data = {**form_data(client.get(url)), "proposal_source": str(source.pk)}
        data[price_field(data, "input")] = "0.6"
        data["proposal_new_draft"] = "Other work"
        client.post(url, data)
        url = admin_url(Offering, "change", first.pk)
        data = {**form_data(client.get(url)), "proposal_source": str(source.pk)}
        data[price_field(data, "output")] = "3"
        data["proposal_draft"] = str(named.pk)
        client.post(url, data)
        assert ChangeSet.objects.drafts_of(alice).count() == 2
        # Both of the first offering's price rows, and nothing of the second offering, are in the named draft.
        changes = dict(named.items.values_list("object_id", "changes"))
        assert changes == {
            input_row(first).pk: {"usd_per_million": ["1", "0.5"]},
            price_row(first, "output").pk: {"usd_per_million": ["2", "3"]},
        }
        other = ChangeSet.objects.get(name="Other work")
        assert set(other.items.values_list("object_id", flat=True)) == {input_row(second).pk}

    def test_a_draft_of_someone_else_cannot_be_chosen(self, client):
        other = propose_price(user=create_editor("bob"), offering=create_offering(), price="0.5").changeset
        sign_in(client, create_editor("alice"))
        offering = create_offering()
        url = admin_url(Offering, "change", offering.pk)
        data = {**form_data(client.get(url)), "proposal_draft": str(other.pk)}
        data[price_field(data, "input")] = "0.7"
        response = client.post(url, data)
        assert response.status_code == 200
        assert "proposal_draft" in response.context["adminform"].form.errors


class TestReopen:
    def test_a_rejected_set_is_reopened_as_a_new_draft_on_live_values(self, client):
        alice = create_editor("alice")
        offering = create_offering(input_price=Decimal("1.00"))
        rejected = submitted_price_change(editor=alice, offering=offering, price="0.5")
        rejected.reject(user=create_reviewer(), comment="Check the unit")
        sign_in(client, alice)
        response = client.post(transition_url(rejected, "reopen"))
        draft = ChangeSet.objects.get(reopened_from=rejected)
        assert response.url == draft.get_admin_url()
        assert draft.state == ChangeSet.State.DRAFT
        assert draft.items.get().changes == {"usd_per_million": ["1", "0.5"]}
        assert rejected.items.count() == 1  # the record stays
        assert ChangeSet.objects.get(pk=rejected.pk).state == ChangeSet.State.REJECTED

    def test_only_rejected_or_withdrawn_sets_reopen_and_only_by_their_author(self):
        alice = create_editor("alice")
        changeset = submitted_price_change(editor=alice)
        with pytest.raises(ChangeSetError, match="not rejected or withdrawn"):
            changeset_reopen(changeset=changeset, user=alice)
        changeset.withdraw(user=alice)
        with pytest.raises(ChangeSetError, match="Only the author"):
            changeset_reopen(changeset=changeset, user=create_editor("bob"))
        assert changeset_reopen(changeset=changeset, user=alice).items.count() == 1


class TestPerItemDecisions:
    def test_reviewer_approves_some_items_and_the_rest_stays_in_review(self, client):
        alice = create_editor("alice")
        changeset, offerings = three_item_set(alice)
        first = changeset.items.get(object_id=input_row(offerings[0]).pk)
        sign_in(client, create_reviewer("carol"))
        response = client.post(transition_url(changeset, "approve-items"), {"items": [first.pk], "comment": "ok"})
        assert response.status_code == 302
        part = ChangeSet.objects.get(split_from=changeset)
        assert part.state == ChangeSet.State.APPLIED
        assert list(part.items.values_list("pk", flat=True)) == [first.pk]
        assert Offering.objects.get(pk=offerings[0].pk).input_price == Decimal("0.5")
        assert Offering.objects.get(pk=offerings[1].pk).input_price == Decimal("1.00")
        changeset.refresh_from_db()
        assert changeset.state == ChangeSet.State.SUBMITTED
        assert changeset.items.count() == 2

    def test_reviewer_rejects_some_items_with_a_comment(self):
        changeset, offerings = three_item_set(create_editor("alice"))
        item = changeset.items.get(object_id=input_row(offerings[2]).pk)
        part = changeset_decide_items(
            changeset=changeset, user=create_reviewer(), item_ids=[item.pk], decision="reject", comment="Wrong"
        )
        assert part.state == ChangeSet.State.REJECTED
        assert part.reviews.get().comment == "Wrong"
        assert changeset.items.count() == 2

    def test_selecting_every_item_or_none_is_refused(self):
        changeset, _ = three_item_set(create_editor("alice"))
        reviewer = create_reviewer()
        with pytest.raises(ChangeSetError, match="Every change is selected"):
            ids = list(changeset.items.values_list("pk", flat=True))
            changeset_decide_items(changeset=changeset, user=reviewer, item_ids=ids, decision="approve")
        with pytest.raises(ChangeSetError, match="Select at least one"):
            changeset_decide_items(changeset=changeset, user=reviewer, item_ids=[], decision="approve")

    def test_the_author_cannot_decide_items_of_their_own_set(self):
        alice = create_editor("alice")
        changeset, _ = three_item_set(alice)
        with pytest.raises(ChangeSetError):
            changeset_decide_items(
                changeset=changeset, user=alice, item_ids=[changeset.items.first().pk], decision="approve"
            )

    def test_comments_per_item_show_on_the_review_page(self, client):
        changeset, offerings = three_item_set(create_editor("alice"))
        item = changeset.items.first()
        carol = create_reviewer("carol")
        sign_in(client, carol)
        url = reverse("admin:catalog_changeset_comment_item", args=[changeset.pk, item.pk])
        client.post(url, {"text": "Is this the batch price?"})
        assert ItemComment.objects.get().text == "Is this the batch price?"
        assert b"Is this the batch price?" in client.get(changeset.get_admin_url()).content
        with pytest.raises(ChangeSetError, match="Write a comment"):
            changeset_comment_item(item=item, user=carol, text=" ")


class TestWarningAcknowledgement:
    def price_jump(self):
        offering = create_offering(input_price=Decimal("1.00"))
        editor = create_editor("alice")
        item = propose_price(user=editor, offering=offering, price="25")
        item.changeset.submit(user=editor, summary="big jump")
        return item.changeset, offering

    def test_approving_a_set_with_warnings_needs_the_tick(self, client):
        changeset, offering = self.price_jump()
        sign_in(client, create_reviewer())
        page = client.get(changeset.get_admin_url()).content.decode()
        assert 'name="acknowledge_warnings"' in page
        response = client.post(transition_url(changeset, "approve"))
        assert "tick the acknowledgement" in " ".join(message_texts(response))
        assert Offering.objects.get(pk=offering.pk).input_price == Decimal("1.00")
        client.post(transition_url(changeset, "approve"), {"acknowledge_warnings": "on"})
        assert Offering.objects.get(pk=offering.pk).input_price == Decimal("25")

    def test_a_set_without_warnings_needs_no_tick(self):
        changeset = submitted_price_change(editor=create_editor())
        assert changeset_approve(changeset=changeset, user=create_reviewer()) is True


class TestChangeSetList:
    def test_filters_by_state_author_reviewer_and_object_type_and_searches_object_names(self, client):
        alice, bob = create_editor("alice"), create_editor("bob")
        applied = submitted_price_change(editor=alice)
        changeset_approve(changeset=applied, user=create_reviewer("carol"))
        model = create_model(name="Searchable Sonnet")
        change = ProposedChange(
            "update", LanguageModel, values={"family": "Sonnet"}, target=model, source=create_source()
        )
        on_model = changeset_propose(user=bob, change=change).changeset
        sign_in(client, create_reviewer("dave"))
        url = reverse("admin:catalog_changeset_changelist")

        def listed(**params):
            return set(client.get(url, params).context["cl"].result_list.values_list("pk", flat=True))

        assert listed(q="Searchable") == {on_model.pk}
        assert listed(state__exact="applied") == {applied.pk}
        assert listed(author__id__exact=bob.pk) == {on_model.pk}
        assert listed(reviewer=applied.reviews.get().reviewer_id) == {applied.pk}
        model_type = ContentType.objects.get_for_model(LanguageModel)
        assert listed(object_type=model_type.pk) == {on_model.pk}

    def test_bulk_cite_a_source_for_every_unsourced_change_of_selected_drafts(self, client):
        alice = create_editor("alice")
        unsourced = ProposedChange(
            "update", Price, values={"usd_per_million": Decimal("1.5")}, target=input_row(create_offering())
        )
        first = changeset_propose(user=alice, change=unsourced).changeset
        sourced = create_source()
        propose_price(user=alice, offering=create_offering(), price="0.3", source=sourced, changeset=first)
        other = propose_price(user=create_editor("bob"), offering=create_offering(), price="0.4").changeset
        sign_in(client, alice)
        url = reverse("admin:catalog_changeset_changelist")
        selected = {"action": "cite_source_for_unsourced", "_selected_action": [first.pk, other.pk]}
        page = client.post(url, selected)
        assert b"will be left alone" in page.content
        source = create_source(title="Pricing page")
        response = client.post(url, {**selected, "cite": "1", "proposal_source": source.pk})
        assert response.status_code == 302
        assert set(first.items.values_list("source_id", flat=True)) == {source.pk, sourced.pk}
        assert other.items.get().source_id != source.pk


def large_changeset(n: int) -> ChangeSet:
    """A submitted set of `n` price updates on `n` offerings of five models, built in bulk (like an importer)."""
    editor = create_editor(f"importer{n}")
    source = create_source()
    models = [create_model() for _ in range(5)]
    providers = Provider.objects.bulk_create(
        [Provider(name=f"P{n}-{i}", slug=f"p{n}-{i}", kind=Provider.Kind.INFERENCE) for i in range(n)]
    )
    offerings = Offering.objects.bulk_create([Offering(model=models[i % 5], provider=providers[i]) for i in range(n)])
    prices = Price.objects.bulk_create(
        [Price(offering=o, dimension="input", usd_per_million=Decimal("1")) for o in offerings], batch_size=500
    )
    changeset = ChangeSet.objects.create(
        author=editor,
        summary=f"{n} prices",
        state=ChangeSet.State.SUBMITTED,
        submitted_at=datetime.datetime.now(datetime.UTC),
    )
    content_type = ContentType.objects.get_for_model(Price)
    items = [
        ChangeItem(
            changeset=changeset,
            action=ChangeItem.Action.UPDATE,
            content_type=content_type,
            object_id=price.pk,
            object_repr=f"{price.offering.model} on {price.offering.provider.name}: Input",
            changes={"usd_per_million": ["1", "25" if i % 10 == 0 else f"{1 + (i % 40) / 10}"]},
            base_version=1,
            source=source,
            warnings=["Input: the price changes more than 10x ($1 -> $25); check the unit."] if i % 10 == 0 else [],
            group_key=f"languagemodel:{price.offering.model_id}",
            group_label=str(price.offering.model),
            depth=2,
        )
        for i, price in enumerate(prices)
    ]
    ChangeItem.objects.bulk_create(items, batch_size=500)
    return changeset


class TestLargeChangeSets:
    def test_review_page_queries_do_not_grow_with_the_item_count(self, client):
        counts = []
        reviewer = create_reviewer("carol")
        sign_in(client, reviewer)
        for n in (10, 2000):
            changeset = large_changeset(n)
            client.get(changeset.get_admin_url())
            with CaptureQueriesContext(connection) as captured:
                response = client.get(changeset.get_admin_url())
            assert response.status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1]

    def test_review_page_is_paginated_grouped_counted_and_filtered(self, client):
        changeset = large_changeset(250)
        sign_in(client, create_reviewer("carol"))
        response = client.get(changeset.get_admin_url())
        page = response.content.decode()
        assert len(response.context["diffs"]) == 100
        assert "Page 1 of 3" in page
        assert "250 to update" in page
        assert "25 with warnings" in page
        assert page.count('class="review-group-head"') >= 1
        warned = client.get(changeset.get_admin_url(), {"show": "warnings"})
        assert warned.context["page"].paginator.count == 25
        assert client.get(changeset.get_admin_url(), {"show": "deletions"}).context["page"].paginator.count == 0
        last = client.get(changeset.get_admin_url(), {"page": 3})
        assert len(last.context["diffs"]) == 50
        assert client.get(changeset.get_admin_url(), {"show": "nonsense", "page": "x"}).status_code == 200

    def test_apply_writes_in_bulk_with_exact_values_and_bounded_queries(self):
        counts = []
        reviewer = create_reviewer("carol")
        changeset_approve(changeset=large_changeset(1), user=reviewer, acknowledge_warnings=True)  # warm caches
        for n in (10, 150, 1200):
            changeset = large_changeset(n)
            with CaptureQueriesContext(connection) as captured:
                assert changeset_approve(changeset=changeset, user=reviewer, acknowledge_warnings=True) is True
            counts.append(len(captured))
            changeset.refresh_from_db()
            items = list(changeset.items.all())
            rows = Price.objects.filter(pk__in=[i.object_id for i in items])
            prices = dict(rows.values_list("pk", "usd_per_million"))
            assert set(rows.values_list("version", flat=True)) == {2}
            for item in items:
                assert prices[item.object_id] == Decimal(item.changes["usd_per_million"][1])
                assert item.previous_provenance == {"usd_per_million": None}
                assert item.updated_at == changeset.applied_at
            content_type = ContentType.objects.get_for_model(Price)
            provenance = Provenance.objects.filter(content_type=content_type, object_id__in=prices)
            assert provenance.count() == n
            assert set(provenance.values_list("reviewed_at", flat=True)) == {changeset.applied_at}
        # One statement per batch (SQLite allows ~999 parameters: a batch is ~200 rows), never one per item.
        assert counts[0] == counts[1]
        assert counts[2] < counts[0] + 40


class TestPreview:
    def test_reviewer_previews_the_public_page_with_the_set_applied_and_nothing_is_kept(self, client):
        model = create_model(name="Alpha One", slug="alpha-one")
        offering = create_offering(model=model, input_price=Decimal("1.00"), output_price=Decimal("2.00"))
        changeset = submitted_price_change(editor=create_editor("alice"), offering=offering, price="0.42")
        revision = CatalogRevision.current()
        sign_in(client, create_reviewer("carol"))
        review = client.get(changeset.get_admin_url()).content.decode()
        preview_url = reverse("admin:catalog_changeset_preview", args=[changeset.pk]) + "?path=/models/alpha-one/"
        assert preview_url.replace("&", "&amp;") in review or preview_url in review
        response = client.get(preview_url)
        page = response.content.decode()
        assert response.status_code == 200
        assert 'id="preview-banner"' in page
        assert "$0.42" in page
        assert "no-store" in response["Cache-Control"]
        offering.refresh_from_db()
        assert (offering.input_price, offering.version) == (Decimal("1.00"), 1)
        assert CatalogRevision.current() == revision
        assert ChangeSet.objects.get(pk=changeset.pk).state == ChangeSet.State.SUBMITTED
        assert "$0.42" not in client.get("/models/alpha-one/").content.decode()

    def test_only_public_pages_can_be_previewed(self, client):
        changeset = submitted_price_change(editor=create_editor("alice"))
        sign_in(client, create_reviewer("carol"))
        url = reverse("admin:catalog_changeset_preview", args=[changeset.pk])
        assert client.get(url, {"path": "/admin/"}).status_code == 404
        assert client.get(url, {"path": "/nowhere/"}).status_code == 404
        assert client.get(url).status_code == 404
