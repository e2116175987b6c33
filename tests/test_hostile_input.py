"""Hostile and malformed input over every public URL pattern, its query parameters and the htmx fragments.

Property-based (hypothesis, derandomized so CI is reproducible, bounded so the file stays under ~30 s): never a
5xx, always a status from the expected set, and no markup from the request echoed unescaped.
"""

import re
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import ChangeSet
from catalog.review.services import changeset_approve
from tests.catalog.workflow_support import create_editor, create_reviewer, submitted_price_change
from tests.factories import create_model, create_offering, create_provider

pytestmark = pytest.mark.django_db

EXPECTED = {200, 301, 302, 304, 400, 404, 405, 422}
MARKUP = [
    '<script>alert("h0stile")</script>',
    "\"><img src=x onerror=alert('h0stile')>",
    "'><svg/onload=alert('h0stile')>",
    "</textarea><script>h0stile()</script>",
    "<a href=javascript:h0stile()>x</a>",
]
FRAGMENTS = [
    *MARKUP,
    "' OR 1=1 --",
    "1; DROP TABLE catalog_languagemodel; --",
    "%' UNION SELECT password FROM auth_user --",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "${7*7}",
    "\x00",
    "%00",
    "\r\nSet-Cookie: x=1",
    "../../etc/passwd",
    "1e309",
    "NaN",
    "-Infinity",
    "-0",
    "0x10",
    "１２３",  # fullwidth digits: int() accepts them
    "9" * 400,
    "🦙" * 50,
    "a" * 5000,
    "",
]
HOSTILE = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=40),
    st.builds(lambda a, m, b: a + m + b, st.text(max_size=8), st.sampled_from(MARKUP), st.text(max_size=8)),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=1000, max_value=30_000).map(lambda n: "x" * n),
)
EXTRA_PARAMS = ["page", "q", "for", "compare", "a", "b", "format", "callback", "__proto__", "sort[]"]
PARTIALS = ["results", "cost-results", "pricing-tables", "capabilities-table", "picker-options", "main", "<x>"]
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def catalog():
    provider = create_provider(name="Hostile Cloud", slug="hostile-cloud")
    models = [create_model(name=name, slug=name.lower()) for name in ("Alpha", "Beta", "Gamma")]
    for model in models:
        create_offering(model=model, provider=provider)
    changeset = submitted_price_change(editor=create_editor())
    changeset_approve(changeset=changeset, user=create_reviewer())
    return {"provider": provider, "models": models, "changeset": ChangeSet.objects.get(pk=changeset.pk)}


