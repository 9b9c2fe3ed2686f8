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
    "areas": gettext_lazy("areas"),
    "successions": gettext_lazy("lineage steps"),
    "identifiers": gettext_lazy("identifiers"),
    "meta": gettext_lazy("file meta"),
}
RECORD_LABELS = {
    "committee": gettext_lazy("committee"),
    "agency": gettext_lazy("agency"),
    "area": gettext_lazy("area"),
}


class Command(BaseCommand):
    help = gettext_lazy(
        "Import a Popolo JSON file (persons, organizations, memberships, posts, events, "
        "areas), all or nothing. Records already imported are matched on their ids and "
        "identifiers; bodies and agencies also on their name and level."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # argparse needs text, not a lazy translation, for the description.
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

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
                if count
            ]
            return f"{label}: {', '.join(parts) if parts else '0'}"

        if report.dry_run:
            self.stdout.write(self.style.WARNING(_("Dry run: nothing was written.")))
        self.stdout.write(line(_("Created"), report.created))
        self.stdout.write(line(_("Updated"), report.updated))
        self.stdout.write(line(_("Unchanged"), report.unchanged))
        self.stdout.write(
            _("Matched with records already kept: %(count)d") % {"count": len(report.matches)}
        )
        for path_, pid, kind, name, how in report.matches:
            self.stdout.write(
                "  - "
                + _("%(path)s (%(id)s) is the %(kind)s “%(name)s”, found by %(how)s")
                % {
                    "path": path_,
                    "id": pid,
                    "kind": RECORD_LABELS.get(kind, kind),
                    "name": name,
                    "how": how,
                }
            )
