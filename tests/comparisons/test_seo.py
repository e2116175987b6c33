"""Head tags for search engines and link previews: canonical URLs, titles, descriptions, Open Graph, JSON-LD.

The whole-catalog checks load the demo catalog once and generate every public URL of it: static pages, every
model and provider page, the change log, the explorer under each single filter value and some combinations, a
sample of 3-4 model pages, and every pair (through the same functions the pair view calls; all 1,225 pair
pages are rendered in the slow prose test, test_prose_all_pairs, which checks their heads with these helpers).
"""

from __future__ import annotations

import itertools
import json
import re
from decimal import Decimal

import pytest

from catalog.models import LanguageModel, License
from comparisons import facts, seo, text
from comparisons.forms import CAPABILITY_CHOICES, SORT_CHOICES, STATUS_CHOICES
from tests.comparisons.builders import create_seed_pair
from tests.comparisons.test_views import parse
from tests.factories import create_model, create_offering, create_organization

LIMIT = 160
OG_TAGS = ("og:title", "og:description", "og:url", "og:type", "og:site_name", "twitter:card")


def canonical_of(client, query: str) -> str:
    return parse(client.get("/models/?" + query)).canonical.removeprefix("http://testserver")


@pytest.mark.django_db
class TestExplorerCanonical:
    @pytest.fixture(autouse=True)
    def catalog(self):
        meta = create_organization(name="Meta", slug="meta")
        for i in range(3):
            create_model(name=f"Model {i}", slug=f"model-{i}", organization=meta, vision=True)

    @pytest.mark.parametrize(
        ("query", "canonical"),
        [
            ("", "/models/"),
            ("sort=&status=&q=&page=1", "/models/"),  # defaults dropped
            ("junk=1&utm_source=x", "/models/"),  # unknown parameters dropped
            ("min_context=abc&capability=bogus&organization=nope", "/models/"),  # values the page ignored
            (
                "sort=newest&capability=vision&organization=meta&capability=function_calling",
                "/models/?capability=function_calling&capability=vision&organization=meta&sort=newest",
            ),
            ("max_input_price=2.50&min_context=0128000", "/models/?max_input_price=2.5&min_context=128000"),
            ("max_output_price=10", "/models/?max_output_price=10"),
            ("q=+Model+&status=all", "/models/?q=Model&status=all"),
            ("capability=vision&capability=vision", "/models/?capability=vision"),
        ],
    )
    def test_filtered_urls_are_canonical_to_one_clean_form(self, client, query, canonical):
        assert canonical_of(client, query) == canonical

    def test_equivalent_urls_share_title_and_description_and_others_do_not(self, client):
        a = parse(client.get("/models/?organization=meta&capability=vision"))
        b = parse(client.get("/models/?capability=vision&organization=meta&sort=&junk=1"))
        c = parse(client.get("/models/?capability=vision"))
        assert (a.title, a.meta["description"], a.canonical) == (b.title, b.meta["description"], b.canonical)
        assert a.title != c.title and a.meta["description"] != c.meta["description"]
        assert a.title == "Language models with vision, by Meta | LLM Reference"
        assert a.meta["description"].startswith("3 language models with vision, by Meta:")

    def test_later_pages_are_canonical_to_themselves(self, client, monkeypatch):
        monkeypatch.setattr("comparisons.views.EXPLORER_PAGE_SIZE", 2)
        assert canonical_of(client, "page=2&sort=") == "/models/?page=2"
        assert canonical_of(client, "page=99") == "/models/?page=2"  # the page actually shown
        page = parse(client.get("/models/?page=2"))
        assert page.title == "Model explorer (page 2) | LLM Reference"
        assert page.meta["description"].startswith("Page 2. ")

    def test_the_htmx_answer_carries_the_filtered_views_title(self, client):
        # htmx sets document.title from a top-level <title> of the fragment, so the tab says what it shows.
        html = client.get("/models/", {"capability": "vision"}, HTTP_HX_REQUEST="true").content.decode()
        assert html.lstrip().startswith("<title>Language models with vision | LLM Reference</title>")
        assert "<html" not in html and "<head" not in html

    def test_the_og_url_is_the_canonical(self, client):
        page = parse(client.get("/models/?sort=newest&junk=1"))
        assert page.meta["og:url"] == page.canonical == "http://testserver/models/?sort=newest"


