"""Two reviewers approving the same change set at the same moment, on two real PostgreSQL connections."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from catalog.models import AuditEvent, CatalogRevision, ChangeSet, ChangeSetError, Review
from catalog.review import services
from tests.factories import create_offering

from .workflow_support import create_editor, create_reviewer, submitted_price_change

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_reviewers_approving_at_once_apply_the_changeset_once(monkeypatch):
    offering = create_offering(input_price=Decimal("1.00"))
    changeset = submitted_price_change(editor=create_editor(), offering=offering, price="0.50")
    reviewers = [create_reviewer("first"), create_reviewer("second")]
    first_is_applying = threading.Event()
    real_apply = services.changeset_apply

    def slow_apply(*, changeset, user, approval=None):
        # Hold the first approval open inside its transaction so the second one really overlaps it.
        first_is_applying.set()
        threading.Event().wait(0.5)
        real_apply(changeset=changeset, user=user, approval=approval)

    monkeypatch.setattr(services, "changeset_apply", slow_apply)
    outcomes: dict[str, object] = {}

    def approve(reviewer, wait_for_first: bool) -> None:
        try:
            if wait_for_first:
                assert first_is_applying.wait(5)
            outcomes[reviewer.username] = services.changeset_approve(
                changeset=ChangeSet.objects.get(pk=changeset.pk), user=reviewer
            )
        except Exception as error:  # recorded, so a wrong kind of failure shows in the assertion
            outcomes[reviewer.username] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(reviewers[0], False)),
        threading.Thread(target=approve, args=(reviewers[1], True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert outcomes["first"] is True
    assert isinstance(outcomes["second"], ChangeSetError), outcomes["second"]
    assert "applied" in str(outcomes["second"])
    offering.refresh_from_db()
    row = offering.prices.get(dimension="input")
    assert (row.usd_per_million, row.version) == (Decimal("0.50"), 2)
    assert Review.objects.filter(changeset=changeset).count() == 1
    assert AuditEvent.objects.filter(changeset=changeset, action="applied").count() == 1
    assert CatalogRevision.current() == 1
