"""The real models.dev tree and LiteLLM file from ../shared/data, when that folder exists.

Slow (whole catalogs), so it runs once: on SQLite, not on every database.
"""

import datetime
from pathlib import Path

import pytest
from django.db import connection

from catalog.importers import IMPORTER_ACCOUNT, litellm, models_dev
from catalog.importers.plan import import_source
from catalog.models import ChangeItem, ChangeSet
from catalog.review.services import system_user

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not here"),
    pytest.mark.skipif(connection.vendor == "postgresql", reason="whole-catalog test runs once, on SQLite"),
]


def test_models_dev_tree_imports_as_one_submitted_change_set():
    source = models_dev.read(str(DATA / "models.dev"))
    # the figures data/README.md gives for this snapshot
    assert len(source.providers) == 147
    assert sum(1 for path in source.paths if path.startswith("models/")) == 231
    summary = import_source(
        source=source, user=system_user(IMPORTER_ACCOUNT), revision="f3fc692299671838c7c65fd8126bf84d81a2e817"
    )
    counts = {kind: (c.new, c.changed, c.unchanged) for kind, c in summary.counts.items()}
    assert counts["models"] == (276, 0, 0)
    assert counts["offerings"] == (2638, 0, 0)
    assert counts["prices"] == (8076, 0, 0)
    assert len(summary.unmatched) == 2088
    assert summary.skipped["no token price"] == 260
    assert summary.skipped["embedding model"] == 51
    assert summary.errors == [
        ("providers/azure/models/claude-haiku-4-5", "knowledge is not a date: '2025-02-31'"),
        ("providers/azure-cognitive-services/models/claude-haiku-4-5", "knowledge is not a date: '2025-02-31'"),
    ]
    assert summary.changeset.state == ChangeSet.State.SUBMITTED
    assert ChangeItem.objects.filter(changeset=summary.changeset).count() == summary.changes == 14079


def test_litellm_file_imports_as_one_submitted_change_set():
    source = litellm.read(
        str(DATA / "litellm" / "model_prices_and_context_window.json"), today=datetime.date(2026, 11, 20)
    )
    # the figures data/README.md gives: aliases, wildcard keys, modes
    assert source.skipped["alias"] == 98
    assert source.skipped["wildcard or regex key"] == 4
    assert source.skipped["mode image_generation"] == 414
    assert source.skipped["mode embedding"] == 157
    assert source.errors == []
    summary = import_source(source=source, user=system_user(IMPORTER_ACCOUNT), revision="v1.110.2")
    counts = {kind: (c.new, c.changed, c.unchanged) for kind, c in summary.counts.items()}
    # 363 first-party model records, two of them one model ("mistral-medium-3-5" and "mistral-medium-3.5")
    assert counts["models"] == (362, 0, 0)
    assert summary.skipped["another record of the same model (its facts not used)"] == 1
    assert counts["offerings"] == (1120, 0, 0)
    assert counts["prices"] == (5760, 0, 0)
    assert len(summary.unmatched) == 2099
    assert summary.changeset.items.count() == summary.changes == 8752
