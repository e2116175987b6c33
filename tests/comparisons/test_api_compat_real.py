"""The compatibility exports of the real imported catalog read back by our own importers propose nothing.

The committed snapshot (catalog/snapshot/public-catalog.json.gz: the models.dev tree and the LiteLLM file, as
`make snapshot` builds it) is loaded into the empty test database as `make demo` loads it (the llmref import,
its undisputed values applied; on an empty database nothing is disputed). Both exports are fetched with the test
client and fed, dry run, to the importer of their format against that same database.

Nothing is proposed, of any kind. An offering the source does not list (or none of whose ids in the crosswalk reads
back as its provider model id) is exported under a key made from our ids and marked `"llmref_derived_key": true`
(see comparisons.api.compat); the importer matches it as any other entry and records no crosswalk row for it.

Slow (the whole catalog, loaded once for the module), so it runs once: on SQLite, not on every database.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from catalog.demo import DEMO_REVIEWER
from catalog.importers import IMPORTER_ACCOUNT, litellm, llmref, models_dev
from catalog.importers.common import DERIVED_KEY
from catalog.importers.plan import import_source
from catalog.importers.services import changeset_apply_undisputed
from catalog.models import ExternalId, Offering, Price, Provenance
from catalog.review.services import NewRef, system_user
from comparisons.api import compat

SNAPSHOT = Path(__file__).resolve().parents[2] / "catalog" / "snapshot" / "public-catalog.json.gz"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor == "postgresql", reason="whole-catalog test runs once, on SQLite"),
]


@pytest.fixture(scope="module")
def snapshot_catalog(django_db_setup, django_db_blocker):
    """The snapshot, applied once for the module inside a transaction rolled back at its end (each test's own
    transaction nests in it as a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        doc = llmref.read(str(SNAPSHOT))
        summary = llmref.import_export(doc=doc, user=system_user(IMPORTER_ACCOUNT))
        result = changeset_apply_undisputed(
            changeset=summary.changeset, reviewer=system_user(DEMO_REVIEWER, reviewer=True)
        )
        assert result.held is None  # an empty database: nothing is disputed
        yield
        transaction.set_rollback(True)


def export(client, name: str) -> bytes:
    response = client.get(f"/api/v1/export/{name}")
    assert response.status_code == 200
    return response.content


def _value(value) -> str:
    if isinstance(value, NewRef):
        return f"<new {value.key}>"
    return str(getattr(value, "slug", None) or value)


def described(summary, limit: int = 20) -> str:
    """The first `limit` proposals as "kind target: field old -> new"."""
    lines = []
    for planned in summary.planned[:limit]:
        change = planned.change
        if change.action == "create":
            fields = ", ".join(f"{k}={_value(v)}" for k, v in change.values.items())
            lines.append(f"  {planned.kind} new: {fields}")
        else:
            for name, new in change.values.items():
                old = getattr(change.target, name, None)
                lines.append(f"  {planned.kind} {change.target!r}: {name} {_value(old)} -> {_value(new)}")
    counts = {kind: (c.new, c.changed) for kind, c in summary.counts.items() if c.new or c.changed}
    return f"{summary.changes} proposed {counts}:\n" + "\n".join(lines)


def marked_exactly_off_the_crosswalk(catalog: str, entries: dict[str, dict]) -> set[str]:
    """The keys of the entries carrying the marker: every entry whose key is not one of `catalog`'s ids in the
    crosswalk, and no other."""
    known = set(ExternalId.objects.of_source(catalog).values_list("external_id", flat=True))
    marked = {key for key, entry in entries.items() if DERIVED_KEY in entry}
    assert all(entries[key][DERIVED_KEY] is True for key in marked)
    assert marked == {key for key in entries if key not in known}
    assert 0 < len(marked) < len(entries)
    return marked


def roundtrip(source, marked: set[str]) -> None:
    """Nothing proposed, not even a crosswalk row for a key the export derived (its entry carries the marker)."""
    read = {listing.external_id for listing in source.listings}
    assert {listing.external_id for listing in source.listings if listing.derived_key} == marked & read
    summary = import_source(source=source, user=system_user(IMPORTER_ACCOUNT), dry_run=True)
    assert summary.changes == 0, f"{source.catalog}: " + described(summary)
    assert not summary.planned
    assert not summary.unmatched, summary.unmatched[:20]
    assert summary.counts["prices"].unchanged > 10_000
    # every unmarked listing's key is an id already in the crosswalk (rule 1: the row stands)
    assert summary.counts["external ids"].unchanged == len(read - marked)


def test_both_exports_of_the_real_catalog_read_back_as_nothing_to_do(snapshot_catalog, client):
    assert Offering.objects.count() > 3000  # the real catalog, not a fixture

    body = export(client, "litellm.json")
    placed: dict[str, int] = {}
    assert json.loads(body) == compat.litellm_map(placed=placed)
    # every offering with a reviewed price has its entry (no two offerings share a key)
    reviewed = Provenance.objects.filter(content_type=ContentType.objects.get_for_model(Price), field="usd_per_million")
    priced = Price.objects.filter(pk__in=reviewed.values("object_id")).values("offering").distinct().count()
    assert len(placed) == priced
    marked = marked_exactly_off_the_crosswalk("litellm", json.loads(body))
    roundtrip(litellm.read_json(body, path="export/litellm.json", today=timezone.localdate()), marked)

    body = export(client, "models.dev.json")
    placed_md: dict[tuple[str, str], int] = {}
    assert json.loads(body) == compat.models_dev_api(placed=placed_md)
    assert len(placed_md) == Offering.objects.count()
    models = {f"providers/{provider}/models/{model_id}": entry
              for provider, info in json.loads(body).items() for model_id, entry in info["models"].items()}  # fmt: skip
    marked = marked_exactly_off_the_crosswalk("models.dev", models)
    roundtrip(models_dev.read_api_json(body, path="export/models.dev.json"), marked)
