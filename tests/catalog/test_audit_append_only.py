"""The audit trail cannot be rewritten: the model refuses, and on PostgreSQL so does the database itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from catalog.models import AuditEvent, ChangeSetError

from .workflow_support import create_editor, submitted_price_change

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


@pytest.fixture
def event() -> AuditEvent:
    changeset = submitted_price_change(editor=create_editor())
    return changeset.events.get(action=AuditEvent.Action.SUBMITTED)


def test_the_model_refuses_to_change_or_delete_an_event(event):
    event.comment = "rewritten"
    with pytest.raises(ChangeSetError, match="append-only"):
        event.save()
    with pytest.raises(ChangeSetError, match="append-only"):
        event.delete()


@on_postgresql
class TestTrigger:
    def test_a_bulk_update_is_refused_by_the_database(self, event):
        with pytest.raises(DatabaseError, match="append-only: UPDATE refused"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(comment="rewritten")
        event.refresh_from_db()
        assert event.comment != "rewritten"

    def test_a_bulk_delete_is_refused_by_the_database(self, event):
        with pytest.raises(DatabaseError, match="append-only: DELETE refused"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk)._raw_delete(AuditEvent.objects.db)
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_raw_sql_cannot_rewrite_history(self, event):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE catalog_auditevent SET actor_id = actor_id WHERE id = %s", [event.pk])
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM catalog_auditevent")
        assert AuditEvent.objects.count() >= 1

    def test_new_events_are_still_appended(self, event):
        before = AuditEvent.objects.count()
        changeset = event.changeset
        changeset.withdraw(user=changeset.author)
        assert AuditEvent.objects.count() == before + 1
