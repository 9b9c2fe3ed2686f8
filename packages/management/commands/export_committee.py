"""python manage.py export_committee SLUG [--as-of DATE] [--output FILE]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from committees.models import Committee
from committees.partial_dates import Precision, parse_partial_date
from packages.export import export_package


class Command(BaseCommand):
    help = "Give a body back as a committee package (JSON), with the seats open on a day."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--as-of", default="", help="dd/mm/yyyy or yyyy-mm-dd; today by default"
        )
        parser.add_argument("--output", default="")

    def handle(self, *args, **options):
        committee = Committee.objects.filter(slug=options["slug"]).first()
        if committee is None:
            raise CommandError(f"No committee with the slug {options['slug']!r}.")
        as_of = None
        if options["as_of"]:
            try:
                as_of, precision = parse_partial_date(options["as_of"])
            except ValueError as exc:
                raise CommandError(f"--as-of: {exc}") from None
            if precision != Precision.DAY:
                raise CommandError("--as-of: give a day (dd/mm/yyyy or yyyy-mm-dd).")
        text = json.dumps(export_package(committee, as_of), ensure_ascii=False, indent=2) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
