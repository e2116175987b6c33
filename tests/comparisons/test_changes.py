"""The public changelog (/changes/), its RSS and Atom feeds, and the price history on a model's page."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal
from email.utils import parsedate_to_datetime

import pytest
from django.urls import reverse

from catalog.models import ChangeSet, LanguageModel, Offering, Price
from catalog.review.services import NewRef, ProposedChange, changeset_approve, changeset_create_applied, system_user
from comparisons import changelog
from comparisons.changelog import format_percent_change, price_change
from tests.catalog.workflow_support import create_editor, create_reviewer, propose_price, submitted_price_change
from tests.factories import create_model, create_offering, create_provider, create_source, offering_price

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CHANGES = "/changes/"


def apply(*changes: ProposedChange, summary: str = "Catalog update") -> ChangeSet:
    """An applied change set, authored by one system account and approved by another."""
    return changeset_create_applied(
        author=system_user("test-author"),
        reviewer=system_user("test-reviewer", reviewer=True),
        changes=list(changes),
        summary=summary,
    )


def update(obj, source=None, **values) -> ProposedChange:
    return ProposedChange("update", type(obj), values=values, target=obj, source=source or create_source())


def update_price(offering: Offering, name: str, amount: Decimal, source=None) -> ProposedChange:
    """An update of the price row behind `name` ("input_price", "output_price", ...)."""
    return update(offering_price(offering, name), source=source, usd_per_million=amount)


def reprice(offering: Offering, summary: str = "Price update", **prices: str) -> ChangeSet:
    return apply(*[update_price(offering, k, Decimal(v)) for k, v in prices.items()], summary=summary)


def list_offering(model, provider, source=None, **prices: Decimal) -> list[ProposedChange]:
    """A new offering and its standard-tier base price rows (`input=`, `output=`), in one change set."""
    source = source or create_source()
    key = f"offering-{model.pk}-{provider.pk}"
    changes = [
        ProposedChange("create", Offering, values={"model": model, "provider": provider}, source=source, key=key)
    ]
    for dimension, amount in prices.items():
        values = {"offering": NewRef(key), "dimension": dimension, "tier": "standard", "context_threshold": 0}
        changes.append(ProposedChange("create", Price, values={**values, "usd_per_million": amount}, source=source))
    return changes


def remove_offering(offering: Offering, source=None) -> list[ProposedChange]:
    """An offering's removal: its price rows first (they protect it), then the offering."""
    source = source or create_source()
    return [
        *[ProposedChange("delete", Price, target=row, source=source) for row in offering.prices.order_by("pk")],
        ProposedChange("delete", Offering, target=offering, source=source),
    ]


def page_text(client, url: str = CHANGES) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


class TestPriceChangeWords:
    @pytest.mark.parametrize(
        ("old", "new", "direction", "words"),
        [
            ("0.10", "0.12", "up", "up 20%"),
            ("0.10", "0.05", "down", "down 50%"),
            ("3", "1", "down", "down 66.7%"),
            ("1", "1.0004", "up", "up under 0.1%"),
            ("0.40", "1.00", "up", "up 150%"),
            ("0", "1", "up", "up from free"),
            ("1", "0", "down", "now free"),
            (None, "1", "new", "first listed"),
            ("1", None, "removed", "price removed"),
        ],
    )
    def test_direction_and_size_are_worded_for_people(self, old, new, direction, words):
        change = price_change(Decimal(old) if old else None, Decimal(new) if new else None)
        assert (change.direction, change.words) == (direction, words)

    def test_percent_is_rounded_to_one_decimal_without_trailing_zeros(self):
        assert [format_percent_change(Decimal(p)) for p in ("20", "-12.345", "100.04", "0.04")] == [
            "20%",
            "12.3%",
            "100%",
            "under 0.1%",
        ]


