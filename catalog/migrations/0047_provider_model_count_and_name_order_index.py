"""Stored, derived values the public pages read instead of scanning the catalog, and an index:

- `Provider.model_count`: the provider's offerings not retired (kept by `refresh_provider_counts` when a
  change set applies), for the providers directory;
- `LanguageModel.facts_changed_at`: when an applied change set last wrote a fact of the model, its
  offerings, their prices or its benchmark results (kept by `changeset_apply`), the sitemaps' lastmod;
- an index in the explorer's default order (NAME_ORDER: lower-case name, name, slug); the index on
  provenance's review time goes, its one reader (the sitemap index's lastmod) now reads `facts_changed_at`.

Neither value is a fact: this migration computes both from the offerings and provenance there are, and
changes no fact or provenance row.
"""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models.functions import Coalesce


def count_offerings(apps, schema_editor):
    Provider = apps.get_model("catalog", "Provider")
    Offering = apps.get_model("catalog", "Offering")
    served = Coalesce(
        models.Subquery(
            Offering.objects.exclude(status="retired")
            .filter(provider=models.OuterRef("pk"))
            .order_by()
            .values("provider")
            .annotate(n=models.Count("pk"))
            .values("n")
        ),
        0,
    )
    Provider.objects.update(model_count=served)


def date_model_facts(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Provenance = apps.get_model("catalog", "Provenance")
    LanguageModel = apps.get_model("catalog", "LanguageModel")
    owners = {
        "languagemodel": None,
        "offering": dict(apps.get_model("catalog", "Offering").objects.values_list("pk", "model_id")),
        "price": dict(apps.get_model("catalog", "Price").objects.values_list("pk", "offering__model_id")),
        "benchmarkresult": dict(apps.get_model("catalog", "BenchmarkResult").objects.values_list("pk", "model_id")),
    }
    newest = {}
    for name, model_of in owners.items():
        content_type = ContentType.objects.filter(app_label="catalog", model=name).first()
        if content_type is None:
            continue
        rows = (
            Provenance.objects.filter(content_type=content_type)
            .values("object_id")
            .annotate(last=models.Max("reviewed_at"))
            .values_list("object_id", "last")
        )
        for object_id, last in rows:
            model_id = object_id if model_of is None else model_of.get(object_id)
            if model_id is not None and (model_id not in newest or newest[model_id] < last):
                newest[model_id] = last
    changed = [LanguageModel(pk=pk, facts_changed_at=when) for pk, when in newest.items()]
    LanguageModel.objects.bulk_update(changed, ["facts_changed_at"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0046_merge_approval_and_order_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="provider",
            name="model_count",
            field=models.PositiveIntegerField(default=0, editable=False, help_text="Offerings not retired."),
        ),
        migrations.RunPython(count_offerings, migrations.RunPython.noop),
        migrations.AddField(
            model_name="languagemodel",
            name="facts_changed_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(date_model_facts, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="provenance", name="provenance_reviewed_at_idx"),
        migrations.AddIndex(
            model_name="languagemodel",
            index=models.Index(
                django.db.models.functions.text.Lower("name"),
                models.F("name"),
                models.F("slug"),
                name="model_lower_name_idx",
            ),
        ),
    ]
