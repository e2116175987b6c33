"""Editors map unmatched listings by proposing crosswalk rows; reviewers see them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = ["add_externalid", "change_externalid", "delete_externalid", "view_externalid"]
REVIEWERS = ["view_externalid"]


def grant(apps, schema_editor):
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
            *Permission.objects.filter(content_type__app_label="catalog", codename__endswith="_externalid")
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0040_import_crosswalk")]

    operations = [migrations.RunPython(grant, revoke)]