class TestChangesPage:
    def test_price_change_shows_old_and_new_with_direction_percent_and_model_link(self, client):
        offering = create_offering(input_price=Decimal("0.10"), output_price=Decimal("0.40"))
        reprice(offering, summary="Fireworks raises input price", input_price="0.12")

        html = page_text(client)

        assert "Fireworks raises input price" in html
        assert f"{offering}: Input</a>" in html  # the price row, named by its offering and its price
        assert '<li class="price-change price-up"><span class="price-marker">price</span> ' in html
        assert '<del>$0.10 / 1M</del> → <ins>$0.12 / 1M</ins> <span class="price-direction">up 20%</span>' in html
        assert f'href="{reverse("comparisons:model-detail", args=[offering.model.slug])}"' in html

    def test_sets_are_listed_newest_first_with_their_applied_date(self, client):
        offering = create_offering(input_price=Decimal("1"))
        first = reprice(offering, summary="First change", input_price="2")
        second = reprice(offering, summary="Second change", input_price="1.5")

        html = page_text(client)

        assert html.index("Second change") < html.index("First change")
        assert f'id="changeset-{second.pk}"' in html and f'id="changeset-{first.pk}"' in html
        assert f">{second.applied_at:%Y-%m-%d}</time>" in html
        assert "down 25%" in html

    def test_non_price_fields_are_formatted(self, client):
        model = create_model(context_window=8192, vision=None, knowledge_cutoff=None)
        apply(
            update(
                model,
                context_window=131072,
                vision=True,
                release_date=datetime.date(2024, 9, 25),
                knowledge_cutoff=datetime.date(2023, 12, 1),
                knowledge_cutoff_precision=LanguageModel.Precision.MONTH,
            )
        )

        html = page_text(client)

        assert "Context window: <del>8,192 tokens</del> → <ins>131,072 tokens</ins>" in html
        assert "Vision: <del>—</del> → <ins>Supported</ins>" in html
        assert "Release date: <del>—</del> → <ins>2024-09-25</ins>" in html
        assert "Knowledge cutoff: <del>—</del> → <ins>2023-12</ins>" in html
        assert 'class="price-marker"' not in html

    def test_created_and_deleted_rows_are_said_plainly(self, client):
        model = create_model(name="Tiny 1B")
        provider = create_provider(name="Cheap Host")
        doomed = create_offering(model=model, input_price=Decimal("5"))
        source = create_source()
        apply(
            *list_offering(model, provider, source, input=Decimal("0.2")),
            *remove_offering(doomed, source),
            summary="Cheap Host lists Tiny 1B; the other host dropped it",
        )

        html = page_text(client)

        assert "Tiny 1B on Cheap Host</a>" in html
        assert "Added: Input $0.20 / 1M" in html  # the new offering's price row
        assert f"Tiny 1B on {doomed.provider.name}</a>" in html  # a removed offering still links to its model
        assert "Removed" in html
        assert "2 rows added, 3 rows removed" in html  # offering + price row; price rows + offering

    def test_provider_rows_link_to_the_provider_page(self, client):
        provider = create_provider()
        apply(update(provider, website="https://example.org"))
        assert f'href="{reverse("comparisons:provider-detail", args=[provider.slug])}"' in page_text(client)

    def test_each_change_names_its_source(self, client):
        source = create_source(title="Host pricing page", url="https://host.example/pricing")
        apply(update_price(create_offering(), "input_price", Decimal("0.5"), source=source))
        assert '<a href="https://host.example/pricing" rel="nofollow noopener">Host pricing page</a>' in page_text(
            client
        )

    def test_a_large_set_shows_its_first_rows_and_links_to_its_page_for_the_rest(self, client):
        apply(*[update_price(create_offering(), "input_price", Decimal("0.5")) for _ in range(30)], summary="Bulk")
        changeset = ChangeSet.objects.get()
        url = reverse("comparisons:change-detail", args=[changeset.pk])

        listed = page_text(client)
        assert listed.count('<tr class="change-update') == changelog.ENTRIES_ON_LIST
        assert "30 rows updated" in listed and "30 price changes" in listed  # totals of the whole set
        assert f'<a href="{url}">All 30 changes of change set #{changeset.pk}</a> (20 more on its page)' in listed
        own = page_text(client, url)
        assert own.count('<tr class="change-update') == 30
        assert "more on its page" not in own

    def test_a_set_s_own_page_shows_its_rows_a_page_at_a_time(self, client, monkeypatch):
        monkeypatch.setattr(changelog, "ENTRIES_PER_PAGE", 12)
        apply(*[update_price(create_offering(), "input_price", Decimal("0.5")) for _ in range(30)], summary="Bulk")
        url = reverse("comparisons:change-detail", args=[ChangeSet.objects.get().pk])

        pages = [page_text(client, f"{url}?page={n}") for n in (1, 2, 3)]
        assert [p.count('<tr class="change-update') for p in pages] == [12, 12, 6]
        assert "Changes 13 to 24 of 30" in pages[1] and 'rel="prev"' in pages[1] and 'rel="next"' in pages[1]
        assert "30 rows updated" in pages[2]
        assert "Changes 1 to 12 of 30" in page_text(client, f"{url}?page=abc")

    def test_no_change_yet_says_so(self, client):
        assert "No change has been applied yet." in page_text(client)


