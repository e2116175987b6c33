"""Groups `Editors` (propose changes) and `Reviewers` (approve, reject, revert) with exactly the permissions they need."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CATALOG_MODELS = ["organization", "license", "languagemodel", "provider", "offering", "benchmark", "benchmarkresult"]
WORKFLOW_READ = ["changeset", "changeitem", "auditevent", "review", "provenance"]

EDITORS = [
    # Catalog forms: a save or delete becomes a proposal in the editor's draft change set, never a live write.
    *[f"{action}_{model}" for model in CATALOG_MODELS for action in ("add", "change", "delete", "view")],
    # Sources are citations, not published facts: editors add them to back their proposals.
    "add_source",
    "change_source",
    "view_source",
    *[f"view_{model}" for model in WORKFLOW_READ],
    "change_changeset",  # submit / withdraw / rebase / cite sources on their own drafts
]
REVIEWERS = [
    *[f"view_{model}" for model in [*CATALOG_MODELS, "source"]],
    *[f"view_{model}" for model in WORKFLOW_READ],
    "view_awaitingreview",
    "change_changeset",
    "review_changeset",
]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); this migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Editors", EDITORS), ("Reviewers", REVIEWERS)):
        group, _ = Group.objects.get_or_create(name=name)
        permissions = list(Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames))
        missing = set(codenames) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"Permissions missing for group {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0002_review_workflow"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
