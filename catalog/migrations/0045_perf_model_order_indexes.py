"""Indexes for the orders public pages list models in: newest first (home, related comparisons) and by name
(the explorer's default), so a page's first rows come from an index scan instead of a sort of every model.

SQLite has no NULLS LAST in CREATE INDEX; its NULLs sort first ascending, so plain DESC already puts them
last there. The model state carries the PostgreSQL form.
"""

from django.db import migrations, models

NEWEST = {
    "postgresql": 'CREATE INDEX "model_newest_idx" ON "catalog_languagemodel" '
    '("release_date" DESC NULLS LAST, "name", "slug")',
    "sqlite": 'CREATE INDEX "model_newest_idx" ON "catalog_languagemodel" ("release_date" DESC, "name", "slug")',
}


def create_newest_index(apps, schema_editor):
    schema_editor.execute(NEWEST[schema_editor.connection.vendor])


def drop_newest_index(apps, schema_editor):
    schema_editor.execute('DROP INDEX "model_newest_idx"')


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0041_external_id_permissions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="languagemodel",
                    index=models.Index(
                        models.OrderBy(models.F("release_date"), descending=True, nulls_last=True),
                        models.F("name"),
                        models.F("slug"),
                        name="model_newest_idx",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create_newest_index, drop_newest_index)],
        ),
        migrations.AddIndex(
            model_name="languagemodel",
            index=models.Index(fields=["name", "slug"], name="model_name_idx"),
        ),
    ]