class TestHeadText:
    def test_every_explorer_filter_is_named(self):
        f = seo.ExplorerFilters(
            q="llama",
            capabilities=("Vision", "Tool use"),
            license_kinds=("Open weights", "Proprietary"),
            organization="Meta",
            provider="Groq",
            max_input_price=Decimal("1.5"),
            max_output_price=Decimal("3"),
            min_context=128_000,
            year=2024,
            status="all",
            sort="cheapest_input",
        )
        assert seo.explorer_phrases(f) == [
            'matching "llama"',
            "with vision and tool use",
            "open weights or proprietary",
            "by Meta",
            "on Groq",
            "input up to $1.50",
            "output up to $3.00",
            "context from 128K",
            "released in 2024",
            "including retired",
            "cheapest input first",
        ]
        assert len(seo.explorer_title(f, 12) + seo.SITE_SUFFIX) < LIMIT
        assert len(seo.explorer_description(f, 1234, 12)) <= LIMIT

    def test_clip_cuts_at_a_word(self):
        assert seo.clip("short") == "short"
        clipped = seo.clip("word " * 50, 30)
        assert len(clipped) <= 30 and clipped.endswith("word\u2026")

    def test_multi_titles_and_descriptions_stay_under_the_limit(self):
        names = ["A remarkably long model name, version " + str(i) * 20 for i in range(4)]
        assert len(seo.multi_title(names) + seo.SITE_SUFFIX) < LIMIT
        assert len(seo.multi_description(names)) <= LIMIT
        assert seo.multi_title(["A", "B", "C"]) == "A vs B vs C: price, specs, capabilities"

    def test_changeset_title_does_not_repeat_the_number(self):
        assert seo.changeset_title(4, "Change set #4") == "Change set #4"
        assert seo.changeset_title(4, "New prices") == "Change set #4: New prices"


@pytest.mark.django_db
class TestStructuredData:
    def test_faqpage_jsonld_matches_the_visible_faq(self, client):
        create_seed_pair()
        response = client.get("/compare/llama-3-2-1b-vs-o4-mini/")
        body = response.content.decode()
        section = body[body.index('<section id="faq"') : body.index("</section>", body.index('<section id="faq"'))]
        visible = [
            (re.sub(r"<[^>]+>", "", q).strip(), re.sub(r"<[^>]+>", "", a).strip())
            for q, a in re.findall(r"<h3>(.*?)</h3>\s*<p>(.*?)</p>", section, re.S)
        ]
        (block,) = parse(response).jsonld
        data = json.loads(block)
        assert data["@context"] == "https://schema.org" and data["@type"] == "FAQPage"
        marked_up = [(q["name"], q["acceptedAnswer"]["text"]) for q in data["mainEntity"]]
        assert all(q["@type"] == "Question" and q["acceptedAnswer"]["@type"] == "Answer" for q in data["mainEntity"])
        import html

        assert [(html.unescape(q), html.unescape(a)) for q, a in visible] == marked_up
        assert len(marked_up) >= 3

    def test_model_and_multi_pages_claim_no_structured_data(self, client):
        # schema.org has no type for a language model whose required properties the catalog holds (a
        # SoftwareApplication rich result wants ratings and offers): the pages state nothing they cannot back.
        for slug in ("alpha", "beta", "gamma"):
            create_model(name=slug.capitalize(), slug=slug)
        assert parse(client.get("/models/alpha/")).jsonld == []
        assert parse(client.get("/compare/alpha-vs-beta-vs-gamma/")).jsonld == []

    def test_a_pair_without_answerable_questions_has_no_faqpage(self, client):
        create_model(name="Alpha", slug="alpha")
        create_model(name="Beta", slug="beta")
        page = parse(client.get("/compare/alpha-vs-beta/"))
        assert all(json.loads(b)["@type"] != "FAQPage" or json.loads(b)["mainEntity"] for b in page.jsonld)


@pytest.mark.django_db
class TestNameSort:
    def test_the_explorers_name_sort_ignores_case(self, client):
        for name in ("beta", "Alpha", "gamma", "Delta", "GPT-4o", "gpt-oss-120b"):
            create_model(name=name, slug=name.lower().replace(".", ""))
        response = client.get("/models/")
        names = [m.name for m in response.context["page"].object_list]
        assert names == ["Alpha", "beta", "Delta", "gamma", "GPT-4o", "gpt-oss-120b"]

    def test_ties_in_other_sorts_are_broken_by_name_ignoring_case(self, client):
        for name in ("beta", "Alpha", "Gamma"):
            model = create_model(name=name, slug=name.lower())
            create_offering(model=model, input_price=Decimal("1"), output_price=Decimal("1"))
        names = [m.name for m in client.get("/models/", {"sort": "cheapest_input"}).context["page"].object_list]
        assert names == ["Alpha", "beta", "Gamma"]


# --- the demo catalog: every public page -------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.db import transaction

    from catalog.demo import load_demo_catalog

    with django_db_blocker.unblock(), transaction.atomic():
        load_demo_catalog()
        yield
        transaction.set_rollback(True)