class TestOnlyAppliedChangesArePublic:
    def test_drafts_submitted_rejected_and_conflicted_sets_and_all_comments_stay_private(self, client):
        editor, reviewer = create_editor(), create_reviewer()
        offering = create_offering(input_price=Decimal("1"))

        draft = propose_price(user=editor, offering=offering, price="9").changeset
        draft.summary = "DRAFT-SUMMARY"
        draft.save()
        other = create_editor("editor2")
        submitted = propose_price(user=other, offering=create_offering(), price="8").changeset
        submitted.submit(user=other, summary="SUBMITTED-SUMMARY")
        rejected = propose_price(user=create_editor("editor3"), offering=create_offering(), price="7").changeset
        rejected.submit(user=rejected.author, summary="REJECTED-SUMMARY")
        rejected.reject(user=reviewer, comment="REJECT-COMMENT")
        approved = propose_price(user=create_editor("editor4"), offering=create_offering(), price="6").changeset
        approved.submit(user=approved.author, summary="Public summary")
        assert changeset_approve(changeset=approved, user=reviewer, comment="APPROVE-COMMENT")

        html = page_text(client)
        feed = client.get(reverse("comparisons:changes-feed")).content.decode()

        assert "Public summary" in html and "Public summary" in feed
        for secret in ("DRAFT-SUMMARY", "SUBMITTED-SUMMARY", "REJECTED-SUMMARY", "REJECT-COMMENT", "APPROVE-COMMENT"):
            assert secret not in html and secret not in feed
        for username in ("editor4", reviewer.username):
            assert username not in html and username not in feed
        assert "$9.00" not in html

    def test_the_page_of_a_set_that_is_not_applied_is_not_found(self, client):
        editor = create_editor()
        draft = propose_price(user=editor, offering=create_offering(), price="3").changeset
        assert client.get(reverse("comparisons:change-detail", args=[draft.pk])).status_code == 404
        assert client.get("/changes/999999/").status_code == 404

    def test_an_applied_set_has_its_own_page(self, client):
        changeset = reprice(create_offering(input_price=Decimal("1")), summary="Cut", input_price="0.5")
        html = page_text(client, reverse("comparisons:change-detail", args=[changeset.pk]))
        assert f"<h1>Change set #{changeset.pk}</h1>" in html and "down 50%" in html
        assert f'<link rel="canonical" href="http://testserver/changes/{changeset.pk}/">' in html


class TestEscaping:
    def test_stored_text_is_escaped_on_the_page(self, client):
        model = create_model(name="<b>Bold</b> model")
        apply(update(model, architecture="<script>alert(1)</script>"), summary="<img src=x onerror=alert(1)>")

        html = page_text(client)

        assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "&lt;b&gt;Bold&lt;/b&gt; model" in html

    def test_stored_text_is_escaped_in_the_feed_html(self, client):
        model = create_model(name="<b>Bold</b> model")
        apply(update(model, architecture="<script>alert(1)</script>"), summary="A & B <i>")

        root = ET.fromstring(client.get(reverse("comparisons:changes-feed")).content)
        item = root.find("channel/item")

        assert item.findtext("title") == f"#{ChangeSet.objects.get().pk}: A & B <i>"  # plain text element
        description = item.findtext("description")  # HTML, once the XML is parsed
        assert "<script>" not in description and "<b>" not in description
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in description
        assert "&lt;b&gt;Bold&lt;/b&gt; model" in description


