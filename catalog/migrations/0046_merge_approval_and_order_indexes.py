"""Joins the trust labels (0042, Provenance.approval) and the model-order indexes (0045): independent changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0042_provenance_approval"),
        ("catalog", "0045_perf_model_order_indexes"),
    ]

    operations = []
