"""`manage.py import_popolo FILE [--dry-run]`: import a Popolo JSON file, as EveryPolitician publishes it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.popolo_import import PopoloFileError, popolo_import, popolo_load

COLLECTION_LABELS = {
    "persons": gettext_lazy("persons"),
    "organizations": gettext_lazy("organizations"),
    "memberships": gettext_lazy("memberships"),
    "posts": gettext_lazy("posts"),
    "events": gettext_lazy("events"),
    "successions": gettext_lazy("lineage steps"),
    "identifiers": gettext_lazy("identifiers"),
}


class Command(BaseCommand):
    help = gettext_lazy(
        "Import a Popolo JSON file (persons, organizations, memberships, posts, events). "
        "Records already imported are matched on their ids and identifiers."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The Popolo JSON file."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check and report what would change, then write nothing."),
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror}
            ) from exc
        try:
            report = popolo_import(
                data=popolo_load(raw), source_name=path.name, dry_run=options["dry_run"]
            )
        except PopoloFileError as exc:
            raise CommandError(
                _("%(file)s was refused and nothing was written: %(reason)s")
                % {"file": path.name, "reason": exc}
            ) from exc

        def line(label, counter) -> str:
            parts = [
                f"{COLLECTION_LABELS.get(key, key)} {count}"
                for key, count in sorted(counter.items())
            ]
            return f"{label}: {', '.join(parts) if parts else '0'}"

        if report.dry_run:
            self.stdout.write(self.style.WARNING(_("Dry run: nothing was written.")))
        self.stdout.write(line(_("Created"), report.created))
        self.stdout.write(line(_("Updated"), report.updated))
        self.stdout.write(line(_("Unchanged"), report.unchanged))
        self.stdout.write(_("Skipped: %(count)d") % {"count": len(report.skipped)})
        for collection, pid, reason in report.skipped:
            self.stdout.write(
                f"  - {COLLECTION_LABELS.get(collection, collection)} {pid}: {reason}"
            )
        if report.warnings:
            self.stdout.write(_("Taken in part: %(count)d") % {"count": len(report.warnings)})
            for collection, pid, note in report.warnings:
                self.stdout.write(
                    f"  - {COLLECTION_LABELS.get(collection, collection)} {pid}: {note}"
                )
