"""manage.py export_catalog PATH [--ndjson]: the live catalog with its evidence (format: catalog/export.schema.json)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from catalog.export import write_json, write_ndjson


class Command(BaseCommand):
    help = (
        "Write the whole live catalog, each fact with its source and review date, as JSON (the llmref-catalog "
        "format, schema in catalog/export.schema.json). --ndjson streams one record per line in bounded memory. "
        "PATH '-' writes to standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="File to write, or - for standard output.")
        parser.add_argument("--ndjson", action="store_true", help="One JSON record per line, streamed.")

    def handle(self, *args, path: str, ndjson: bool, **options) -> None:
        write = write_ndjson if ndjson else write_json
        if path == "-":
            count = write(self.stdout._out)  # the raw stream: OutputWrapper would add line endings
        else:
            with open(path, "w", encoding="utf-8") as out:
                count = write(out)
        self.stderr.write(f"Exported {count} records to {path}.")
