"""Stored text is data: it renders as text everywhere, JSON-LD and SVG included."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from catalog.models import License
from tests.comparisons.builders import cite
from tests.factories import (
    create_benchmark,
    create_benchmark_result,
    create_license,
    create_model,
    create_offering,
    create_organization,
    create_provider,
    create_source,
)

pytestmark = pytest.mark.django_db

EVIL = "<script>alert(1)</script>"
QUOTE = '"><img src=x onerror=alert(2)>'


@pytest.fixture
def evil_pair():
    org = create_organization(name=EVIL, display_name=EVIL + QUOTE, slug="evil-org")
    lic = create_license(name=EVIL + " License", kind=License.Kind.OPEN_WEIGHTS, url="javascript:alert(3)")
    source = create_source(url="javascript:alert(4)", title=EVIL + QUOTE, publisher=EVIL)
    evil = create_model(
        name=EVIL,
        slug="evil",
        organization=org,
        family=EVIL,
        description=EVIL,
        architecture=QUOTE,
        license=lic,
        context_window=8192,
        reasoning=True,
        vision=False,
    )
    plain = create_model(name="Plain " + QUOTE, slug="plain", context_window=4096, reasoning=False, vision=True)
    cite(evil, ["context_window", "reasoning", "description"], source)
    provider = create_provider(name=EVIL + " Cloud", slug="evil-cloud", website="javascript:alert(5)")
    for model in (evil, plain):
        offering = create_offering(
            model=model, provider=provider, provider_model_id=EVIL, input_price=Decimal("1"), output_price=Decimal("2")
        )
        cite(offering, ["input_price"], source)
    bench = create_benchmark(name=EVIL, url="javascript:alert(6)")
    for model in (evil, plain):
        create_benchmark_result(model=model, benchmark=bench, variant=QUOTE, source=source)
    return evil, plain


PAGES = [
    "/compare/evil-vs-plain/",
    "/compare/",
    "/",
    "/models/evil/",
    "/models/plain/",
    "/providers/",
    "/providers/evil-cloud/",
]


@pytest.mark.parametrize("url", PAGES)
def test_stored_markup_renders_as_text(client, evil_pair, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert EVIL not in body
    assert "<img src=x" not in body
    assert "javascript:" not in body
    if "evil" in url or url == "/":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_jsonld_holds_the_name_but_cannot_end_its_script_block(client, evil_pair):
    body = client.get("/compare/evil-vs-plain/").content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, flags=re.S)
    assert len(blocks) == 1
    assert "</" not in blocks[0] and "<" not in blocks[0]
    data = json.loads(blocks[0])
    questions = " ".join(q["name"] for q in data["mainEntity"])
    assert EVIL in questions  # the JSON value is exact; only its serialisation is escaped


def test_svg_text_is_escaped(client, evil_pair):
    body = client.get("/compare/evil-vs-plain/").content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert "&lt;script&gt;" in svg
    assert "<script" not in svg


def test_head_tags_are_escaped(client, evil_pair):
    body = client.get("/compare/evil-vs-plain/").content.decode()
    head = body.split("</head>")[0]
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; vs Plain &quot;&gt;&lt;img" in head
    assert 'content="&lt;script&gt;' in head
