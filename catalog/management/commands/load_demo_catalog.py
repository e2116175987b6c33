from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.demo import DEMO_CATALOG_PATH, DemoCatalogError, load_demo_catalog


class Command(BaseCommand):
    help = "Load (or refresh) the curated demo catalog. Idempotent: a second run changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, default=DEMO_CATALOG_PATH, help="TOML file to load.")

    def handle(self, *args, **options) -> None:
        try:
            stats = load_demo_catalog(options["path"])
        except DemoCatalogError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(stats.summary())
