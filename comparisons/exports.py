"""Downloads of the explorer's results (/models/export.csv, /models/export.json), with its current filters.

The rows are the explorer's own queryset (the same filters, the same order, invalid values ignored the same
way) and the same columns as the API's model list. A CSV cell that a spreadsheet would run as a formula
(starting with =, +, -, @, tab or carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from catalog.models import CAPABILITY_FIELDS, LanguageModel

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = (
    "slug",
    "name",
    "organization",
    "family",
    "release_date",
    "context_window",
    "max_output_tokens",
    "license_kind",
    "status",
    *CAPABILITY_FIELDS,
    "min_input_price",
    "min_output_price",
    "min_blended_price",
    "provider_count",
    "url",
)


def spreadsheet_safe(value: object) -> str:
    """The cell as text; a text that starts like a formula gets a leading apostrophe so it stays text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_row(model: LanguageModel, base_url: str) -> list[str]:
    values = {
        "slug": model.slug,
        "name": model.name,
        "organization": model.organization.name,
        "family": model.family,
        "release_date": model.release_date.isoformat() if model.release_date else None,
        "context_window": model.context_window,
        "max_output_tokens": model.max_output_tokens,
        "license_kind": model.license.kind if model.license else None,
        "status": model.status,
        **model.capabilities(),
        "min_input_price": model.min_input_price,
        "min_output_price": model.min_output_price,
        "min_blended_price": model.min_blended_price,
        "provider_count": model.provider_count,
        "url": base_url + model.get_absolute_url(),
    }
    return [spreadsheet_safe(values[name]) for name in CSV_COLUMNS]


def csv_lines(models, base_url: str) -> Iterator[str]:
    """The header, then one line per model, streamed (the queryset is read in chunks)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for model in models.iterator(chunk_size=500):
        writer.writerow(csv_row(model, base_url))
        yield flush()