class TestPagination:
    def test_twenty_sets_per_page_and_bad_page_numbers_fall_back(self, client):
        offering = create_offering(input_price=Decimal("1"))
        for n in range(21):
            reprice(offering, summary=f"Change number {n:02d}", input_price=str(2 + n))

        first, second = page_text(client), page_text(client, CHANGES + "?page=2")

        assert "Change number 20" in first and "Change number 01" in first and "Change number 00" not in first
        assert "Change number 00" in second and "Change number 20" not in second
        assert "Page 2 of 2" in second and 'rel="prev"' in second
        assert "Change number 20" in page_text(client, CHANGES + "?page=abc")
        assert "Change number 00" in page_text(client, CHANGES + "?page=999")


class TestQueryCounts:
    @pytest.mark.parametrize("sets", [1, 30])
    def test_changes_page_queries_do_not_grow_with_sets_or_items(self, client, django_assert_max_num_queries, sets):
        for _ in range(sets):
            model = create_model()
            offering = create_offering(model=model)
            apply(
                update_price(offering, "input_price", Decimal("0.5")),
                update(model, context_window=1000, organization=create_model().organization),
                update(create_provider(), name=f"Renamed {model.pk}"),
                *list_offering(model, create_provider(), input=Decimal("1")),
                *remove_offering(create_offering()),
            )
        client.get(CHANGES)  # warm per-process caches (content types)
        # the revision, count, page of sets, their first items (with sources), their totals, then per kind
        # of row named: offerings, models, providers, organizations
        with django_assert_max_num_queries(10):
            response = client.get(CHANGES)
        assert response.status_code == 200
        assert response.content.decode().count('class="changeset"') == min(sets, 20)

    @pytest.mark.parametrize("sets", [1, 30])
    def test_feed_queries_do_not_grow(self, client, django_assert_max_num_queries, sets):
        offering = create_offering(input_price=Decimal("1"))
        for n in range(sets):
            reprice(offering, input_price=str(2 + n))
        client.get(reverse("comparisons:changes-feed"))
        with django_assert_max_num_queries(5):  # the revision, sets, first items, totals, a kind of row
            client.get(reverse("comparisons:changes-feed"))

    @pytest.mark.parametrize("changes", [1, 30])
    def test_model_page_price_history_queries_do_not_grow(self, client, django_assert_max_num_queries, changes):
        model = create_model(slug="priced")
        offering = create_offering(model=model, input_price=Decimal("1"))
        for n in range(changes):
            reprice(offering, input_price=str(2 + n))
        url = reverse("comparisons:model-detail", args=["priced"])
        client.get(url)
        # the revision, the page's facts (5), the open disagreements, the history's removed offerings and
        # its items, the related comparisons (one query)
        with django_assert_max_num_queries(10):
            response = client.get(url)
        assert len(response.context["price_history"]) == changes


class TestFeeds:
    def test_rss_lists_applied_sets_with_link_description_and_pubdate(self, client):
        older = reprice(create_offering(input_price=Decimal("0.10")), summary="Older", input_price="0.12")
        newer = reprice(create_offering(input_price=Decimal("2")), summary="Newer", input_price="1")

        response = client.get(reverse("comparisons:changes-feed"))
        root = ET.fromstring(response.content)
        items = root.findall("channel/item")

        assert response["Content-Type"].startswith("application/rss+xml")
        assert root.findtext("channel/link") == "http://testserver/changes/"
        assert [i.findtext("title") for i in items] == [f"#{newer.pk}: Newer", f"#{older.pk}: Older"]
        assert items[1].findtext("link") == f"http://testserver/changes/{older.pk}/"
        assert parsedate_to_datetime(items[1].findtext("pubDate")) == older.applied_at.replace(microsecond=0)
        description = items[1].findtext("description")
        assert description.startswith("<p>1 row updated</p><ul><li>Price ")
        assert ": Input: " in description
        assert ": $0.10 / 1M → $0.12 / 1M (price up 20%)</li></ul>" in description

    def test_atom_variant_has_entries_with_updated_times(self, client):
        changeset = reprice(create_offering(input_price=Decimal("1")), summary="Cut", input_price="0.5")

        response = client.get(reverse("comparisons:changes-feed-atom"))
        root = ET.fromstring(response.content)
        entry = root.find(f"{ATOM}entry")

        assert response["Content-Type"].startswith("application/atom+xml")
        assert entry.findtext(f"{ATOM}title") == f"#{changeset.pk}: Cut"
        assert entry.find(f"{ATOM}link").get("href") == f"http://testserver/changes/{changeset.pk}/"
        updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        assert updated == changeset.applied_at
        assert "down 50%" in entry.findtext(f"{ATOM}summary")

    def test_a_bulk_set_describes_the_first_lines_and_links_to_the_rest(self, client):
        apply(*[update_price(create_offering(), "input_price", Decimal("0.5")) for _ in range(45)], summary="Bulk")
        description = ET.fromstring(client.get(reverse("comparisons:changes-feed")).content).findtext(
            "channel/item/description"
        )
        assert description.count("<li>") == 40
        assert "And 5 more on the change set's page." in description

    def test_changes_page_advertises_both_feeds(self, client):
        html = page_text(client)
        assert '<link rel="alternate" type="application/rss+xml"' in html
        assert 'href="/changes/feed/atom/"' in html


