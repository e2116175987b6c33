"""The documented backup procedure works: pg_dump, restore into a fresh database, same contents (PostgreSQL only)."""

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from importlib import import_module
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from catalog.review.services import changeset_approve
from tests.catalog.workflow_support import create_editor, create_reviewer, submitted_price_change
from tests.factories import create_offering

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    # Not serialized_rollback: it runs after the browser tests, whose flushes recreate content types with new ids.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump backs up PostgreSQL"),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs the PostgreSQL client tools"),
]


def libpq_env(settings_dict: dict) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, var in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")]:
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


def contents(dbname: str, env: dict[str, str]) -> dict[str, list[tuple]]:
    """Every table's rows, in primary-key order, read through its own connection."""
    conninfo = f"dbname={dbname}"
    with psycopg.connect(conninfo, **{k[2:].lower(): v for k, v in env.items() if k.startswith("PG")}) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {table: conn.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall() for table in tables}


@pytest.fixture
def groups():
    """The Editors and Reviewers groups of data migration 0003 (an earlier transactional test may have flushed them)."""
    ContentType.objects.clear_cache()
    # A flush by an earlier transactional test may have left the permissions to be created again.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    migration = import_module("catalog.migrations.0003_editor_and_reviewer_groups")
    for name, codenames in (("Editors", migration.EDITORS), ("Reviewers", migration.REVIEWERS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames))


def test_dump_restore_into_a_fresh_database_gives_the_same_catalog(tmp_path, groups):
    offering = create_offering(input_price=Decimal("1.00"))
    changeset = submitted_price_change(editor=create_editor(), offering=offering, price="0.25")
    assert changeset_approve(changeset=changeset, user=create_reviewer()) is True

    source_db = connection.settings_dict["NAME"]
    restored_db = f"{source_db}_restore"
    env = libpq_env(connection.settings_dict)
    dump = tmp_path / "llmref.dump"

    def run(*args: str) -> None:
        subprocess.run(args, env=env, check=True, capture_output=True, text=True, timeout=120)

    run("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source_db)
    run("dropdb", "--if-exists", restored_db)
    run("createdb", restored_db)
    try:
        run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_db}", str(dump))
        before, after = contents(source_db, env), contents(restored_db, env)
        assert before == after
        assert before["catalog_offering"] and before["catalog_auditevent"] and before["catalog_provenance"]

        # The restored database keeps the append-only trigger and needs no migration.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conninfo = f"dbname={restored_db}"
            pg = {k[2:].lower(): v for k, v in env.items() if k.startswith("PG")}
            with psycopg.connect(conninfo, **pg) as conn:
                conn.execute("DELETE FROM catalog_auditevent")
        settings_dict = connection.settings_dict
        url = (
            f"postgres://{settings_dict['USER']}:{settings_dict.get('PASSWORD') or ''}@{settings_dict['HOST']}:"
            f"{settings_dict.get('PORT') or 5432}/{restored_db}"
        )
        check = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--check"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stdout + check.stderr
    finally:
        run("dropdb", "--if-exists", restored_db)
