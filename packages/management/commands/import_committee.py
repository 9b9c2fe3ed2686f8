"""python manage.py import_committee FILE [--dry-run] [--json] [--same PATH=ID] [--new PATH]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from packages.apply import NEW, import_packages
from packages.reading import read_file
from packages.schema import PackageInvalid


class Command(BaseCommand):
    help = "Import committee packages (JSON or XLSX) all or nothing; --dry-run shows the plan."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--reason", default="")
        parser.add_argument(
            "--same",
            action="append",
            default=[],
            metavar="PATH=PERSON_ID",
            help="a possible match confirmed as the same person, e.g. [0].members[3]=42",
        )
        parser.add_argument(
            "--new",
            action="append",
            default=[],
            metavar="PATH",
            help="a possible match is a new person",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        confirmations = {p: NEW for p in options["new"]}
        for item in options["same"]:
            key, _sep, value = item.rpartition("=")
            confirmations[key] = value
        try:
            packages = read_file(raw, path.name)
            report = import_packages(
                packages,
                reason=options["reason"] or f"Committee package {path.name}",
                dry_run=options["dry_run"],
                confirmations=confirmations,
                file_name=path.name,
            )
        except PackageInvalid as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"errors": exc.problems}, ensure_ascii=False))
            raise CommandError("\n".join(exc.problems)) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
            return
        details = report.details()
        prefix = "DRY RUN (nothing written): " if options["dry_run"] else ""
        for item in details["committees"]:
            self.stdout.write(f"{prefix}{item['action']}: {item['name']} ({item['slug']})")
        self.stdout.write(
            "seats: {created} created, {ended} ended, {unchanged} unchanged".format(
                **details["seats"]
            )
        )
        self.stdout.write(
            "people: {created} created, {matched} matched".format(**details["people"])
        )
        self.stdout.write(
            "agencies: {created} created, {matched} matched".format(**details["agencies"])
        )
        for name in details["created_agencies"]:
            self.stdout.write(f"  new agency: {name}")
        for item in details["possible_matches"]:
            names = ", ".join(f"{c['name']} (id {c['id']})" for c in item["candidates"])
            self.stdout.write(f"  possible match {item['path']}: {item['name']} ~ {names}")
