"""manage.py import_catalog {models.dev,litellm} PATH_OR_URL [--as USERNAME] [--dry-run] [--revision REV]"""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from catalog.importers import IMPORTER_ACCOUNT, read_catalog
from catalog.importers.common import ImportSourceError
from catalog.importers.plan import import_source
from catalog.models import ChangeSetError
from catalog.review.services import system_user


class Command(BaseCommand):
    help = (
        "Import a public catalog (models.dev tree or api.json, LiteLLM model_prices_and_context_window.json) "
        "as one change set submitted for review. Only real differences from the live catalog are proposed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("catalog", choices=["models.dev", "litellm"])
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

    def handle(self, *args, catalog: str, location: str, username: str, dry_run: bool, revision: str, **options):
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"--as {username}: no such user.")
        else:
            user = None if dry_run else system_user(IMPORTER_ACCOUNT)
        try:
            source = read_catalog(catalog, location)
        except ImportSourceError as exc:
            raise CommandError(str(exc)) from exc
        progress = _progress_bar() if sys.stdout.isatty() and not dry_run else None
        try:
            summary = import_source(source=source, user=user, dry_run=dry_run, revision=revision, progress=progress)
        except ChangeSetError as exc:
            raise CommandError(f"The import could not be proposed: {exc}") from exc
        finally:
            if progress is not None:
                progress.close()
        self.stdout.write("\n".join(summary.lines()))


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
