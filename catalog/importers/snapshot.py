"""The catalog a newcomer sees: a compressed snapshot of models.dev and LiteLLM in our own export format.

`snapshot_build(...)` runs in an empty scratch database (`manage.py build_catalog_snapshot` starts one): it
imports the models.dev tree and then the LiteLLM file through review, applies what no other source disputes
(`changeset_apply_undisputed`: where LiteLLM disagrees with models.dev, the models.dev value stays, as a
reviewer would have to decide otherwise), and exports the result as compact JSON, gzip- or xz-compressed.
`make run` loads the curated demo catalog and then this file (`import_catalog llmref --once
--apply-undisputed`): values that disagree with a curated one stay in a change set for the demo reviewer.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from catalog.demo import DEMO_REVIEWER
from catalog.export import open_output, write_json
from catalog.importers import IMPORTER_ACCOUNT, litellm, models_dev
from catalog.importers.plan import import_source
from catalog.importers.services import changeset_apply_undisputed
from catalog.models import ExternalId, LanguageModel, Offering, Organization, Price, Provider, Source
from catalog.review.services import system_user

SNAPSHOT_DIR = Path(__file__).resolve().parent.parent / "snapshot"
SNAPSHOT_PATH = SNAPSHOT_DIR / "public-catalog.json.gz"


class SnapshotError(Exception):
    """The snapshot cannot be built here (the database is not empty, a source cannot be read)."""


@dataclass
class SnapshotStats:
    records: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)  # catalog -> values left out because sources disagree
    lines: list[str] = field(default_factory=list)


def snapshot_build(
    *,
    models_dev_path: str,
    litellm_path: str,
    out: Path,
    models_dev_revision: str = "",
    litellm_revision: str = "",
    litellm_today: datetime.date | None = None,
    log: Callable[[str], None] = print,
) -> SnapshotStats:
    """Import both catalogs into this (empty) database, apply the undisputed values, export to `out`."""
    if LanguageModel.objects.exists() or Source.objects.exists():
        raise SnapshotError("The database is not empty: the snapshot is built in a scratch database only.")
    stats = SnapshotStats()
    author, reviewer = system_user(IMPORTER_ACCOUNT), system_user(DEMO_REVIEWER, reviewer=True)
    steps = (
        ("models.dev", lambda: models_dev.read(models_dev_path), models_dev_revision),
        ("litellm", lambda: litellm.read(litellm_path, today=litellm_today), litellm_revision),
    )
    for catalog, read, revision in steps:
        log(f"Reading {catalog} ...")
        summary = import_source(source=read(), user=author, revision=revision)
        stats.lines += summary.lines()
        log(f"  {summary.changes} changes proposed; applying the undisputed ones ...")
        if summary.changeset is None:
            continue
        result = changeset_apply_undisputed(changeset=summary.changeset, reviewer=reviewer)
        stats.held[catalog] = result.held_values
        log(f"  {result.held_values} values left out where sources disagree.")
    with open_output(out) as handle:
        stats.records = write_json(handle, compact=True)
    stats.counts = {
        "organizations": Organization.objects.count(),
        "models": LanguageModel.objects.count(),
        "providers": Provider.objects.count(),
        "offerings": Offering.objects.count(),
        "prices": Price.objects.count(),
        "external ids": ExternalId.objects.count(),
        "sources": Source.objects.count(),
    }
    return stats
