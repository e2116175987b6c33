"""Markup stored through the workflow stays inert (changelog, feeds, admin diff); CSRF holds for htmx posts."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import ChangeSet, LanguageModel
from catalog.review.services import ProposedChange, changeset_approve, changeset_propose
from tests.auth_support import sign_in
from tests.catalog.workflow_support import create_editor, create_reviewer, propose_price
from tests.factories import create_model, create_offering, create_organization, create_provider, create_source

pytestmark = pytest.mark.django_db

EVIL = "<script>alert('x')</script>"
ATTR = '"><img src=x onerror=alert(1)>'


@pytest.fixture
def evil_changeset() -> ChangeSet:
    editor = create_editor()
    model = create_model(name="Evil " + EVIL, slug="evil-model")
    provider = create_provider(name="Provider " + ATTR, slug="evil-provider")
    offering = create_offering(model=model, provider=provider, input_price=Decimal("1.00"))
    source = create_source(title="Source " + EVIL, url="https://example.com/" + ATTR)
    item = propose_price(user=editor, offering=offering, price="0.50", source=source)
    create = ProposedChange(
        "create",
        LanguageModel,
        values={"name": "New " + ATTR, "slug": "new-evil", "organization": create_organization(), "family": EVIL},
        source=source,
    )
    changeset_propose(user=editor, change=create, changeset=item.changeset)
    changeset = item.changeset
    changeset.submit(user=editor, summary="Summary " + EVIL)
    return changeset


def assert_inert(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html


def test_the_admin_diff_shows_stored_markup_as_text(evil_changeset):
    client = sign_in(Client(), create_reviewer())
    html = client.get(evil_changeset.get_admin_url()).content.decode()
    assert_inert(html)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_the_changelog_pages_show_stored_markup_as_text(client, evil_changeset):
    assert changeset_approve(changeset=evil_changeset, user=create_reviewer()) is True
    for url in ["/changes/", f"/changes/{evil_changeset.pk}/", "/", "/models/evil-model/", "/models/new-evil/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())


@pytest.mark.parametrize("url", ["/changes/feed/", "/changes/feed/atom/"])
def test_feed_entries_carry_markup_as_escaped_text_even_after_xml_decoding(client, evil_changeset, url):
    assert changeset_approve(changeset=evil_changeset, user=create_reviewer()) is True
    root = ET.fromstring(client.get(url).content)
    texts = [element.text or "" for element in root.iter()]
    # A feed reader decodes the XML, then renders descriptions as HTML: they must still be escaped there.
    described = " ".join(t for t in texts if "New" in t or "Evil" in t)
    assert "Evil" in described
    assert "<script>alert" not in " ".join(t for t in texts if "<p>" in t or "<li>" in t)
    assert "&lt;script&gt;" in described or "&lt;img" in described


class TestCsrf:
    def test_an_htmx_post_to_the_admin_without_a_token_is_refused(self, evil_changeset):
        client = sign_in(Client(enforce_csrf_checks=True), create_reviewer())
        url = reverse("admin:catalog_changeset_transition", args=[evil_changeset.pk, "approve"])
        response = client.post(url, {"comment": "ok"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 403
        evil_changeset.refresh_from_db()
        assert evil_changeset.state == ChangeSet.State.SUBMITTED

    def test_an_htmx_post_with_the_header_token_site_js_sends_is_accepted(self, evil_changeset):
        client = sign_in(Client(enforce_csrf_checks=True), create_reviewer())
        page = client.get(evil_changeset.get_admin_url())
        token = page.context["csrf_token"]
        url = reverse("admin:catalog_changeset_transition", args=[evil_changeset.pk, "approve"])
        response = client.post(url, {"comment": "ok"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=str(token))
        assert response.status_code == 302
        evil_changeset.refresh_from_db()
        assert evil_changeset.state == ChangeSet.State.APPLIED

    @pytest.mark.parametrize("url", ["/", "/models/", "/compare/picker/", "/changes/"])
    def test_public_endpoints_refuse_an_htmx_post_without_a_token(self, url):
        response = Client(enforce_csrf_checks=True).post(url, {"q": "x"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 403
