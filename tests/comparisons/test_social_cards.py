"""Social preview cards: og:image PNGs of model and comparison pages (comparisons/social/)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from catalog.models import LanguageModel
from comparisons.social.card import comparison_card, model_card
from comparisons.social.render import fit, render_png
from tests.comparisons.builders import mf, offer
from tests.comparisons.test_views import parse
from tests.factories import create_model, create_offering, create_provider

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_card_png(response) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    assert image.size == (1200, 630)
    assert len(response.content) < 100_000


class TestCardContent:
    def test_a_card_shows_the_pages_headline_prices_and_usable_context(self):
        m = mf(
            "Alpha",
            offerings=(offer("Dear", "3", "9"), offer("Cheap", "0.10", "0.40")),
            context_window=128_000,
        )
        (column,) = model_card(m).columns
        assert [(f.label, f.value, f.missing) for f in column.figures] == [
            ("Input", "$0.10 / 1M", False),
            ("Output", "$0.40 / 1M", False),
            ("Context", "128K tokens", False),
        ]
        assert column.note == "cheapest on Cheap · 2 tracked providers"

    @pytest.mark.parametrize(
        ("kwargs", "expected"),
        [
            ({"offerings": (offer("Host", "1", None),)}, "not yet sourced"),  # offered, price unknown
            ({"offerings": ()}, "no tracked provider"),  # nothing to source: not "not yet sourced"
            ({"offerings": (offer("Host", "1", "2"),), "status": "retired"}, "no current price"),
        ],
    )
    def test_a_missing_price_says_why(self, kwargs, expected):
        (column,) = comparison_card((mf("Alpha", **kwargs), mf("Beta"))).columns[:1]
        assert [(f.value, f.missing) for f in column.figures[:2]] == [(expected, True)] * 2
        assert (column.figures[2].value, column.figures[2].missing) == ("not yet sourced", True)

    @pytest.mark.parametrize(
        ("status", "note"),
        [("active", "cheapest on Host"), ("deprecated", "deprecated · cheapest on Host"), ("retired", "retired")],
    )
    def test_the_note_names_a_lifecycle_other_than_active(self, status, note):
        (column,) = comparison_card((mf("Alpha", status=status, offerings=(offer("Host", "1", "2"),)),)).columns
        assert column.note == note

    def test_alt_text_says_what_the_card_shows(self):
        card = comparison_card((mf("Alpha", offerings=(offer("Host", "1", "2"),), context_window=8_000), mf("Beta")))
        assert card.title == "Alpha vs Beta"
        assert card.alt == (
            "Alpha vs Beta. Alpha: input: $1.00 / 1M, output: $2.00 / 1M, context: 8K tokens; "
            "Beta: input: no tracked provider, output: no tracked provider, context: not yet sourced."
        )

    def test_long_text_is_shortened_to_fit(self):
        from PIL import ImageFont

        font = ImageFont.load_default(size=30)
        long = "A model name far too long for any card column " * 4
        shortened = fit(long, font, 300)
        assert shortened.endswith("\u2026") and font.getlength(shortened) <= 300
        assert fit("Short", font, 300) == "Short"

    @pytest.mark.parametrize("count", [1, 2, 3, 4])
    def test_every_layout_renders_a_1200_by_630_png(self, count):
        models = tuple(mf(f"Model {i} " + "x" * 60 * i) for i in range(count))
        card = model_card(models[0]) if count == 1 else comparison_card(models)
        png = render_png(card)
        assert png.startswith(PNG_SIGNATURE)
        assert Image.open(io.BytesIO(png)).size == (1200, 630)


@pytest.fixture
def trio():
    models = []
    for slug, price in (("alpha", "0.10"), ("beta", "1.00"), ("gamma", "5.00")):
        model = create_model(name=slug.capitalize(), slug=slug, context_window=128_000)
        create_offering(model=model, input_price=Decimal(price), output_price=Decimal(price) * 4)
        models.append(model)
    return models


@pytest.mark.django_db
class TestCardViews:
    @pytest.mark.parametrize(
        "url",
        ["/models/alpha/card.png", "/compare/alpha-vs-beta/card.png", "/compare/alpha-vs-beta-vs-gamma/card.png"],
    )
    def test_each_card_is_a_png(self, client, trio, url):
        assert_card_png(client.get(url))

    @pytest.mark.parametrize(
        "url",
        [
            "/models/nope/card.png",
            "/compare/alpha-vs-nope/card.png",
            "/compare/nope-vs-alpha/card.png",
            "/compare/alpha-vs-alpha/card.png",
            "/compare/alpha-vs-beta-vs-nope/card.png",
            "/compare/beta-vs-alpha-vs-nope/card.png",
            "/compare/alpha-vs-beta-vs-alpha/card.png",
            "/compare/a-vs-b-vs-c-vs-d-vs-e/card.png",
        ],
    )
    def test_unknown_models_answer_404(self, client, trio, url):
        assert client.get(url).status_code == 404

    @pytest.mark.parametrize(
        ("url", "target"),
        [
            ("/compare/beta-vs-alpha/card.png", "/compare/alpha-vs-beta/card.png"),
            ("/compare/gamma-vs-alpha-vs-beta/card.png", "/compare/alpha-vs-beta-vs-gamma/card.png"),
            # A query string would be a new cache key and a new rendering: one image per URL.
            ("/models/alpha/card.png?v=1", "/models/alpha/card.png"),
            ("/compare/alpha-vs-beta/card.png?utm_source=x", "/compare/alpha-vs-beta/card.png"),
        ],
    )
    def test_other_spellings_redirect_permanently_to_the_one_card(self, client, trio, url, target):
        response = client.get(url)
        assert response.status_code == 301
        assert response["Location"] == target

    def test_head_answers_the_headers_without_a_body(self, client, trio):
        response = client.head("/models/alpha/card.png")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response.content == b""

    @staticmethod
    def count_queries(client, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert_card_png(client.get(url))
        return len(queries)

    @pytest.mark.parametrize(
        "url",
        ["/models/alpha/card.png", "/compare/alpha-vs-beta/card.png", "/compare/alpha-vs-beta-vs-gamma/card.png"],
    )
    def test_query_count_does_not_grow_with_offerings_or_catalog(
        self, client, trio, url, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(8):
            small = self.count_queries(client, url)
        for model in trio:
            for _ in range(15):
                create_offering(model=model, provider=create_provider())
        for i in range(30):
            create_model(name=f"Other {i}", slug=f"other-{i}")
        assert self.count_queries(client, url) == small


@pytest.mark.django_db
class TestCardCaching:
    def test_second_request_is_a_cache_hit_with_the_pages_validators(self, client, page_cache, trio):
        first = client.get("/compare/alpha-vs-beta/card.png")
        second = client.get("/compare/alpha-vs-beta/card.png")
        assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
        assert second.content == first.content
        assert_card_png(second)
        assert second["ETag"] == first["ETag"]
        assert first["Cache-Control"].startswith("public, max-age=60")
        assert "X-Catalog-Revision" in first

    def test_a_hit_costs_no_query_and_a_matching_etag_answers_304(
        self, client, page_cache, trio, django_assert_num_queries
    ):
        etag = client.get("/models/alpha/card.png")["ETag"]
        with django_assert_num_queries(0):
            assert client.get("/models/alpha/card.png")["X-Page-Cache"] == "hit"
        assert client.get("/models/alpha/card.png", HTTP_IF_NONE_MATCH=etag).status_code == 304

    def test_the_card_key_moves_with_the_catalog_revision(self, client, page_cache, trio):
        from catalog.models import CatalogRevision

        before = client.get("/models/alpha/card.png")
        CatalogRevision.bump()
        page_cache.reset()
        after = client.get("/models/alpha/card.png")
        assert after["X-Page-Cache"] == "miss"
        assert after["ETag"] != before["ETag"]


@pytest.mark.django_db
class TestPagesLinkTheirCard:
    @pytest.mark.parametrize(
        ("page_url", "card_url"),
        [
            ("/models/alpha/", "/models/alpha/card.png"),
            ("/compare/alpha-vs-beta/", "/compare/alpha-vs-beta/card.png"),
            ("/compare/alpha-vs-beta/?in=1000", "/compare/alpha-vs-beta/card.png"),
            ("/compare/alpha-vs-beta-vs-gamma/", "/compare/alpha-vs-beta-vs-gamma/card.png"),
        ],
    )
    def test_og_image_and_twitter_large_card(self, client, trio, page_url, card_url):
        page = parse(client.get(page_url))
        assert page.meta["og:image"] == "http://testserver" + card_url
        assert page.meta["og:image:width"] == "1200" and page.meta["og:image:height"] == "630"
        assert page.meta["og:image:type"] == "image/png"
        assert page.meta["og:image:alt"].startswith(LanguageModel.objects.get(slug="alpha").name)
        assert page.meta["twitter:card"] == "summary_large_image"
        assert page.meta["twitter:image:alt"] == page.meta["og:image:alt"]
        assert_card_png(client.get(card_url))

    @pytest.mark.parametrize("url", ["/", "/models/", "/providers/", "/compare/", "/changes/"])
    def test_pages_without_a_card_have_a_summary_twitter_card_and_no_og_image(self, client, trio, url):
        page = parse(client.get(url))
        assert "og:image" not in page.meta
        assert page.meta["twitter:card"] == "summary"
