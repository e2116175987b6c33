"""manage.py build_catalog_snapshot --models-dev DIR --litellm FILE [--out PATH]: rebuild the committed snapshot."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.importers.common import ImportSourceError
from catalog.importers.snapshot import SNAPSHOT_PATH, SnapshotError, snapshot_build


class Command(BaseCommand):
    help = (
        "Rebuild the catalog snapshot (catalog/snapshot/public-catalog.json.gz) from the models.dev tree and "
        "the LiteLLM price file: both are imported through review into a scratch SQLite database, the values "
        "no other source disputes are applied, and the result is exported in the llmref-catalog format."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--models-dev", required=True, help="The models.dev repository tree (or api.json).")
        parser.add_argument("--litellm", required=True, help="LiteLLM's model_prices_and_context_window.json.")
        parser.add_argument("--out", default=str(SNAPSHOT_PATH), help="File to write (.gz or .xz compresses).")
        parser.add_argument("--models-dev-revision", default="", help="The models.dev commit, cited in sources.")
        parser.add_argument("--litellm-revision", default="", help="The LiteLLM release tag, cited in sources.")
        parser.add_argument(
            "--litellm-today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The day LiteLLM's deprecation dates are read against (default: today).",
        )
        parser.add_argument("--scratch", default="", help="SQLite file for the scratch database (default: temp).")
        parser.add_argument("--in-scratch", action="store_true", help="(internal) run inside the scratch database.")

    def handle(self, *args, **options) -> None:
        out = Path(options["out"]).resolve()
        if options["in_scratch"]:
            self._build(out, options)
            return
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="llmref-snapshot-") as tmp:
            scratch = Path(options["scratch"] or Path(tmp) / "scratch.sqlite3").resolve()
            if scratch.exists():
                raise CommandError(f"{scratch} exists: the scratch database must be new.")
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{scratch}",
                "DATABASE_REPLICA_URL": "",
                "REDIS_URL": "",
                "DJANGO_DEBUG": "1",  # a throwaway local database; no secret key needed
            }
            command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "build_catalog_snapshot"]
            for name in ("models_dev", "litellm", "models_dev_revision", "litellm_revision", "scratch"):
                if options[name]:
                    command += [f"--{name.replace('_', '-')}", str(options[name])]
            if options["litellm_today"]:
                command += ["--litellm-today", options["litellm_today"].isoformat()]
            command += ["--out", str(out), "--in-scratch"]
            if subprocess.run(command, env=env, check=False).returncode:
                raise CommandError("Building the snapshot failed (see above).")
        self.stdout.write(
            f"Wrote {out} ({out.stat().st_size:,} bytes) in {time.monotonic() - started:.0f} s. "
            "Commit it with catalog/snapshot/NOTICE."
        )

    def _build(self, out: Path, options) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        try:
            stats = snapshot_build(
                models_dev_path=options["models_dev"],
                litellm_path=options["litellm"],
                out=out,
                models_dev_revision=options["models_dev_revision"],
                litellm_revision=options["litellm_revision"],
                litellm_today=options["litellm_today"],
                log=self.stdout.write,
            )
        except (SnapshotError, ImportSourceError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("\n".join(line for line in stats.lines if not line.startswith("    ")))
        self.stdout.write(
            f"Snapshot: {stats.records:,} records ("
            + ", ".join(f"{n:,} {kind}" for kind, n in stats.counts.items())
            + "); left out where sources disagree: "
            + ", ".join(f"{n} {catalog} values" for catalog, n in stats.held.items())
            + "."
        )
