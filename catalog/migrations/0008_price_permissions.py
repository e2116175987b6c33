"""Editors propose price rows like any catalog row; reviewers see them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = ["add_price", "change_price", "delete_price", "view_price"]
REVIEWERS = ["view_price"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); this migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Editors", EDITORS), ("Reviewers", REVIEWERS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="catalog", codename__endswith="_price")
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_remove_offering_price_columns")]

    operations = [migrations.RunPython(grant, revoke)]
