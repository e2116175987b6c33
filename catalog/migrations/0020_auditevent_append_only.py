"""The audit trail is append-only in the database too: on PostgreSQL a trigger refuses UPDATE and DELETE.

Written against the table name only (catalog_auditevent), wherever the model lives. SQLite relies on the
model's save()/delete() refusal. TRUNCATE (the test runner's flush) is not a row operation and still works.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION catalog_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS catalog_auditevent_append_only ON catalog_auditevent;
CREATE TRIGGER catalog_auditevent_append_only
    BEFORE UPDATE OR DELETE ON catalog_auditevent
    FOR EACH ROW EXECUTE FUNCTION catalog_auditevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS catalog_auditevent_append_only ON catalog_auditevent;
DROP FUNCTION IF EXISTS catalog_auditevent_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_price_permissions")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
