"""The publisher of `make loadtest`: one price change set a second through the real review workflow.

Run by benchmarks/loadtest.py as its own process, against the server's database:

    python benchmarks/publish.py LOG_PATH DURATION_SECONDS SLUG [SLUG ...]

For each slug it tracks one offering's standard input price (the offering of the first provider by slug).
Every second an editor account proposes new amounts for all of them in one change set and submits it, a
different reviewer account approves it (which applies it: `changeset_approve`), and one JSON line is appended
to LOG_PATH: the revision the set applied at, the time its transaction had committed and the amounts it
set, keyed "model-slug provider-slug". The first line is the state before any change. Amounts go up 1% to
20% from the starting one, in turn, so they stay above the offering's cached and batch prices and two
consecutive revisions never share an amount.
"""

from __future__ import annotations

import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import transaction  # noqa: E402

from catalog.models import CatalogRevision, Price, Source  # noqa: E402
from catalog.review.services import (  # noqa: E402
    EDITORS_GROUP,
    REVIEWERS_GROUP,
    ProposedChange,
    changeset_approve,
    changeset_propose,
)

STEP = Decimal("0.01")
SIX_PLACES = Decimal("0.000001")


def account(username: str, group: str) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=group))
    return user


def tracked_rows(slugs: list[str]) -> dict[str, Price]:
    rows = {}
    for slug in slugs:
        row = (
            Price.objects.filter(offering__model__slug=slug, dimension="input", tier="standard", context_threshold=0)
            .select_related("offering__provider")
            .order_by("offering__provider__slug")
            .first()
        )
        if row is None:
            sys.exit(f"publish: {slug} has no standard input price to change")
        rows[f"{slug} {row.offering.provider.slug}"] = row
    return rows


def main() -> int:
    log_path, duration, slugs = Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
    editor = account("loadtest-editor", EDITORS_GROUP)
    reviewer = account("loadtest-reviewer", REVIEWERS_GROUP)
    source, _ = Source.objects.get_or_create(
        url="https://example.com/loadtest-prices",
        defaults={"title": "Load test price list", "publisher": "make loadtest", "retrieved_on": "2026-12-01"},
    )
    rows = tracked_rows(slugs)
    start = {key: row.usd_per_million for key, row in rows.items()}
    with log_path.open("a") as log:

        def record(revision: int, committed_at: float, prices: dict[str, Decimal], **extra) -> None:
            line = {
                "revision": revision,
                "committed_at": committed_at,
                "prices": {k: str(v) for k, v in prices.items()},
            }
            log.write(json.dumps(line | extra) + "\n")
            log.flush()

        record(CatalogRevision.current(), time.time(), start, initial=True)
        deadline = time.monotonic() + duration
        step = 0
        while time.monotonic() < deadline:
            began = time.monotonic()
            step += 1
            amounts = {key: (start[key] * (1 + STEP * (step % 20 + 1))).quantize(SIX_PLACES) for key in rows}
            changeset = None
            with transaction.atomic():
                for key, row in rows.items():
                    row.refresh_from_db()
                    change = ProposedChange(
                        "update", Price, values={"usd_per_million": amounts[key]}, target=row, source=source
                    )
                    item = changeset_propose(user=editor, change=change, changeset=changeset)
                    changeset = item.changeset
                changeset.submit(user=editor, summary=f"Load test price change {step}")
            applied = changeset_approve(changeset=changeset, user=reviewer, acknowledge_warnings=True)
            committed_at = time.time()  # changeset_approve's transaction has committed
            if not applied:
                print(f"publish: change set #{changeset.pk} conflicted", file=sys.stderr)
                return 1
            changeset.refresh_from_db()
            record(changeset.revision, committed_at, amounts, changeset=changeset.pk)
            time.sleep(max(0.0, 1.0 - (time.monotonic() - began)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
