"""`make bench`: every page at demo size and at city scale, interleaved in one process; a table
on stdout and bench/results.json."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import bench


class Command(BaseCommand):
    help = (
        "Measure every page and the heavy operations on two databases side by side (demo size, "
        "and the same plus seed_scale), alternating the sizes: query counts, median and p90 "
        "server time, the ratio and the budgets; print a table and write JSON. The databases "
        "are <name>_demo and <name>_scale (<name> from DATABASE_URL, containing 'bench'), "
        "reused while what built them is unchanged."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--fresh", action="store_true", help="Build both databases again.")
        parser.add_argument(
            "--databases",
            metavar="NAME",
            help="The databases are NAME_demo and NAME_scale (NAME must contain 'bench'; "
            "by default the configured database's name).",
        )
        parser.add_argument("--committees", type=int, default=5000)
        parser.add_argument("--people", type=int, default=20000)
        parser.add_argument("--memberships", type=int, default=100000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--scale-template",
            metavar="DATABASE",
            help="Clone the city-scale database from this one (demo data and seed_scale "
            "already in it) instead of seeding it.",
        )
        parser.add_argument(
            "--migrated",
            metavar="DATABASE",
            help="Build the demo database from a copy of this one (migrated, holding nothing "
            "else) instead of migrating an empty one.",
        )
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="SUBSTRING",
            help="Measure only the pages and checks whose name contains it (repeatable).",
        )
        parser.add_argument(
            "--skip",
            action="append",
            default=[],
            metavar="SUBSTRING",
            help="Leave out the pages and checks whose name contains it (repeatable): at "
            "national size, the open-data rebuild takes an hour.",
        )
        parser.add_argument(
            "--budget-ratio",
            type=float,
            default=bench.BUDGET_RATIO,
            help="Scale at most this many times demo (2 at city scale, 3 at national size).",
        )
        parser.add_argument("--rounds", type=int, default=5, help="Alternations demo/scale.")
        parser.add_argument("--repeat", type=int, default=3, help="Requests per size and round.")
        parser.add_argument("--warmup", type=int, default=1, help="Untimed requests per size.")
        parser.add_argument("--output", type=Path, default=bench.RESULTS)

    def handle(self, *args, **options):
        try:
            results = bench.run(
                base=options["databases"] or str(settings.DATABASES["default"]["NAME"]),
                scale={
                    key: options[key] for key in ("committees", "people", "memberships", "seed")
                },
                fresh=options["fresh"],
                template=options["scale_template"],
                migrated=options["migrated"],
                only=options["only"],
                skip=options["skip"],
                budget_ratio=options["budget_ratio"],
                rounds=max(1, options["rounds"]),
                repeat=max(1, options["repeat"]),
                warmup=max(0, options["warmup"]),
                output=options["output"],
                progress=lambda message: self.stderr.write(f"  {message}"),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(bench.table(results))
        self.stdout.write(f"Results written to {options['output']}")
        if not results["budgets_held"]:
            self.stdout.write(self.style.WARNING("Some budgets were missed (see above)."))
