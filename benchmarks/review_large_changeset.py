"""Measure the review workflow on an importer-sized change set: review page and apply of N price updates
(updates of N offerings' standard input `Price` rows).

    DATABASE_URL=postgres://... DJANGO_DEBUG=1 .venv/bin/python benchmarks/review_large_changeset.py [N]

Everything runs inside one transaction that is rolled back at the end: the database is left as it was
(it must be migrated). Prints the review page's time and query count (first page, and the warnings filter)
and the seconds `changeset_approve` takes to apply the N items.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from catalog.models import (  # noqa: E402
    ChangeItem,
    ChangeSet,
    LanguageModel,
    Offering,
    Organization,
    Price,
    Provider,
    Source,
)
from catalog.review.services import EDITORS_GROUP, REVIEWERS_GROUP, changeset_approve  # noqa: E402


class Rollback(Exception):
    pass


def build(n: int) -> ChangeSet:
    org = Organization.objects.create(name="Bench Org", slug="bench-org")
    models = LanguageModel.objects.bulk_create(
        [LanguageModel(name=f"Bench {i}", slug=f"bench-{i}", organization=org) for i in range(max(1, n // 10))]
    )
    providers = Provider.objects.bulk_create(
        [Provider(name=f"Bench P{i}", slug=f"bench-p{i}", kind=Provider.Kind.INFERENCE) for i in range(10)]
    )
    offerings = Offering.objects.bulk_create(
        [Offering(model=models[i // 10], provider=providers[i % 10]) for i in range(n)], batch_size=1000
    )
    prices = Price.objects.bulk_create(
        [
            Price(offering=o, dimension=dimension, usd_per_million=Decimal(amount))
            for o in offerings
            for dimension, amount in (("input", "1"), ("output", "2"))
        ],
        batch_size=1000,
    )
    inputs = [p for p in prices if p.dimension == "input"]
    source = Source.objects.create(url="https://example.com/bench", title="Bench", retrieved_on=datetime.date.today())
    editor = User.objects.create_user("bench-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    changeset = ChangeSet.objects.create(
        author=editor,
        summary=f"{n} prices",
        state=ChangeSet.State.SUBMITTED,
        submitted_at=datetime.datetime.now(datetime.UTC),
    )
    content_type = ContentType.objects.get_for_model(Price)
    names = {m.pk: m.name for m in models}
    model_of = {o.pk: o.model_id for o in offerings}
    ChangeItem.objects.bulk_create(
        [
            ChangeItem(
                changeset=changeset,
                action=ChangeItem.Action.UPDATE,
                content_type=content_type,
                object_id=p.pk,
                object_repr=f"{names[model_of[p.offering_id]]} on Bench P{i % 10}: Input",
                changes={"usd_per_million": ["1", "25" if i % 100 == 0 else str(Decimal(100 + i % 40) / 100)]},
                base_version=1,
                source=source,
                warnings=["Input: the price changes more than 10x ($1 -> $25); check the unit."]
                if i % 100 == 0
                else [],
                group_key=f"languagemodel:{model_of[p.offering_id]}",
                group_label=names[model_of[p.offering_id]],
                depth=2,
            )
            for i, p in enumerate(inputs)
        ],
        batch_size=1000,
    )
    return changeset


def timed_get(client: Client, url: str) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
    return elapsed, len(captured), response.status_code


def main(n: int) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    print(f"database: {connection.vendor}, items: {n}")
    try:
        with transaction.atomic():
            start = time.perf_counter()
            changeset = build(n)
            print(f"built the change set in {time.perf_counter() - start:.1f} s")
            reviewer = User.objects.create_user("bench-reviewer", is_staff=True)
            reviewer.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
            client = Client()
            client.force_login(reviewer)
            # Reviewers use the admin with a verified second factor (see config/admin.py).
            device = TOTPDevice.objects.create(user=reviewer, name="bench", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            url = changeset.get_admin_url()
            client.get(url)  # warm caches (content types, templates)
            for label, suffix in [
                ("review page 1", ""),
                ("review page, warnings only", "?show=warnings"),
                ("last page", f"?page={(n + 99) // 100}"),
            ]:
                elapsed, queries, status = timed_get(client, url + suffix)
                print(f"{label}: {elapsed * 1000:.0f} ms, {queries} queries, HTTP {status}")
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                applied = changeset_approve(changeset=changeset, user=reviewer, acknowledge_warnings=True)
                elapsed = time.perf_counter() - start
            print(f"apply {n} items: {elapsed:.2f} s, {len(captured)} queries, applied={applied}")
            if not applied:
                print(changeset.problems[:3])
            jumped = Price.objects.filter(pk__in=changeset.items.values("object_id"), usd_per_million=Decimal("25"))
            assert jumped.count() == n // 100 + (1 if n % 100 else 0)
            raise Rollback
    except Rollback:
        print("rolled back: the database is unchanged")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
