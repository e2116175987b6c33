"""Copy every offering price column into price rows, with its provenance and its review history.

- Each non-NULL column becomes one `Price` row (input/output/cached input, batch input/output, and the
  long-context input/output prices at the offering's threshold); the column's provenance moves to the row.
- Change items keep the history: an offering item's price fields become price items in the same change set
  (creates, updates and deletes of rows), so price history, the changelog and reverts read them as rows.
- A provider of kind "batch" (a batch API listed as a provider) is folded into the first-party provider it
  belongs to ("OpenAI Batch API" -> "OpenAI API"): its prices become batch-tier rows of that provider's
  offering of the same model when that offering has none yet (otherwise they duplicate it and are dropped),
  and the batch provider goes away once it serves nothing.
- The stored headline prices of every model are computed.
"""

from decimal import Decimal

from django.db import migrations

PRICE_KEYS = ("offering", "dimension", "tier", "context_threshold", "usd_per_million")
COLUMNS = {
    "input_price": ("input", "standard", False),
    "output_price": ("output", "standard", False),
    "cached_input_price": ("cache_read", "standard", False),
    "batch_input_price": ("input", "batch", False),
    "batch_output_price": ("output", "batch", False),
    "long_context_input_price": ("input", "standard", True),
    "long_context_output_price": ("output", "standard", True),
}
LABELS = {"input": "Input", "output": "Output", "cache_read": "Cached input (cache read)"}


def _text(value):
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text == "-0" else text


def _label(dimension, tier, threshold):
    label = LABELS[dimension]
    if tier != "standard":
        label += f" ({tier})"
    if threshold:
        label += f" above {threshold:,} prompt tokens"
    return label


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Offering = apps.get_model("catalog", "Offering")
    Price = apps.get_model("catalog", "Price")
    Provider = apps.get_model("catalog", "Provider")
    Provenance = apps.get_model("catalog", "Provenance")
    ChangeItem = apps.get_model("catalog", "ChangeItem")
    LanguageModel = apps.get_model("catalog", "LanguageModel")
    offering_ct, _ = ContentType.objects.get_or_create(app_label="catalog", model="offering")
    price_ct, _ = ContentType.objects.get_or_create(app_label="catalog", model="price")
    provider_ct, _ = ContentType.objects.get_or_create(app_label="catalog", model="provider")

    batch_offerings = set(Offering.objects.filter(provider__kind="batch").values_list("pk", flat=True))
    thresholds = dict(Offering.objects.values_list("pk", "long_context_threshold"))
    price_ids = {}

    # 1. Columns -> rows, provenance with them.
    for offering in Offering.objects.all():
        provenance = {p.field: p for p in Provenance.objects.filter(content_type=offering_ct, object_id=offering.pk)}
        for column, (dimension, tier, long_context) in COLUMNS.items():
            value = getattr(offering, column)
            threshold = offering.long_context_threshold if long_context else 0
            if value is None or (long_context and not threshold):
                continue
            price = Price.objects.create(
                offering=offering, dimension=dimension, tier=tier, context_threshold=threshold, usd_per_million=value
            )
            price_ids[(offering.pk, dimension, tier, threshold)] = price.pk
            backing = provenance.get(column)
            if backing is not None:
                Provenance.objects.bulk_create(
                    Provenance(
                        content_type=price_ct,
                        object_id=price.pk,
                        field=name,
                        source_id=backing.source_id,
                        reviewed_at=backing.reviewed_at,
                    )
                    for name in PRICE_KEYS
                )
        Provenance.objects.filter(
            content_type=offering_ct, object_id=offering.pk, field__in=[*COLUMNS, "long_context_threshold"]
        ).delete()

    # 2. Offering items' price fields -> price items in the same change set.
    for item in ChangeItem.objects.filter(content_type=offering_ct).order_by("pk"):
        fields = [name for name in COLUMNS if name in item.changes]
        if not fields and "long_context_threshold" not in item.changes:
            continue
        threshold_pair = item.changes.get("long_context_threshold")
        threshold = None
        if threshold_pair is not None:
            threshold = threshold_pair[1] if threshold_pair[1] is not None else threshold_pair[0]
        if threshold is None and item.object_id:
            threshold = thresholds.get(item.object_id)
        if item.object_id not in batch_offerings:
            for name in fields:
                _price_item(ChangeItem, item, name, threshold, price_ct, price_ids)
        for name in [*fields, "long_context_threshold"]:
            item.changes.pop(name, None)
            item.field_sources.pop(name, None)
            item.previous_provenance.pop(name, None)
        if item.action == "update" and not item.changes:
            item.delete()
        else:
            item.save(update_fields=["changes", "field_sources", "previous_provenance"])

    # 3. Batch APIs listed as providers become the batch tier of their first-party offering.
    for provider in Provider.objects.filter(kind="batch"):
        home = Provider.objects.filter(name=provider.name.replace(" Batch", "", 1)).exclude(pk=provider.pk).first()
        for offering in Offering.objects.filter(provider=provider):
            sibling = Offering.objects.filter(model_id=offering.model_id, provider=home).first() if home else None
            for price in Price.objects.filter(offering=offering):
                if sibling is None:
                    price.tier = "batch"
                    price.save(update_fields=["tier"])
                    continue
                taken = Price.objects.filter(
                    offering=sibling, dimension=price.dimension, tier="batch", context_threshold=price.context_threshold
                ).exists()
                if taken:
                    Provenance.objects.filter(content_type=price_ct, object_id=price.pk).delete()
                    price.delete()
                else:
                    price.offering = sibling
                    price.tier = "batch"
                    price.save(update_fields=["offering", "tier"])
            if sibling is not None:
                Provenance.objects.filter(content_type=offering_ct, object_id=offering.pk).delete()
                offering.delete()
        if not Offering.objects.filter(provider=provider).exists():
            Provenance.objects.filter(content_type=provider_ct, object_id=provider.pk).delete()
            provider.delete()
        else:
            provider.kind = "first_party"
            provider.save(update_fields=["kind"])

    # 4. Headline prices per model: standard tier, base context, active offerings; 70/30 blend per offering.
    prices = {}
    for offering_id, dimension, amount in Price.objects.filter(
        tier="standard", context_threshold=0, dimension__in=["input", "output"]
    ).values_list("offering_id", "dimension", "usd_per_million"):
        prices[(offering_id, dimension)] = amount
    for model in LanguageModel.objects.all():
        offerings = list(Offering.objects.filter(model=model).exclude(status="retired").values_list("pk", flat=True))
        inputs = [prices[(pk, "input")] for pk in offerings if (pk, "input") in prices]
        outputs = [prices[(pk, "output")] for pk in offerings if (pk, "output") in prices]
        blends = [
            prices[(pk, "input")] * Decimal("0.7") + prices[(pk, "output")] * Decimal("0.3")
            for pk in offerings
            if (pk, "input") in prices and (pk, "output") in prices
        ]
        model.min_input_price = min(inputs) if inputs else None
        model.min_output_price = min(outputs) if outputs else None
        model.min_blended_price = min(blends).quantize(Decimal("0.000001")) if blends else None
        model.provider_count = len(offerings)
        model.save(update_fields=["min_input_price", "min_output_price", "min_blended_price", "provider_count"])


