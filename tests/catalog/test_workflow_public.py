"""What the public sees across the workflow: nothing before approval, the new fact with its source after, and the
old one again after a revert."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import ChangeSet, Offering
from catalog.review.services import changeset_approve, changeset_revert
from tests.auth_support import sign_in
from tests.factories import create_model, create_offering, create_provider, create_source

from .test_admin_workflow import admin_url, form_data, transition_url
from .workflow_support import create_editor, create_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    old_source = create_source(title="Old pricing page", retrieved_on=datetime.date(2026, 1, 5))
    llama = create_model(name="Llama 3.2 1B", slug="llama-3-2-1b")
    mini = create_model(name="o4-mini", slug="o4-mini")
    offering = create_offering(
        model=llama,
        provider=create_provider(name="Fireworks AI", slug="fireworks-ai"),
        input_price=Decimal("0.10"),
        output_price=Decimal("0.10"),
    )
    create_offering(model=mini, input_price=Decimal("1.10"), output_price=Decimal("4.40"))
    return llama, offering, old_source


def input_price_cells(body: str) -> list[str]:
    """The input-price cells of the offerings tables (the page may also show price history)."""
    return [cell.split("<", 1)[0].strip() for cell in body.split('<td data-label="Input">')[1:]]


def pages(llama) -> list[str]:
    return [llama.get_absolute_url(), "/compare/llama-3-2-1b-vs-o4-mini/"]


def test_a_proposed_price_is_public_only_after_approval_with_its_source_and_review_date(client, pair):
    llama, offering, _ = pair
    editor, reviewer = create_editor(), create_reviewer()
    new_source = create_source(title="Fireworks pricing, November", url="https://fireworks.example/pricing")

    sign_in(client, editor)
    url = admin_url(Offering, "change", offering.pk)
    data = form_data(client.get(url))
    data.update({"prices-0-usd_per_million": "0.07", "proposal_source": str(new_source.pk)})
    assert client.post(url, data).status_code == 302
    changeset = ChangeSet.objects.get()
    client.post(transition_url(changeset, "submit"), {"summary": "Fireworks cut its price"})

    client.logout()
    for page in pages(llama):
        body = client.get(page).content.decode()
        assert "$0.10 / 1M" in input_price_cells(body)
        assert "$0.07" not in body
        assert "Fireworks pricing, November" not in body

    sign_in(client, reviewer)
    client.post(transition_url(changeset, "approve"), {"comment": "matches the pricing page"})
    changeset.refresh_from_db()
    assert changeset.state == ChangeSet.State.APPLIED

    client.logout()
    today = timezone.now().date().isoformat()
    for page in pages(llama):
        body = client.get(page).content.decode()
        assert "$0.07 / 1M" in input_price_cells(body)
        assert "$0.10 / 1M" not in input_price_cells(body)
        assert "Fireworks pricing, November" in body
        assert "https://fireworks.example/pricing" in body
        assert f'Last reviewed: <time datetime="{today}">' in body

    revert = changeset_revert(changeset=changeset, user=reviewer)
    changeset_approve(changeset=revert, user=create_reviewer("reviewer2"), comment="back to the old price")
    cells = input_price_cells(client.get(llama.get_absolute_url()).content.decode())
    assert cells == ["$0.10 / 1M"]


def test_a_rejected_proposal_never_reaches_the_public_page(client, pair):
    llama, offering, _ = pair
    editor, reviewer = create_editor(), create_reviewer()
    sign_in(client, editor)
    url = admin_url(Offering, "change", offering.pk)
    data = form_data(client.get(url))
    data.update({"prices-1-usd_per_million": "9.99", "proposal_source": str(create_source().pk)})
    client.post(url, data)
    changeset = ChangeSet.objects.get()
    client.post(transition_url(changeset, "submit"), {"summary": "typo"})
    sign_in(client, reviewer)
    client.post(transition_url(changeset, "reject"), {"comment": "not on the pricing page"})

    client.logout()
    body = client.get(llama.get_absolute_url()).content.decode()
    assert "$9.99" not in body
    offering.refresh_from_db()
    assert offering.output_price == Decimal("0.10")
