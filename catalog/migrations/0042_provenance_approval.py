"""How each fact was approved, stored on its provenance row: by a person or applied from an import.

Existing rows are derived from the review history, as the API's evidence worked it out until now: the applied
change set that last set the field was approved by a system account (not staff: an importer, the demo loader)
-> "import"; by a staff reviewer -> "person". A row no applied change set accounts for (written before the
workflow) stays blank: nothing says who approved it. Every provenance row is kept.
"""

from django.db import migrations, models

CHUNK = 5000


def derive_approval(apps, schema_editor):
    ChangeItem = apps.get_model("catalog", "ChangeItem")
    Provenance = apps.get_model("catalog", "Provenance")
    Review = apps.get_model("catalog", "Review")
    by_person: set[int] = set()
    by_system: set[int] = set()
    approvals = Review.objects.filter(decision="approve", changeset__state="applied").values_list(
        "changeset_id", "reviewer__is_staff"
    )
    for changeset_id, is_staff in approvals:
        (by_person if is_staff else by_system).add(changeset_id)
    last_set_by: dict[tuple[int, int, str], int] = {}
    items = (
        ChangeItem.objects.filter(changeset__state="applied", object_id__isnull=False)
        .order_by("changeset__applied_at", "id")
        .values_list("content_type_id", "object_id", "changes", "changeset_id")
    )
    for content_type_id, object_id, changes, changeset_id in items.iterator(chunk_size=2000):
        for name in changes:
            last_set_by[(content_type_id, object_id, name)] = changeset_id
    rows: dict[str, list[int]] = {"person": [], "import": []}
    facts = Provenance.objects.values_list("pk", "content_type_id", "object_id", "field")
    for pk, content_type_id, object_id, name in facts.iterator(chunk_size=CHUNK):
        changeset_id = last_set_by.get((content_type_id, object_id, name))
        if changeset_id in by_system:  # a system account's approval: imported, whoever else also approved
            rows["import"].append(pk)
        elif changeset_id in by_person:
            rows["person"].append(pk)
    for approval, pks in rows.items():
        for start in range(0, len(pks), CHUNK):
            Provenance.objects.filter(pk__in=pks[start : start + CHUNK]).update(approval=approval)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0041_external_id_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="provenance",
            name="approval",
            field=models.CharField(
                blank=True,
                choices=[("person", "Reviewed by a person"), ("import", "Imported without a person's review")],
                default="",
                help_text=(
                    "Who approved the value: a staff reviewer (a person) or a system account (an import, the demo "
                    "loader); blank when no record says. Only a person's approval counts as reviewed on the public "
                    "pages."
                ),
                max_length=6,
            ),
        ),
        migrations.AlterField(
            model_name="provenance",
            name="reviewed_at",
            field=models.DateTimeField(help_text="When the change set that set the value was approved and applied."),
        ),
        migrations.RunPython(derive_approval, migrations.RunPython.noop),
    ]
