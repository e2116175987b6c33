from django.db import migrations


class Migration(migrations.Migration):
    """Drop the old price columns once 0006 has copied them into price rows."""

    dependencies = [
        ("catalog", "0006_price_rows_data"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="offering",
            name="batch_input_price",
        ),
        migrations.RemoveField(
            model_name="offering",
            name="batch_output_price",
        ),
        migrations.RemoveField(
            model_name="offering",
            name="cached_input_price",
        ),
        migrations.RemoveField(
            model_name="offering",
            name="input_price",
        ),
        migrations.RemoveField(
            model_name="offering",
            name="long_context_input_price",
        ),
        migrations.RemoveField(
            model_name="offering",
            name="long_context_output_price",
        ),
        migrations.RemoveField(
            model_name="offering",
            name="long_context_threshold",
        ),
        migrations.RemoveField(
            model_name="offering",
            name="output_price",
        ),
    ]
