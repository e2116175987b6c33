"""The public pages: routes, redirects, sections, head tags, forms and HTML structure."""

from __future__ import annotations

import itertools
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from catalog.models import LanguageModel
from tests.comparisons.builders import create_catalog, create_seed_pair
from tests.factories import create_benchmark, create_benchmark_result, create_model, create_provider, create_source

pytestmark = pytest.mark.django_db

SEED_URL = "/compare/llama-3-2-1b-vs-o4-mini/"
# Above the sections: the key-figure cards (a visually hidden heading) and the verdict.
PAIR_TOP = ["Key figures", "Verdict"]
PAIR_SECTIONS = [
    "Specs",
    "Pricing and availability",
    "Capabilities",
    "Benchmarks",
    "Deep dive",
    "Cost calculator",
    "FAQ",
    "Sources",
    "Continue comparing",
]


class Structure(HTMLParser):
    """Collects what the structure checks need: headings, th scopes, labels, form fields, links, JSON-LD."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.headings: list[str] = []
        self._heading: list[str] | None = None
        self.th_without_scope = 0
        self.label_for: set[str] = set()
        self.fields: list[dict] = []
        self.links: list[str] = []
        self.meta: dict[str, str] = {}
        self.canonical = ""
        self.jsonld: list[str] = []
        self._in_jsonld = False
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        if tag in {"h1", "h2"}:
            self._heading = []
        if tag == "th" and "scope" not in a:
            self.th_without_scope += 1
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        if tag in {"input", "select", "textarea"} and a.get("type") != "hidden":
            self.fields.append(a)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "meta":
            key = a.get("name") or a.get("property")
            if key:
                self.meta[key] = a.get("content", "")
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a["href"]
        if tag == "script" and a.get("type") == "application/ld+json":
            self._in_jsonld = True
            self.jsonld.append("")
        if tag == "title" and not self.title:  # the document's, not an SVG <title>
            self._in_title = True

    def handle_endtag(self, tag):
        if tag in {"h1", "h2"} and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None
        if tag == "script":
            self._in_jsonld = False
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        if self._in_jsonld:
            self.jsonld[-1] += data
        if self._in_title:
            self.title += data


def parse(response) -> Structure:
    parser = Structure()
    parser.feed(response.content.decode())
    return parser


def assert_well_formed(page: Structure) -> None:
    assert page.h1 == 1
    assert page.th_without_scope == 0
    for field in page.fields:
        assert field.get("id") in page.label_for, f"unlabelled field {field}"


def visible_text(response) -> str:
    body = response.content.decode()
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


class TestComparisonRoutes:
    def test_canonical_pair_page_renders(self, client):
        create_seed_pair()
        response = client.get(SEED_URL)
        assert response.status_code == 200
        assert reverse("comparisons:detail", kwargs={"a": "llama-3-2-1b", "b": "o4-mini"}) == SEED_URL

    def test_reverse_order_redirects_permanently_to_canonical(self, client):
        create_seed_pair()
        response = client.get("/compare/o4-mini-vs-llama-3-2-1b/")
        assert response.status_code == 301
        assert response["Location"] == SEED_URL

    def test_reverse_order_keeps_the_calculator_query(self, client):
        create_seed_pair()
        response = client.get("/compare/o4-mini-vs-llama-3-2-1b/?in=2000000&batch=1")
        assert response.status_code == 301
        assert response["Location"] == f"{SEED_URL}?in=2000000&batch=1"

    @pytest.mark.parametrize(
        "url",
        [
            "/compare/o4-mini-vs-o4-mini/",
            "/compare/llama-3-2-1b-vs-unknown/",
            "/compare/unknown-vs-llama-3-2-1b/",
            "/compare/zzz-vs-o4-mini/",
            "/compare/a-vs-b-vs-c/",
            "/compare/o4-mini/",
        ],
    )
    def test_same_or_unknown_models_answer_404(self, client, url):
        create_seed_pair()
        assert client.get(url).status_code == 404

    def test_only_get_is_allowed(self, client):
        create_seed_pair()
        assert client.post(SEED_URL).status_code == 405


class TestCompareIndex:
    def test_index_shows_the_picker(self, client):
        create_seed_pair()
        response = client.get("/compare/")
        assert response.status_code == 200
        page = parse(response)
        assert_well_formed(page)
        assert {f.get("name") for f in page.fields if f.get("name")} == {"a", "b"}
        assert "Llama 3.2 1B" in response.content.decode()

    @pytest.mark.parametrize(
        ("query", "target"),
        [("a=o4-mini&b=llama-3-2-1b", SEED_URL), ("a=llama-3-2-1b&b=o4-mini", SEED_URL)],
    )
    def test_a_valid_pair_redirects_to_the_canonical_page(self, client, query, target):
        create_seed_pair()
        response = client.get(f"/compare/?{query}")
        assert response.status_code == 302
        assert response["Location"] == target
        assert client.get(response["Location"]).status_code == 200

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ("a=o4-mini", "Choose the second model."),
            ("b=o4-mini", "Choose the first model."),
            ("a=&b=", "Choose the first model."),
            ("a=o4-mini&b=o4-mini", "Choose two different models."),
            ("a=o4-mini&b=nope", "That model is not in the catalog."),
            ("a=" + "x" * 5000 + "&b=o4-mini", "That model is not in the catalog."),
            ("a=%3Cscript%3E&b=o4-mini", "That model is not in the catalog."),
        ],
    )
    def test_bad_input_re_shows_the_form_with_a_message(self, client, query, message):
        create_seed_pair()
        response = client.get(f"/compare/?{query}")
        assert response.status_code == 400
        assert message in response.content.decode()
        assert "<script>" not in response.content.decode().split("</head>")[1]
        assert_well_formed(parse(response))


class TestPairPage:
    def test_sections_in_architecture_order(self, client):
        create_seed_pair()
        page = parse(client.get(SEED_URL))
        assert page.headings == ["Llama 3.2 1B vs o4-mini", *PAIR_TOP, *PAIR_SECTIONS]

    def test_head_tags(self, client):
        create_seed_pair()
        page = parse(client.get(SEED_URL))
        assert page.title == "Llama 3.2 1B vs o4-mini: price, specs, benchmarks | LLM Reference"
        assert page.meta["description"].startswith(
            "Llama 3.2 1B vs o4-mini: input $0.10 vs $0.50, output $0.10 vs $2.00 per 1M tokens"
        )
        assert len(page.meta["description"]) <= 160
        assert page.canonical == "http://testserver" + SEED_URL
        assert page.meta["og:url"] == page.canonical
        assert page.meta["og:title"] == "Llama 3.2 1B vs o4-mini: price, specs, benchmarks"
        assert page.meta["og:description"] == page.meta["description"]

    def test_canonical_link_ignores_the_calculator_query(self, client):
        create_seed_pair()
        page = parse(client.get(SEED_URL + "?in=1000000&diff=1&kind=batch"))
        assert page.canonical == "http://testserver" + SEED_URL

    def test_well_formed_html(self, client):
        create_seed_pair()
        assert_well_formed(parse(client.get(SEED_URL)))

    def test_seed_page_states_the_facts_without_the_seed_mistakes(self, client):
        create_seed_pair()
        words = visible_text(client.get(SEED_URL))
        assert "128K tokens" in words
        assert "$0.10 / 1M" in words
        assert "Served by 3 tracked providers. Cheapest: Replicate API ." in words
        assert "Served by 1 tracked provider." in words
        # the price gap is stated once, from the cheapest active offerings' standard prices
        gap = "Llama 3.2 1B is 89% cheaper at a 70/30 input/output blend ($0.10 against $0.95 per 1M blended tokens"
        assert words.count(gap) == 1
        assert "Llama 3.2 1B is served by 1 tracked provider and o4-mini by 3 tracked providers." in words
        assert "Last reviewed: 2026-11-20" in words
        assert "No shared benchmark results are sourced yet for this pair." in words
        for wrong in ("400%", "1 providers", "frontier", "2025-08"):
            assert wrong not in words
        assert not re.search(r"Llama 3\.2 1B is an? [^.]*reasoning", words)

    def test_every_provider_is_listed_with_source_links(self, client):
        create_seed_pair()
        response = client.get(SEED_URL)
        body = response.content.decode()
        for provider in ("Fireworks AI", "OpenAI API", "OpenRouter", "Replicate API"):
            assert provider in body
        assert "Batch API" not in body  # OpenAI's batch prices are its offering's batch tier, not a provider
        words = visible_text(response)
        assert "OpenAI API First-party API $1.10 / 1M [4] $4.40 / 1M [4] $0.55 / 1M [4] $2.20 / 1M [4]" in words
        page = parse(response)
        assert "https://replicate-api.example/pricing" in page.links
        assert "https://platform.openai.com/docs/models/o4-mini" in page.links
        assert 'id="source-6"' in body and 'id="source-7"' not in body

    def test_price_chart_is_server_rendered_svg(self, client):
        create_seed_pair()
        body = client.get(SEED_URL).content.decode()
        svg = body[body.index("<svg") : body.index("</svg>")]
        assert 'role="img"' in svg
        assert svg.count('class="bar-input"') == 4 + 1  # one per offering, plus the legend swatch
        assert "$2.00" in svg

    def test_price_chart_lists_each_models_providers_cheapest_input_first(self, client):
        create_seed_pair()
        words = visible_text(client.get(SEED_URL))
        assert "cheapest input first" in words
        assert "o4-mini Replicate API $0.50 $2.00 OpenAI API $1.10 $4.40 OpenRouter $1.10 $4.40" in words

    def test_faq_is_also_valid_faqpage_jsonld(self, client):
        create_seed_pair()
        page = parse(client.get(SEED_URL))
        (block,) = page.jsonld
        data = json.loads(block)
        assert data["@type"] == "FAQPage"
        questions = [q["name"] for q in data["mainEntity"]]
        assert "Which is cheaper, Llama 3.2 1B or o4-mini?" in questions
        assert all(q["acceptedAnswer"]["text"] for q in data["mainEntity"])

    def test_shared_benchmarks_show_scores_sources_and_dates(self, client):
        seed = create_seed_pair()
        bench = create_benchmark(name="MMLU", slug="mmlu")
        src = create_source(url="https://example.com/mmlu-report", title="MMLU report")
        create_benchmark_result(model=seed.llama, benchmark=bench, score="49.3", source=src, measured_on="2024-09-25")
        create_benchmark_result(model=seed.o4, benchmark=bench, score="85.2", source=src)
        response = client.get(SEED_URL)
        words = visible_text(response)
        assert "No shared benchmark results" not in words
        assert "49.3%" in words and "85.2%" in words
        assert "measured 2024-09-25" in words
        assert "date not yet sourced" in words
        assert "https://example.com/mmlu-report" in parse(response).links


class TestCostCalculator:
    def test_default_view_matches_the_70_30_blend(self, client):
        create_seed_pair()
        words = visible_text(client.get(SEED_URL))
        assert "Llama 3.2 1B Fireworks AI (cheapest) $0.70 $0.00 $0.30 $1.00" in words
        assert "o4-mini Replicate API (cheapest) $3.50 $0.00 $6.00 $9.50" in words
        assert "Llama 3.2 1B costs $8.50 a month less than o4-mini" in words

    def test_workload_from_the_query_string(self, client):
        create_seed_pair()
        response = client.get(SEED_URL + "?in=100000000&out=0&cached=0")
        words = visible_text(response)
        assert "Llama 3.2 1B Fireworks AI (cheapest) $10.00 $0.00 $0.00 $10.00" in words
        assert "o4-mini Replicate API (cheapest) $50.00 $0.00 $0.00 $50.00" in words

    def test_batch_uses_batch_prices_and_says_when_none_are_sourced(self, client):
        create_seed_pair()
        words = visible_text(client.get(SEED_URL + "?batch=1"))
        assert "o4-mini OpenAI API $3.85 $0.00 $6.60 $10.45" in words  # its batch tier: $0.55 in, $2.20 out
        assert "o4-mini Replicate API (cheapest) (no batch prices sourced: standard prices) $3.50" in words
        assert "Replicate API lists no batch prices for o4-mini, so its standard prices are used." in words

    @pytest.mark.parametrize(
        "query",
        ["in=-1", "cached=101", "out=abc", "in=1e999999", "in=NaN", "cached=NaN", "in=" + "9" * 5000],
    )
    def test_invalid_values_show_errors_not_a_500(self, client, query):
        create_seed_pair()
        response = client.get(f"{SEED_URL}?{query}")
        assert response.status_code == 200
        words = visible_text(response)
        assert "Correct these values to see the monthly costs:" in words


class TestContinueComparing:
    def test_at_least_six_canonical_links_that_all_resolve(self, client):
        create_catalog(10, 2)
        slugs = sorted(create_model_slugs())
        url = reverse("comparisons:detail", kwargs={"a": slugs[0], "b": slugs[1]})
        response = client.get(url)
        body = response.content.decode()
        section = body[body.index('id="continue-comparing"') : body.index('id="last-reviewed"')]
        links = re.findall(r'href="(/compare/[^"]+)"', section)
        assert len(links) >= 6
        reasons = set(re.findall(r'<small class="muted">([^<]+)</small>', section))
        assert {"Nearest in price", "Same capabilities"} <= reasons
        assert any(r.startswith("Also by ") for r in reasons)
        assert len(set(links)) == len(links)
        assert url not in links
        for link in links:
            a, b = re.match(r"/compare/(.+)-vs-(.+)/", link).groups()
            assert a < b
            assert client.get(link).status_code == 200


def create_model_slugs() -> list[str]:
    from catalog.models import LanguageModel

    return list(LanguageModel.objects.values_list("slug", flat=True))


def test_every_pair_of_a_ten_model_catalog_renders_with_all_sections(client):
    create_catalog(10, 3)
    slugs = sorted(create_model_slugs())
    assert len(slugs) == 10
    for a, b in itertools.combinations(slugs, 2):
        response = client.get(reverse("comparisons:detail", kwargs={"a": a, "b": b}))
        assert response.status_code == 200, (a, b)
        headings = parse(response).headings
        assert headings[1:] == [*PAIR_TOP, *PAIR_SECTIONS], (a, b)
        assert "Last reviewed" in response.content.decode()


class TestModelAndProviderPages:
    def test_model_page(self, client):
        seed = create_seed_pair()
        create_model(slug="other")
        response = client.get(seed.o4.get_absolute_url())
        assert response.status_code == 200
        page = parse(response)
        assert_well_formed(page)
        assert page.title == "o4-mini: price, specs, providers | LLM Reference"
        words = visible_text(response)
        assert "Served by 3 tracked providers" in words  # OpenAI's batch tier is no provider of its own
        table = words[words.index("o4-mini prices by provider") :]
        assert table.index("Replicate API") < table.index("OpenAI API") < table.index("OpenRouter")  # by price
        assert "No benchmark results are sourced yet for o4-mini." in words
        assert SEED_URL in page.links
        # the picker starts from this model
        assert 'name="a" id="id_a" value="o4-mini"' in response.content.decode()

    def test_unknown_model_is_404(self, client):
        assert client.get("/models/nope/").status_code == 404

    def test_provider_pages(self, client):
        create_seed_pair()
        create_provider(name="Idle Host", slug="idle-host")
        listing = client.get("/providers/")
        assert listing.status_code == 200
        assert_well_formed(parse(listing))
        words = visible_text(listing)
        assert "Replicate API Inference host 1 model" in words
        assert "Idle Host Inference host 0 models" in words
        detail = client.get("/providers/replicate-api/")
        assert detail.status_code == 200
        assert_well_formed(parse(detail))
        words = visible_text(detail)
        assert "o4-mini" in words and "$0.50 / 1M" in words
        assert "Serves 1 tracked model." in words
        assert "Idle Host serves no tracked model yet." in visible_text(client.get("/providers/idle-host/"))
        assert client.get("/providers/nope/").status_code == 404

    def test_home_has_picker_popular_comparisons_and_newest_models(self, client):
        create_catalog(6, 2)
        response = client.get("/")
        assert response.status_code == 200
        page = parse(response)
        assert_well_formed(page)
        assert page.headings == [
            "Large language models, compared from sourced facts",
            "Compare two models",
            "Popular comparisons",
            "Newest models",
            "Makers",
            "Recent changes",
        ]
        for model in LanguageModel.objects.all():
            assert model.get_absolute_url() in page.links
        assert "No reviewed change has been applied yet." in response.content.decode()
        popular = [link for link in page.links if link.startswith("/compare/") and "-vs-" in link]
        assert len(popular) == 10  # every pair of the five most offered models
        for link in popular:
            assert client.get(link).status_code == 200

    def test_empty_catalog_pages_still_answer(self, client):
        for url in ("/", "/compare/", "/providers/"):
            assert client.get(url).status_code == 200


def test_a_value_without_recorded_source_is_marked_and_a_default_status_is_not(client):
    create_model(slug="aa", context_window=4096)
    create_model(slug="bb")
    body = client.get("/compare/aa-vs-bb/").content.decode()
    specs = body[body.index('id="specs"') : body.index('id="pricing"')]
    # the context window and both organizations; "Active" is the default state, not a claim
    assert specs.count("[no source]") == 3
    assert "4K tokens" in specs


def test_providers_directory_pages_by_name_with_counts_the_workflow_keeps(client):
    """50 providers a page; "models served" is the stored count, moved when a change set applies."""

    from catalog.models import Offering, Provider
    from catalog.review.services import ProposedChange, changeset_create_applied, system_user

    providers = [create_provider(slug=f"p{i:02d}", name=f"P{i:02d}") for i in range(52)]
    first = client.get("/providers/").content.decode()
    assert "Providers 1–50 of 52, by name." in first and "P49" in first and "P50" not in first
    assert 'rel="next" href="?page=2"' in first
    second = client.get("/providers/?page=2")
    body = second.content.decode()
    assert "P50" in body and "P51" in body and "P00" not in body
    assert "<title>Providers (page 2)" in body
    assert client.get("/providers/?page=999").status_code == 200  # the last page, as the provider page does

    model, source = create_model(), create_source()
    changeset_create_applied(
        author=system_user("importer"),
        reviewer=system_user("import-reviewer", reviewer=True),
        changes=[
            ProposedChange("create", Offering, values={"model": model, "provider": providers[0]}, source=source),
            ProposedChange(
                "create",
                Offering,
                values={"model": model, "provider": providers[1], "status": "retired"},
                source=source,
            ),  # fmt: skip
        ],
        summary="Two offerings",
    )
    counts = dict(Provider.objects.values_list("slug", "model_count"))
    assert (counts["p00"], counts["p01"], counts["p02"]) == (1, 0, 0)  # a retired offering serves nothing
    assert "1 model" in client.get("/providers/").content.decode()
    offering = Offering.objects.get(provider=providers[0])
    changeset_create_applied(
        author=system_user("importer"),
        reviewer=system_user("import-reviewer", reviewer=True),
        changes=[ProposedChange("update", Offering, target=offering, values={"status": "retired"}, source=source)],
        summary="Retire it",
    )
    assert Provider.objects.get(slug="p00").model_count == 0


def test_providers_directory_is_a_to_z_whatever_the_case(client):
    for name in ["LLM Gateway", "Lilac", "llama host", "Kimi"]:
        create_provider(name=name, slug=name.lower().replace(" ", "-"))
    body = client.get("/providers/").content.decode()
    positions = [body.index(f">{name}</a>") for name in ["Kimi", "Lilac", "llama host", "LLM Gateway"]]
    assert positions == sorted(positions)