class TestPriceHistory:
    def test_model_page_lists_applied_price_changes_of_its_offerings_newest_first(self, client):
        model = create_model(slug="llama")
        fireworks = create_offering(
            model=model, provider=create_provider(name="Fireworks"), input_price=Decimal("0.10")
        )
        together = create_offering(model=model, provider=create_provider(name="Together"), output_price=Decimal("2"))
        reprice(fireworks, input_price="0.12")
        reprice(together, output_price="1")
        reprice(create_offering(input_price=Decimal("1")), input_price="3")  # another model's offering
        apply(update(model, context_window=4096))  # not a price

        response = client.get(reverse("comparisons:model-detail", args=["llama"]))
        rows = response.context["price_history"]
        html = response.content.decode()

        assert [(r.provider, r.label, r.old, r.new, r.change.words) for r in rows] == [
            ("Together", "Output", "$2.00 / 1M", "$1.00 / 1M", "down 50%"),
            ("Fireworks", "Input", "$0.10 / 1M", "$0.12 / 1M", "up 20%"),
        ]
        assert '<h2 id="price-history-heading">Price history</h2>' in html
        assert '<span class="price-direction">up 20%</span>' in html

    def test_a_removed_offering_keeps_its_history_and_names_its_provider(self, client):
        model = create_model(slug="gone")
        offering = create_offering(model=model, provider=create_provider(name="Old Host"), input_price=Decimal("1"))
        reprice(offering, input_price="0.8")
        apply(*remove_offering(offering))

        rows = client.get(reverse("comparisons:model-detail", args=["gone"])).context["price_history"]

        assert [(r.provider, r.old, r.new, r.change.words) for r in rows][:2] == [
            ("Old Host", "$0.80 / 1M", "—", "price removed"),
            ("Old Host", "$2.00 / 1M", "—", "price removed"),
        ]
        assert ("Old Host", "$1.00 / 1M", "$0.80 / 1M") in [(r.provider, r.old, r.new) for r in rows]

    def test_unapplied_proposals_are_not_price_history(self, client):
        model = create_model(slug="quiet")
        propose_price(user=create_editor(), offering=create_offering(model=model), price="0.01")

        html = page_text(client, reverse("comparisons:model-detail", args=["quiet"]))

        assert "No reviewed price change is recorded for" in html
        assert "$0.01" not in html

    def test_a_newly_listed_offering_starts_its_history(self, client):
        model = create_model(slug="fresh")
        apply(*list_offering(model, create_provider(name="New Host"), input=Decimal("0.3")))
        rows = client.get(reverse("comparisons:model-detail", args=["fresh"])).context["price_history"]
        assert [(r.provider, r.old, r.new, r.change.words) for r in rows] == [
            ("New Host", "—", "$0.30 / 1M", "first listed")
        ]


class TestSiteLinks:
    def test_the_footer_links_to_the_changes_and_their_feed(self, client):
        html = page_text(client, "/")
        assert f'<a href="{CHANGES}">catalog changes</a>' in html
        assert '<a href="/changes/feed/">RSS</a>' in html


def test_home_lists_the_newest_applied_change_sets_only(client):
    editor, reviewer = create_editor(), create_reviewer()
    applied = submitted_price_change(editor=editor)
    changeset_approve(changeset=applied, user=reviewer)
    pending = submitted_price_change(editor=editor, price="0.70")
    body = client.get("/").content.decode()
    assert f'href="/changes/{applied.pk}/"' in body
    assert f'href="/changes/{pending.pk}/"' not in body