def _price_item(ChangeItem, item, name, threshold, price_ct, price_ids):
    dimension, tier, long_context = COLUMNS[name]
    level = (threshold or 0) if long_context else 0
    if long_context and not level:
        return
    old, new = item.changes[name]
    if old == new:
        return
    if item.action == "create" or (item.action == "update" and old is None):
        action = "create"
    elif item.action == "delete" or new is None:
        action = "delete"
    else:
        action = "update"
    price_id = price_ids.get((item.object_id, dimension, tier, level)) if item.object_id else None
    offering = item.object_id if item.object_id else {"new": item.temp_key}
    key = {"offering": offering, "dimension": dimension, "tier": tier, "context_threshold": level}
    if action == "create":
        changes = {k: [None, v] for k, v in key.items()} | {"usd_per_million": [None, _text(new)]}
    elif action == "delete":
        changes = {k: [v, None] for k, v in key.items()} | {"usd_per_million": [_text(old), None]}
    else:
        changes = {"usd_per_million": [_text(old), _text(new)]}
    previous = item.previous_provenance.get(name)
    ChangeItem.objects.create(
        changeset_id=item.changeset_id,
        action=action,
        content_type=price_ct,
        object_id=_object_id(item, action, price_id),
        temp_key=f"{item.temp_key or item.pk}-{name}"[:40] if action == "create" else "",
        object_repr=f"{item.object_repr}: {_label(dimension, tier, level)}"[:300],
        changes=changes,
        base_version=1 if action != "create" else None,
        source_id=item.field_sources.get(name, item.source_id),
        previous_provenance={"usd_per_million": previous} if previous else {},
        created_at=item.created_at,
    )


def _object_id(item, action, price_id):
    """The price row's id; a pending create has none yet; a row since removed keeps 0 ("no live row")."""
    if action == "create" and item.changeset.state != "applied":
        return None
    return price_id if price_id is not None else 0


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_price_rows"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
