"""'Continue comparing': which neighbours each reason picks, all in one query."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from comparisons import facts
from comparisons.related import related_comparisons
from tests.factories import create_model, create_offering, create_organization

pytestmark = pytest.mark.django_db


def priced(blend_input: str, **kwargs):
    """A model whose one offering costs `blend_input` in and out, so its 70/30 blend is that amount."""
    model = create_model(**kwargs)
    create_offering(model=model, input_price=Decimal(blend_input), output_price=Decimal(blend_input))
    return model


def by_reason(links) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for link in links:
        out.setdefault(link.reason, []).append(link.label)
    return out


class TestRelatedComparisons:
    def test_nearest_in_price_takes_the_three_closest_stored_blends_above_and_below(self):
        page = priced("1.00", name="Page", slug="page")
        for amount in ("0.10", "0.80", "0.95", "1.02", "1.30", "9.00"):
            priced(amount, name=f"At {amount}", slug=f"at-{amount.replace('.', '-')}")
        model = facts.model_facts(page.slug).model
        links = related_comparisons([model], limit=12)
        assert by_reason(links)["Nearest in price"] == ["At 1.02 vs Page", "At 0.95 vs Page", "At 0.80 vs Page"]

    def test_same_organization_lists_its_newest_models_first(self):
        lab = create_organization(name="Lab", display_name="Lab AI", slug="lab")
        page = create_model(name="Page", slug="page", organization=lab, release_date=datetime.date(2025, 1, 1))
        for year, slug in ((2021, "old"), (2024, "mid"), (2026, "new"), (2023, "older")):
            create_model(name=slug.title(), slug=slug, organization=lab, release_date=datetime.date(year, 1, 1))
        create_model(name="Elsewhere", slug="elsewhere", release_date=datetime.date(2027, 1, 1))
        links = related_comparisons([facts.model_facts(page.slug).model], limit=12)
        assert by_reason(links)["Also by Lab AI"] == ["New vs Page", "Mid vs Page", "Older vs Page"]
        assert by_reason(links)["Recently released"][0] == "Elsewhere vs Page"

    def test_every_reason_of_both_models_costs_one_query(self, django_assert_num_queries):
        lab = create_organization()
        a = priced("1.00", slug="a", organization=lab, vision=True)
        b = priced("3.00", slug="b", organization=lab, reasoning=True)
        for n in range(12):
            capability = {"vision": True} if n % 2 else {"reasoning": True}
            priced(f"{n}.50", slug=f"other-{n}", organization=lab, **capability)
        pair = facts.pair_facts(a.slug, b.slug)
        with django_assert_num_queries(1):
            links = related_comparisons(list(pair.models))
        assert len(links) == 12
        assert len({link.url for link in links}) == 12
        assert {"Nearest in price", "Same capabilities", f"Also by {pair.a.organization_label}"} <= {
            link.reason for link in links
        }

    def test_a_model_without_prices_or_capabilities_still_gets_newest_models(self):
        page = create_model(slug="bare")
        create_model(slug="other")
        links = related_comparisons([facts.model_facts(page.slug).model], limit=6)
        assert [(link.reason, link.url) for link in links] == [("Recently released", "/compare/bare-vs-other/")]
