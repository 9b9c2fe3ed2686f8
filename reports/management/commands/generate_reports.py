"""Request review reports for one committee or all active ones (and the city), optionally in-process."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from committees.models import Committee
from reports import services
from reports.models import Report
from reports.periods import Cadence, last_complete_period, parse_period


class Command(BaseCommand):
    help = "Make the review reports of a period (queued for the worker, or in-process with --sync)."

    def add_arguments(self, parser):
        parser.add_argument("--committee", metavar="SLUG", help="Only this committee.")
        parser.add_argument(
            "--period", help="2026-Q4, 2026-03 or 2026 (default: the last complete quarter)."
        )
        parser.add_argument("--language", default="vi", help="vi (default) or en.")
        parser.add_argument(
            "--sync", action="store_true", help="Render here and now instead of queueing."
        )
        parser.add_argument(
            "--regenerate", action="store_true", help="Make reports again even if they exist."
        )
        parser.add_argument(
            "--no-city", action="store_true", help="Without --committee: skip the city overview."
        )

    def handle(self, *args, **options):
        try:
            period = (
                parse_period(options["period"])
                if options["period"]
                else last_complete_period(timezone.localdate(), Cadence.QUARTERLY)
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["committee"]:
            committee = Committee.objects.filter(slug=options["committee"]).first()
            if committee is None:
                raise CommandError(f"No committee with the slug {options['committee']!r}.")
            scopes: list[Committee | None] = [committee]
        else:
            scopes = list(
                Committee.objects.filter(
                    Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=period.start)
                ).order_by("name", "pk")
            )
            if not options["no_city"]:
                scopes.append(None)
        counts: dict[str, int] = {}
        for scope in tqdm(
            scopes, desc=str(period), unit="report", disable=options["verbosity"] < 1
        ):
            report = services.report_request(
                committee=scope,
                period=period,
                language=options["language"],
                regenerate=options["regenerate"],
                send=not options["sync"],
            )
            if options["sync"] and report.status in (Report.Status.QUEUED, Report.Status.RUNNING):
                services.report_render(report_id=report.pk, task_id=report.task_id)
            report.refresh_from_db()
            counts[report.status] = counts.get(report.status, 0) + 1
            if report.status == Report.Status.FAILED:
                self.stderr.write(f"{report}: {report.error_message}")
        summary = ", ".join(f"{status}: {count}" for status, count in sorted(counts.items()))
        self.stdout.write(f"{period}: {summary}")
