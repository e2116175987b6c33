"""The database drops in the middle of applying a change set: nothing is half-written, and it applies again later."""

from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from catalog.models import AuditEvent, CatalogRevision, ChangeSet, Offering, Review
from catalog.review import services
from catalog.review.services import changeset_approve
from tests.auth_support import sign_in
from tests.factories import create_offering

from .workflow_support import create_editor, create_reviewer, propose_price


def two_price_changeset() -> tuple[ChangeSet, list[Offering]]:
    editor = create_editor()
    offerings = [create_offering(input_price=Decimal("1.00")), create_offering(input_price=Decimal("3.00"))]
    item = propose_price(user=editor, offering=offerings[0], price="0.50")
    propose_price(user=editor, offering=offerings[1], price="1.50", changeset=item.changeset)
    changeset = item.changeset
    changeset.submit(user=editor, summary="Two price cuts")
    return changeset, offerings


def fail_after_first_write(monkeypatch, fault) -> list[int]:
    """Run `fault` once, right after the first item's row was written and before its provenance is."""
    real = services._apply_provenance
    calls: list[int] = []

    def apply_provenance(items, *args, **kwargs):
        calls.append(len(items))
        if len(calls) == 1:
            fault()
        return real(items, *args, **kwargs)

    monkeypatch.setattr(services, "_apply_provenance", apply_provenance)
    return calls


def assert_nothing_applied(changeset: ChangeSet, offerings: list[Offering]) -> None:
    changeset.refresh_from_db()
    assert changeset.state == ChangeSet.State.SUBMITTED
    for offering, price in zip(offerings, ["1.00", "3.00"], strict=True):
        offering.refresh_from_db()
        assert (offering.input_price, offering.version) == (Decimal(price), 1)
    assert not Review.objects.filter(changeset=changeset).exists()
    assert not changeset.events.filter(action__in=[AuditEvent.Action.APPROVED, AuditEvent.Action.APPLIED]).exists()
    assert CatalogRevision.current() == 0


def assert_applied(changeset: ChangeSet, offerings: list[Offering]) -> None:
    changeset.refresh_from_db()
    assert changeset.state == ChangeSet.State.APPLIED
    assert [Offering.objects.get(pk=o.pk).input_price for o in offerings] == [Decimal("0.50"), Decimal("1.50")]
    assert CatalogRevision.current() == 1


@pytest.mark.django_db
def test_an_outage_mid_apply_rolls_everything_back_and_the_admin_answers_503(monkeypatch):
    changeset, offerings = two_price_changeset()
    reviewer = create_reviewer()

    def drop():
        raise OperationalError("server closed the connection unexpectedly")

    calls = fail_after_first_write(monkeypatch, drop)
    client = sign_in(Client(raise_request_exception=False), reviewer)
    url = reverse("admin:catalog_changeset_transition", args=[changeset.pk, "approve"])
    response = client.post(url, {"comment": "ok"})
    assert calls, "the fault must fire inside the apply"
    assert response.status_code == 503
    assert "No change was saved by this request" in response.content.decode()
    assert_nothing_applied(changeset, offerings)

    monkeypatch.undo()
    assert changeset_approve(changeset=ChangeSet.objects.get(pk=changeset.pk), user=reviewer) is True
    assert_applied(changeset, offerings)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a real PostgreSQL backend")
def test_connection_terminated_mid_apply_leaves_nothing_half_written_and_applies_again(monkeypatch):
    changeset, offerings = two_price_changeset()
    reviewer = create_reviewer()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()

    def terminate():
        # A second session kills ours, as a failover or an administrator would.
        other = connection.copy()
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                assert cursor.fetchone() == (True,)
        finally:
            other.close()

    fail_after_first_write(monkeypatch, terminate)
    with pytest.raises(OperationalError):
        changeset_approve(changeset=ChangeSet.objects.get(pk=changeset.pk), user=reviewer)
    connection.close()

    assert_nothing_applied(changeset, offerings)
    monkeypatch.undo()
    assert changeset_approve(changeset=ChangeSet.objects.get(pk=changeset.pk), user=reviewer) is True
    assert_applied(changeset, offerings)