def explorer_queries() -> list[str]:
    from catalog.models import Organization, Provider

    queries = ["", "q=llama", "q=claude", "max_input_price=1", "max_output_price=2", "min_context=1000000"]
    queries += [f"capability={value}" for value, _ in CAPABILITY_CHOICES]
    queries += [f"license_kind={value}" for value, _ in License.Kind.choices]
    queries += [f"organization={slug}" for slug in Organization.objects.values_list("slug", flat=True)]
    queries += [f"provider={slug}" for slug in Provider.objects.values_list("slug", flat=True)]
    years = LanguageModel.objects.dates("release_date", "year")
    queries += [f"year={d.year}" for d in years]
    queries += [f"status={value}" for value, _ in STATUS_CHOICES if value]
    queries += [f"sort={value}" for value, _ in SORT_CHOICES if value]
    queries += ["capability=vision&license_kind=open_weights", "organization=openai&sort=newest&status=all"]
    return ["/models/" + (f"?{q}" if q else "") for q in queries]


def public_urls() -> list[str]:
    from catalog.models import ChangeSet, Provider

    slugs = sorted(LanguageModel.objects.values_list("slug", flat=True))
    urls = ["/", "/compare/", "/providers/", "/changes/"]
    urls += [f"/models/{slug}/" for slug in slugs]
    urls += [f"/providers/{slug}/" for slug in Provider.objects.values_list("slug", flat=True)]
    urls += [f"/changes/{pk}/" for pk in ChangeSet.objects.applied().values_list("pk", flat=True)]
    urls += explorer_queries()
    # 3-4 model pages: a sample of every size (there are 250,000 of them).
    urls += [
        "/compare/" + "-vs-".join(trio) + "/"
        for trio in itertools.islice(itertools.combinations(slugs, 3), 0, None, 997)
    ]
    urls += [
        "/compare/" + "-vs-".join(quad) + "/"
        for quad in itertools.islice(itertools.combinations(slugs, 4), 0, None, 9973)
    ]
    urls += ["/compare/" + "-vs-".join(slugs[-4:]) + "/"]  # the longest names sort last here too
    return urls


def head_of(client, url: str) -> tuple[str, str, str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return head_from(response, url)


def head_from(response, url: str) -> tuple[str, str, str]:
    """(canonical, title, description) of a rendered page, after checking its og: tags agree with them."""
    page = parse(response)
    for tag in OG_TAGS:
        assert page.meta.get(tag), (url, tag)
    assert page.canonical.startswith("http://testserver/"), url
    assert page.meta["og:url"] == page.canonical, url
    assert page.meta["og:description"] == page.meta["description"], url
    assert page.title == page.meta["og:title"] + seo.SITE_SUFFIX, url
    return page.canonical, page.title, page.meta["description"]


def assert_unique_and_short(heads: list[tuple[str, str, str]]) -> None:
    by_canonical = {canonical: (title, description) for canonical, title, description in heads}
    titles = [title for title, _ in by_canonical.values()]
    descriptions = [description for _, description in by_canonical.values()]
    too_long = [t for t in titles + descriptions if len(t) > LIMIT]
    assert too_long == []
    assert sorted(t for t in titles if titles.count(t) > 1) == []
    assert sorted(d for d in descriptions if descriptions.count(d) > 1) == []


@pytest.mark.django_db
def test_every_public_page_of_the_demo_catalog_has_its_own_short_title_and_description(client, demo):
    urls = public_urls()
    assert len(urls) > 100
    heads = [head_of(client, url) for url in urls]
    # Every pair page's title and description, from the functions its view calls with its facts.
    slugs = sorted(LanguageModel.objects.values_list("slug", flat=True))
    loaded, _ = facts._load(slugs, model_fields=facts.PAIR_MODEL_FIELDS)
    for a, b in itertools.combinations(slugs, 2):
        pair = facts.PairFacts(a=loaded[a], b=loaded[b], shared_benchmarks=(), page=facts.PageFacts((), None, None))
        heads.append((f"/compare/{a}-vs-{b}/", text.title(pair) + seo.SITE_SUFFIX, text.meta_description(pair)))
    assert len(heads) > 1300
    assert_unique_and_short(heads)


@pytest.mark.django_db
def test_the_home_page_count_is_the_explorers(client, demo):
    listed = client.get("/models/").context["page"].paginator.count
    everything = client.get("/models/", {"status": "all"}).context["page"].paginator.count
    retired = LanguageModel.objects.filter(status=LanguageModel.Status.RETIRED).count()
    assert retired and everything == listed + retired == LanguageModel.objects.count()
    words = " ".join(re.sub(r"<[^>]+>", "", client.get("/").content.decode()).split())
    assert (
        f"Filter, sort and compare {listed} current models in the model explorer, plus {retired} retired models "
        "when the status filter includes retired ones."
    ) in words
