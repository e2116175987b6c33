"""The review workflow in a real browser, as two people would use it: an editor proposes a price (a row of the
offering page's price inline) with its source and submits; a reviewer sees the diff on the desk and approves;
the public page shows the price; a reviewer generates the revert and a second reviewer approves it, and the old
price is back."""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from catalog.management.commands.enrol_demo_otp import current_code
from catalog.models import ChangeSet, Offering
from catalog.review.services import EDITORS_GROUP, REVIEWERS_GROUP
from tests.catalog.workflow_support import recreate_groups
from tests.factories import create_model, create_offering, create_provider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def person(username: str, group: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if group == REVIEWERS_GROUP:  # reviewers sign in with a second factor
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


@pytest.fixture
def people() -> None:
    # The groups come from data migrations; the flush after an earlier transactional test removed them.
    recreate_groups()
    person("edna", EDITORS_GROUP)
    person("rita", REVIEWERS_GROUP)
    person("ray", REVIEWERS_GROUP)


@pytest.fixture
def offering() -> Offering:
    model = create_model(name="Alpha One", slug="alpha-one")
    provider = create_provider(name="Acme API", slug="acme-api")
    return create_offering(model=model, provider=provider, input_price=Decimal("1.00"), output_price=Decimal("2.00"))


@pytest.fixture
def session(browser, live_server) -> Iterator:
    """Open a logged-in page per person (each its own cookies); fail on any browser console error."""
    contexts, errors = [], []

    def open_as(username: str):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda m: (
                errors.append(f"{m.text} {m.location.get('url')}")
                if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
                else None
            ),
        )
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto("/admin/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        device = TOTPDevice.objects.filter(user__username=username).first()
        if device is not None:
            page.get_by_label("Authentication code").fill(current_code(device))
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#review-desk")).to_be_visible()
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert errors == [], f"browser console errors: {errors}"


def test_edit_submit_approve_publish_and_revert(session, people, offering, page):
    # The editor changes the input price, citing a new source, and submits the draft.
    edna = session("edna")
    edna.goto(f"/admin/catalog/offering/{offering.pk}/change/")
    # The price inline lists the rows in display order: the standard input price first.
    expect(edna.locator("select[name='prices-0-dimension']")).to_have_value("input")
    edna.locator("input[name='prices-0-usd_per_million']").fill("0.80")
    edna.get_by_label("…or a new source URL").fill("https://acme.example/pricing")
    edna.get_by_label("New source title").fill("Acme pricing page")
    edna.get_by_role("button", name="Save", exact=True).click()
    expect(edna.locator(".messagelist")).to_contain_text("Proposed in change set")
    edna.locator(".messagelist a").click()
    edna.get_by_label("Summary (required)").fill("Acme cut the Alpha One input price")
    edna.get_by_role("button", name="Submit for review").click()
    expect(edna.locator("#changeset-state")).to_have_text("Submitted by edna")

    # A reviewer finds it on the desk, reads the diff and approves.
    rita = session("rita")
    expect(rita.locator("#desk-queue")).to_contain_text("1 change set")
    rita.locator("#desk-queue a").click()
    rita.get_by_role("link", name="Acme cut the Alpha One input price").click()
    diff = rita.locator("#diff")
    expect(diff).to_contain_text("Alpha One on Acme API")
    row = diff.locator("tbody", has_text="Alpha One on Acme API: Input").locator("tr", has_text="USD per 1M")
    expect(row.locator("td.proposed")).to_have_text("0.8")
    expect(row.locator("td.source")).to_have_text("Acme pricing page")
    # Before approving, the public page as it would read (nothing is saved).
    review_url = rita.url
    rita.locator("#previews a", has_text="Alpha One").click()
    expect(rita.locator("#preview-banner")).to_be_visible()
    expect(rita.get_by_role("table", name="Alpha One prices by provider")).to_contain_text("$0.80")
    rita.goto(review_url)
    rita.get_by_role("button", name="Approve and apply", exact=True).click()
    expect(rita.locator("#changeset-state")).to_have_text("Applied by rita")

    # The public page shows the new price, backed by its source (the preview left nothing behind before).
    page.goto("/models/alpha-one/")
    offerings = page.get_by_role("table", name="Alpha One prices by provider")
    expect(offerings.locator("tr", has_text="Acme API")).to_contain_text("$0.80")
    expect(page.locator("a[href='https://acme.example/pricing']").first).to_be_attached()

    # The reviewer generates the revert; the second reviewer approves it; the old price is back.
    applied = ChangeSet.objects.get(state=ChangeSet.State.APPLIED)
    rita.goto(applied.get_admin_url())
    rita.get_by_label("Why (optional)").fill("Promotion ended")
    rita.get_by_role("button", name="Generate revert").click()
    expect(rita.locator("#changeset-state")).to_have_text("Submitted by rita")
    revert_url = rita.url

    ray = session("ray")
    ray.goto(revert_url)
    reverted = ray.locator("#diff tbody", has_text="Alpha One on Acme API: Input").locator("tr", has_text="USD per 1M")
    expect(reverted.locator("td.proposed")).to_have_text("1")
    ray.get_by_role("button", name="Approve and apply", exact=True).click()
    expect(ray.locator("#changeset-state")).to_have_text("Applied by ray")

    page.goto("/models/alpha-one/")
    prices = page.get_by_role("table", name="Alpha One prices by provider")
    expect(prices.locator("tr", has_text="Acme API")).to_contain_text("$1.00")
    assert Offering.objects.get(pk=offering.pk).input_price == Decimal("1.00")
