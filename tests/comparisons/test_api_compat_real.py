"""The compatibility exports of the real imported catalog read back by our own importers propose nothing.

The committed snapshot (catalog/snapshot/public-catalog.json.gz: the models.dev tree and the LiteLLM file, as
`make snapshot` builds it) is loaded into the empty test database as `make demo` loads it (the llmref import,
its undisputed values applied; on an empty database nothing is disputed). Both exports are fetched with the test
client and fed, dry run, to the importer of their format against that same database.

Nothing is proposed but one thing, agreed and counted exactly: an offering the source does not list (or none of
whose ids in the crosswalk reads back as its provider model id) is exported under a key made from our ids, and
reading it back records that key in the crosswalk for that very offering (see comparisons.api.compat). Every
other fact, price, offering and model reads back unchanged.

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
    """The first `limit` proposals other than crosswalk rows as "kind target: field old -> new"."""
    lines = []
    for planned in [p for p in summary.planned if p.kind != "external ids"][:limit]:
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


def roundtrip(source, placed: dict[str, int]) -> None:
    """Nothing proposed but the crosswalk rows of the keys the export made up (the agreed difference, see the
    module docstring of comparisons.api.compat): each one new, for the very offering it was exported for."""
    summary = import_source(source=source, user=system_user(IMPORTER_ACCOUNT), dry_run=True)
    facts = [p for p in summary.planned if p.kind != "external ids"]
    assert not facts, f"{source.catalog}: " + described(summary)
    assert not summary.unmatched, summary.unmatched[:20]
    known = set(ExternalId.objects.of_source(source.catalog).values_list("external_id", flat=True))
    read = {listing.external_id for listing in source.listings}
    made_up = {key: pk for key, pk in placed.items() if key not in known and key in read}
    proposed = {p.change.values["external_id"]: p.change.values["offering"].pk for p in summary.planned}
    assert all(p.change.action == "create" for p in summary.planned)
    assert proposed == made_up
    assert summary.changes == len(made_up)
    assert summary.counts["prices"].changed == summary.counts["prices"].new == 0
    assert summary.counts["prices"].unchanged > 10_000


def test_both_exports_of_the_real_catalog_read_back_as_nothing_to_do(snapshot_catalog, client):
    assert Offering.objects.count() > 3000  # the real catalog, not a fixture

    body = export(client, "litellm.json")
    placed: dict[str, int] = {}
    assert json.loads(body) == compat.litellm_map(placed=placed)
    # every offering with a reviewed price has its entry (no two offerings share a key)
    reviewed = Provenance.objects.filter(content_type=ContentType.objects.get_for_model(Price), field="usd_per_million")
    priced = Price.objects.filter(pk__in=reviewed.values("object_id")).values("offering").distinct().count()
    assert len(placed) == priced
    roundtrip(litellm.read_json(body, path="export/litellm.json", today=timezone.localdate()), placed)

    body = export(client, "models.dev.json")
    placed_md: dict[tuple[str, str], int] = {}
    assert json.loads(body) == compat.models_dev_api(placed=placed_md)
    assert len(placed_md) == Offering.objects.count()
    placed = {f"providers/{provider}/models/{model}": pk for (provider, model), pk in placed_md.items()}
    roundtrip(models_dev.read_api_json(body, path="export/models.dev.json"), placed)
