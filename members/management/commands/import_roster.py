"""Import a committee's roster from an XLSX or CSV file; --dry-run shows the plan and writes nothing."""

import datetime as dt
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from committees.models import Committee
from members.roster_import import NEW_PERSON, roster_import
from members.spreadsheets import RosterFileError


class Command(BaseCommand):
    help = "Import a committee's roster from an XLSX or CSV file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--committee", required=True, help="The committee's slug.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="The date the file's roster takes effect (YYYY-MM-DD, today by default).",
        )
        parser.add_argument("--reason", default="", help="Why the roster changes.")
        parser.add_argument(
            "--match",
            action="append",
            default=[],
            metavar="ROW=PERSON",
            help=(
                "Decide a possible match: the file's row number, then the person's identifier "
                f"(slug) or {NEW_PERSON!r} for a new person. Repeat for each row."
            ),
        )

    def handle(self, *args, **options):
        committee = Committee.objects.filter(slug=options["committee"]).first()
        if committee is None:
            raise CommandError(f"No committee with the slug {options['committee']!r}.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        data = path.read_bytes()

        choices = {}
        for text in options["match"]:
            line, _sep, value = text.partition("=")
            if not line.strip().isdigit() or not value.strip():
                raise CommandError(f"--match takes ROW=PERSON, not {text!r}.")
            choices[int(line)] = value.strip()

        def progress(items, total):
            return tqdm(items, total=total, unit="row", file=sys.stderr, disable=total < 200)

        try:
            plan = roster_import(
                committee=committee,
                data=data,
                filename=path.name,
                on=options["as_of"],
                dry_run=options["dry_run"],
                reason=options["reason"] or f"Roster imported from {path.name} (command line)",
                choices=choices,
                progress=progress,
            )
        except RosterFileError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for seat in plan.added:
            name = seat.full_name or seat.title
            self.stdout.write(f"+ {name} — {seat.role_label} ({seat.start_display})")
        for end in plan.ended:
            seat = end.membership
            self.stdout.write(f"- {seat.holder_display} — {seat.role_display}")
        for match in plan.possible_matches:
            decided = f" -> {match.chosen}" if match.chosen else ""
            self.stdout.write(f"? row {match.line}: {match.full_name} ({match.post}){decided}")
            for person, known in match.candidates:
                self.stdout.write(f"    possible match: {person.slug}: {person} — {known}")
        if not plan.ok:
            for error in plan.errors:
                self.stderr.write(str(error))
            undecided = ", ".join(str(match.line) for match in plan.undecided)
            if undecided:
                self.stderr.write(
                    f"Possible matches to decide (rows {undecided}): run again with "
                    f"--match ROW=PERSON or --match ROW={NEW_PERSON}."
                )
            raise CommandError(
                f"{len(plan.errors)} error(s), {len(plan.undecided)} undecided match(es); "
                f"nothing was imported. {plan.summary()}"
            )
        if options["dry_run"]:
            self.stdout.write(f"Dry run, nothing written: {plan.summary()}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported: {plan.summary()}"))
