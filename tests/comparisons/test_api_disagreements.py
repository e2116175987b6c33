"""Every fact of the model, provider and comparison answers carries its open disagreements (another source's value
waiting for a decision), in a bounded number of queries; and a model's changes have a feed of their own."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import ChangeSet, Price, Source
from catalog.review.services import ProposedChange, changeset_create_applied, system_user
from tests.catalog.importers.test_import import SNAPSHOT_DAY, approve, import_prices, import_tree
from tests.catalog.workflow_support import create_reviewer

pytestmark = pytest.mark.django_db


def gpt4o_input():
    return Price.objects.get(
        offering__model__slug="gpt-4o", offering__provider__slug="openai-api", dimension="input", tier="standard"
    )


@pytest.fixture
def disputed():
    """models.dev's catalog applied, a curated gpt-4o price, then models.dev again: it disputes that price."""
    approve(import_tree().changeset)
    curated = Source.objects.create(
        url="https://openai.com/api/pricing", title="OpenAI pricing", retrieved_on=SNAPSHOT_DAY
    )
    changeset_create_applied(
        author=system_user("curator"),
        reviewer=system_user("curation-reviewer", reviewer=True),
        changes=[
            ProposedChange(
                "update", Price, values={"usd_per_million": Decimal(2)}, target=gpt4o_input(), source=curated
            )
        ],  # fmt: skip
        summary="Curated price.",
    )
    return import_tree().changeset


def input_price(offering: dict) -> dict:
    key = ("input", "standard", 0)
    return next(p for p in offering["prices"] if (p["dimension"], p["tier"], p["context_threshold"]) == key)


class TestOpenDisagreements:
    def test_model_offering_price_carries_the_other_value_and_its_source(self, client, disputed):
        body = client.get("/api/v1/models/gpt-4o").json()
        openai = next(o for o in body["offerings"] if o["provider"]["slug"] == "openai-api")
        price = input_price(openai)
        assert price["usd_per_million"] == "2.000000"
        assert price["evidence"]["source_url"] == "https://openai.com/api/pricing"
        (other,) = price["disagreements"]
        assert other["value"] == "2.5"
        assert other["source_url"].endswith("/providers/openai/models/gpt-4o.toml")
        assert other["proposed_in"] == disputed.pk
        # every fact is present, disputed or not
        assert set(body["disagreements"]) == set(body["evidence"])
        assert all(items == [] for items in body["disagreements"].values())
        assert set(openai["disagreements"]) == set(openai["evidence"])
        others = [p for o in body["offerings"] for p in o["prices"] if p is not price]
        assert all(p["disagreements"] == [] for p in others)

    def test_provider_and_comparison_carry_it_too(self, client, disputed):
        body = client.get("/api/v1/providers/openai-api").json()
        served = next(s for s in body["served"] if s["model_slug"] == "gpt-4o")
        assert [d["value"] for d in input_price(served["offering"])["disagreements"]] == ["2.5"]
        compare = client.get("/api/v1/compare/gpt-4o/gpt-5-4").json()
        gpt4o = next(c for c in compare["cheapest"] if c["model"] == "gpt-4o")
        assert gpt4o["provider"] == "github-copilot"  # free there: the disputed OpenAI price is not the one shown
        assert gpt4o["disagreements"] == {"input_price": [], "output_price": []}
        assert compare["disagreements"]["gpt-4o"] == {"context_window": []}

    def test_a_decided_change_set_closes_it(self, client, disputed):
        disputed.reject(user=create_reviewer(), comment="The curated price stands.")
        body = client.get("/api/v1/models/gpt-4o").json()
        assert all(p["disagreements"] == [] for o in body["offerings"] for p in o["prices"])

    def test_a_model_fact_and_a_status_disputed_by_litellm(self, client):
        approve(import_tree().changeset)
        import_prices()  # proposes gpt-5.4's LiteLLM price and the dated gpt-4o's status: both disputed
        body = client.get("/api/v1/models/gpt-5-4").json()
        openai = next(o for o in body["offerings"] if o["provider"]["slug"] == "openai-api")
        assert [d["value"] for d in input_price(openai)["disagreements"]] == ["2.75"]
        assert "litellm" in input_price(openai)["disagreements"][0]["source_url"]
        compare = client.get("/api/v1/compare/gpt-4o/gpt-5-4").json()
        gpt54 = next(c for c in compare["cheapest"] if c["model"] == "gpt-5-4")
        assert (gpt54["provider"], gpt54["input_price"]) == ("openai-api", "2.500000")
        assert [d["value"] for d in gpt54["disagreements"]["input_price"]] == ["2.75"]
        assert gpt54["disagreements"]["output_price"] == []  # LiteLLM agrees on 15
        dated = client.get("/api/v1/models/gpt-4o-2024-05-13").json()
        assert [d["value"] for d in dated["offerings"][0]["disagreements"]["status"]] == ["retired"]

    def test_past_prices_carry_no_disagreement_of_today(self, client, disputed):
        import datetime

        first = ChangeSet.objects.order_by("id").first()
        first.applied_at -= datetime.timedelta(days=10)
        first.save(update_fields=["applied_at"])
        body = client.get("/api/v1/models/gpt-4o", {"as_of": first.applied_at.date().isoformat()}).json()
        openai = next(o for o in body["offerings"] if o["provider"]["slug"] == "openai-api")
        assert input_price(openai)["usd_per_million"] == "2.500000"
        assert input_price(openai)["disagreements"] == []

    @pytest.mark.parametrize("url", ["/api/v1/models/gpt-4o", "/api/v1/providers/openai-api",
                                     "/api/v1/compare/gpt-4o/gpt-5-4"])  # fmt: skip
    def test_one_query_for_them(self, client, disputed, url, django_assert_num_queries):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        assert sum("disagreement" in q["sql"] for q in captured.captured_queries) == 1


