"""manage.py import_catalog {models.dev,litellm,llmref} PATH_OR_URL [--as USERNAME] [--dry-run] [--revision REV]
[--once] [--apply-undisputed]"""

from __future__ import annotations

import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from catalog.demo import DEMO_REVIEWER
from catalog.importers import IMPORTER_ACCOUNT, llmref, read_catalog
from catalog.importers.common import ImportSourceError, read_bytes
from catalog.importers.plan import import_source
from catalog.importers.services import changeset_apply_undisputed
from catalog.models import ChangeSet, ChangeSetError
from catalog.review.services import system_user


class Command(BaseCommand):
    help = (
        "Import a public catalog (models.dev tree or api.json, LiteLLM model_prices_and_context_window.json) "
        "or an llmref-catalog export (export_catalog's JSON or NDJSON, plain, .gz or .xz) as one change set "
        "submitted for review. Only real differences from the live catalog are proposed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("catalog", choices=["models.dev", "litellm", "llmref"])
        parser.add_argument("location", help="A path (folder or file) or an http(s)/file URL.")
        parser.add_argument(
            "--as", dest="username", default="", help=f"Author of the change set (default: {IMPORTER_ACCOUNT})."
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the summary; write nothing.")
        parser.add_argument(
            "--revision",
            default="",
            help="The source's commit (models.dev) or release tag (LiteLLM), cited in every Source's URL.",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="llmref: do nothing when a change set of this very file (by its sha256) was already proposed "
            "and not rejected or withdrawn.",
        )
        parser.add_argument(
            "--apply-undisputed",
            action="store_true",
            help=f"Local demo only (DJANGO_DEBUG=1): approve and apply, as the system account {DEMO_REVIEWER}, "
            "every value no other source disputes; the disputed ones stay submitted in a change set of their "
            "own for a person to review.",
        )

    def handle(self, *args, catalog: str, location: str, username: str, dry_run: bool, revision: str, **options):
        once, apply_undisputed = options["once"], options["apply_undisputed"]
        if apply_undisputed and not settings.DEBUG:
            raise CommandError("--apply-undisputed applies facts without a person's review: local demo only (debug).")
        if once and catalog != "llmref":
            raise CommandError("--once reads an llmref export's digest; it applies to llmref imports only.")
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"--as {username}: no such user.")
        else:
            user = None if dry_run else system_user(IMPORTER_ACCOUNT)
        try:
            if catalog == "llmref":
                content, cited = read_bytes(location)
                name = f"llmref-catalog {llmref.digest_of(content)}"
                if once and (earlier := _imported_before(name)) is not None:
                    self.stdout.write(f"{location} was already imported ({name}): change set #{earlier.pk}.")
                    return
                source = llmref.parse(content, location=cited)
            else:
                source = read_catalog(catalog, location)
        except ImportSourceError as exc:
            raise CommandError(str(exc)) from exc
        progress = _progress_bar() if sys.stdout.isatty() and not dry_run else None
        try:
            if catalog == "llmref":
                summary = llmref.import_export(doc=source, user=user, dry_run=dry_run, name=name, progress=progress)
            else:
                summary = import_source(source=source, user=user, dry_run=dry_run, revision=revision, progress=progress)
        except ChangeSetError as exc:
            raise CommandError(f"The import could not be proposed: {exc}") from exc
        finally:
            if progress is not None:
                progress.close()
        self.stdout.write("\n".join(summary.lines()))
        if apply_undisputed and summary.changeset is not None:
            try:
                result = changeset_apply_undisputed(
                    changeset=summary.changeset, reviewer=system_user(DEMO_REVIEWER, reviewer=True)
                )
            except ChangeSetError as exc:
                raise CommandError(str(exc)) from exc
            if result.applied is not None:
                self.stdout.write(f"  change set #{result.applied.pk} applied by {DEMO_REVIEWER} (labelled imported).")
            if result.held is not None:
                self.stdout.write(
                    f"  change set #{result.held.pk} holds {result.held_values} disputed values "
                    f"({result.held_items} changes) for a reviewer."
                )


def _imported_before(name: str) -> ChangeSet | None:
    """The change set an earlier import of the same file recorded, unless it was rejected or withdrawn."""
    pending_or_applied = ChangeSet.objects.filter(name=name).exclude(
        state__in=[ChangeSet.State.REJECTED, ChangeSet.State.WITHDRAWN]
    )
    return pending_or_applied.order_by("pk").first()


class _progress_bar:  # noqa: N801 - used like a function
    """A rich progress bar on a terminal; the command passes None (quiet) when stdout is not a TTY."""

    def __init__(self) -> None:
        from rich.progress import Progress

        self.progress = Progress(transient=True)
        self.task = None
        self.progress.start()

    def __call__(self, done: int, total: int) -> None:
        if self.task is None:
            self.task = self.progress.add_task("Proposing changes", total=total)
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        self.progress.stop()