def public_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                # The admin is staff-only; the API is fuzzed against its own schema (test_api_schema.py).
                if pattern.app_name == "admin" or pattern.namespace == "api":
                    continue
                walk(pattern.url_patterns, f"{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    return names


# Each public route: a valid path (so the parameters reach real page code) and a path with a hostile segment.
ROUTES = {
    "comparisons:home": lambda c, s: ["/", "/"],
    "comparisons:compare-index": lambda c, s: ["/compare/", "/compare/"],
    "comparisons:picker-search": lambda c, s: ["/compare/picker/", "/compare/picker/"],
    "comparisons:detail": lambda c, s: ["/compare/alpha-vs-beta/", f"/compare/{s}-vs-alpha/"],
    "comparisons:multi": lambda c, s: ["/compare/alpha-vs-beta-vs-gamma/", f"/compare/alpha-vs-beta-vs-{s}/"],
    "comparisons:model-list": lambda c, s: ["/models/", "/models/"],
    "comparisons:model-detail": lambda c, s: ["/models/alpha/", f"/models/{s}/"],
    "comparisons:model-card": lambda c, s: ["/models/alpha/card.png", f"/models/{s}/card.png"],
    "comparisons:detail-card": lambda c, s: ["/compare/alpha-vs-beta/card.png", f"/compare/{s}-vs-alpha/card.png"],
    "comparisons:multi-card": lambda c, s: [
        "/compare/alpha-vs-beta-vs-gamma/card.png",
        f"/compare/alpha-vs-beta-vs-{s}/card.png",
    ],
    "comparisons:provider-list": lambda c, s: ["/providers/", "/providers/"],
    "comparisons:provider-detail": lambda c, s: ["/providers/hostile-cloud/", f"/providers/{s}/"],
    "comparisons:changes": lambda c, s: ["/changes/", "/changes/"],
    "comparisons:change-detail": lambda c, s: [f"/changes/{c['changeset'].pk}/", f"/changes/{s}/"],
    "comparisons:changes-feed": lambda c, s: ["/changes/feed/", "/changes/feed/"],
    "comparisons:changes-feed-atom": lambda c, s: ["/changes/feed/atom/", "/changes/feed/atom/"],
    "comparisons:model-changes-feed": lambda c, s: ["/models/alpha/changes/feed/", f"/models/{s}/changes/feed/"],
    "comparisons:model-changes-feed-atom": lambda c, s: [
        "/models/alpha/changes/feed/atom/",
        f"/models/{s}/changes/feed/atom/",
    ],
    "sitemap-index": lambda c, s: ["/sitemap.xml", "/sitemap.xml"],
    "sitemap-comparisons": lambda c, s: ["/sitemap-comparisons.xml", "/sitemap-comparisons.xml"],
    "comparisons:model-export": lambda c, s: ["/models/export.json", "/models/export.json"],
    "sitemap-models": lambda c, s: ["/sitemap-models.xml", "/sitemap-models.xml"],
    "sitemap-section": lambda c, s: ["/sitemap-providers.xml", f"/sitemap-{s}.xml"],
    "robots-txt": lambda c, s: ["/robots.txt", "/robots.txt"],
    "favicon": lambda c, s: ["/favicon.ico", "/favicon.ico"],
    "healthz": lambda c, s: ["/healthz", "/healthz"],
    "readyz": lambda c, s: ["/readyz", "/readyz"],
    "csp-report": lambda c, s: ["/csp-report/", "/csp-report/"],
}


def form_field_names(client, url: str) -> list[str]:
    html = client.get(url).content.decode(errors="replace")  # the social cards are PNGs
    return sorted(set(re.findall(r'\sname="([^"]+)"', html)) - {"csrfmiddlewaretoken", "viewport", "description"})


def assert_safe(response, values: list[str]) -> None:
    assert response.status_code in EXPECTED, (response.status_code, response.request)
    location = response.get("Location", "")
    assert "<" not in location and "\n" not in location and "\r" not in location
    body = response.content.decode(errors="replace") if not response.streaming else ""
    for value in values:
        for markup in MARKUP:
            if markup in value:
                assert markup not in body, markup


def test_every_public_url_pattern_is_covered():
    assert public_route_names() == set(ROUTES)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_hostile_query_strings_never_break_a_page(client, catalog, name):
    valid, _ = ROUTES[name](catalog, "x")
    names = form_field_names(client, valid) + EXTRA_PARAMS

    @PROPERTY
    @given(
        params=st.lists(st.tuples(st.sampled_from(names), HOSTILE), max_size=6),
        marker=st.tuples(st.sampled_from(names), st.sampled_from(MARKUP)),
        repeats=st.integers(min_value=1, max_value=3),
        htmx=st.booleans(),
        target=st.sampled_from(PARTIALS),
        segment=HOSTILE,
        hostile_path=st.booleans(),
    )
    def check(params, marker, repeats, htmx, target, segment, hostile_path):
        # Every request carries at least one markup value, so a page echoing any parameter raw is caught.
        path = ROUTES[name](catalog, quote(segment, safe=""))[1] if hostile_path and segment else valid
        query = [(key, value) for key, value in [*params, marker] for _ in range(repeats)]
        data: dict[str, list[str]] = {}
        for key, value in query:
            data.setdefault(key, []).append(value)
        headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target} if htmx else {}
        response = client.get(path, data, **headers)
        assert_safe(response, [v for _, v in query] + [segment])

    check()


def test_a_huge_query_string_and_too_many_fields_are_client_errors(client, catalog):
    huge = client.get("/models/", {"q": "z" * 200_000})
    assert huge.status_code == 200
    many = client.get("/models/?" + "&".join(f"f{i}=1" for i in range(1500)))
    assert many.status_code == 400
    nul = client.get("/compare/?a=al%00pha&b=beta")
    assert nul.status_code == 400
