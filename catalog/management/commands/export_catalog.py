"""manage.py export_catalog PATH [--ndjson | --compact]: the live catalog with its evidence, as JSON."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from catalog.export import open_output, write_json, write_ndjson


class Command(BaseCommand):
    help = (
        "Write the whole live catalog, each fact with its source and review date, as JSON (the llmref-catalog "
        "format, schema in catalog/export.schema.json). --ndjson streams one record per line in bounded memory. "
        "PATH '-' writes to standard output; a PATH ending in .gz or .xz is compressed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="File to write, or - for standard output.")
        parser.add_argument("--ndjson", action="store_true", help="One JSON record per line, streamed.")
        parser.add_argument("--compact", action="store_true", help="The JSON document without indentation.")

    def handle(self, *args, path: str, ndjson: bool, compact: bool, **options) -> None:
        if ndjson:
            write = write_ndjson
        else:

            def write(out):
                return write_json(out, compact=compact)

        if path == "-":
            count = write(self.stdout._out)  # the raw stream: OutputWrapper would add line endings
        else:
            with open_output(path) as out:
                count = write(out)
        self.stderr.write(f"Exported {count} records to {path}.")
