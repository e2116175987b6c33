import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from catalog.synthetic import CatalogNotEmpty, generate_catalog


class Command(BaseCommand):
    help = "Write a synthetic catalog in bulk (benchmarks, size tests) into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--models", type=int, default=2000)
        parser.add_argument("--providers", type=int, default=60)
        parser.add_argument("--offerings-per-model", type=int, default=20, help="At most --providers.")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options) -> None:
        if options["models"] < 2 or options["providers"] < 1 or options["offerings_per_model"] < 0:
            raise CommandError("Use --models 2 or more, --providers 1 or more, --offerings-per-model 0 or more.")
        started = time.monotonic()
        try:
            generated = generate_catalog(
                models=options["models"],
                providers=options["providers"],
                seed=options["seed"],
                offerings_per_model=options["offerings_per_model"],
            )
        except CatalogNotEmpty as error:
            raise CommandError(str(error)) from error
        if connection.vendor == "postgresql":
            # Planner statistics for the bulk-loaded tables now, not whenever autovacuum gets to them: with
            # none, PostgreSQL scans every price's provenance for a page's few (42 ms instead of 3 ms).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"{generated.summary()} ({time.monotonic() - started:.1f} s)")
