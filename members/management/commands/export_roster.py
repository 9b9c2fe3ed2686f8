"""Export a committee's roster, current or on a date, to XLSX or CSV (stdout by default)."""

import datetime as dt
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from committees.models import Committee
from members.spreadsheets import roster_export


class Command(BaseCommand):
    help = "Export a committee's roster (current, or on --as-of) to XLSX or CSV."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The committee's slug.")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
        parser.add_argument(
            "--output", type=Path, default=None, help="File to write (- for stdout)."
        )

    def handle(self, *args, **options):
        committee = Committee.objects.filter(slug=options["slug"]).first()
        if committee is None:
            raise CommandError(f"No committee with the slug {options['slug']!r}.")
        data, _type, name = roster_export(
            committee=committee, day=options["as_of"], fmt=options["format"]
        )
        output = options["output"]
        if output is None or str(output) == "-":
            if options["format"] == "xlsx" and sys.stdout.isatty():
                raise CommandError("An XLSX file is binary: give --output FILE.")
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        output.write_bytes(data)
        self.stderr.write(f"Wrote {output} ({len(data)} bytes, {name}).")