class TestModelFeed:
    def test_lists_only_the_change_sets_and_rows_of_that_model(self, client):
        approve(import_tree().changeset)
        curated = Source.objects.create(url="https://openai.com/api/pricing", title="OpenAI", retrieved_on=SNAPSHOT_DAY)
        changeset_create_applied(
            author=system_user("curator"),
            reviewer=system_user("curation-reviewer", reviewer=True),
            changes=[
                ProposedChange(
                    "update", Price, values={"usd_per_million": Decimal(2)}, target=gpt4o_input(), source=curated
                )
            ],  # fmt: skip
            summary="gpt-4o repriced.",
        )
        root = ET.fromstring(client.get(reverse("comparisons:model-changes-feed", args=["gpt-4o"])).content)
        titles = [item.findtext("title") for item in root.iter("item")]
        assert len(titles) == 2 and "gpt-4o repriced." in titles[0]
        assert "GPT-4o" in root.findtext("channel/title")
        # the import's entry lists gpt-4o's rows only, not gpt-5.4's
        description = list(root.iter("item"))[1].findtext("description")
        assert "GPT-4o" in description and "GPT-5.4" not in description
        other = ET.fromstring(client.get(reverse("comparisons:model-changes-feed", args=["gpt-5-4"])).content)
        assert [item.findtext("title") for item in other.iter("item")] == titles[1:]
        atom = client.get(reverse("comparisons:model-changes-feed-atom", args=["gpt-4o"]))
        assert atom.status_code == 200 and atom["Content-Type"].startswith("application/atom+xml")

    def test_unknown_model_is_404(self, client):
        assert client.get("/models/nope/changes/feed/").status_code == 404

    def test_linked_from_the_model_page_head_and_the_api(self, client):
        approve(import_tree().changeset)
        html = client.get(reverse("comparisons:model-detail", args=["gpt-4o"])).content.decode()
        head = html.split("</head>")[0]
        assert 'type="application/rss+xml"' in head and 'href="/models/gpt-4o/changes/feed/"' in head
        assert 'href="/models/gpt-4o/changes/feed/atom/"' in head
        body = client.get("/api/v1/models/gpt-4o").json()
        assert body["feeds"] == {"rss": "/models/gpt-4o/changes/feed/", "atom": "/models/gpt-4o/changes/feed/atom/"}

    @pytest.mark.parametrize("sets", [1, 12])
    def test_queries_do_not_grow(self, client, sets, django_assert_max_num_queries):
        from tests.factories import create_model, create_offering

        model = create_model(slug="priced")
        offering = create_offering(model=model, input_price=Decimal("1"))
        source = Source.objects.create(url="https://example.com/p", title="P", retrieved_on=SNAPSHOT_DAY)
        row = Price.objects.get(offering=offering, dimension="input")
        for n in range(sets):
            changeset_create_applied(
                author=system_user("curator"),
                reviewer=system_user("curation-reviewer", reviewer=True),
                changes=[
                    ProposedChange(
                        "update", Price, values={"usd_per_million": Decimal(2 + n)}, target=row, source=source
                    )
                ],  # fmt: skip
                summary=f"Repriced {n}.",
            )
            row.refresh_from_db()
        url = reverse("comparisons:model-changes-feed", args=["priced"])
        client.get(url)
        with django_assert_max_num_queries(7):
            response = client.get(url)
        assert response.content.decode().count("<item>") == sets
