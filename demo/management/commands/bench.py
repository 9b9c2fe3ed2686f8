"""`make bench`: page cost at demo size and at city scale, printed and written to bench/results.json."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from demo import bench


class Command(BaseCommand):
    help = (
        "Measure the main pages at demo size and at seed_scale size in one run (server time "
        "median/p95, query count, ratio to a constant view); print a table and write JSON."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="Drop and create the (benchmark) database first; its name must contain 'bench'.",
        )
        parser.add_argument("--committees", type=int, default=5000)
        parser.add_argument("--people", type=int, default=20000)
        parser.add_argument("--memberships", type=int, default=100000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--repeat", type=int, default=15, help="Timed requests per page.")
        parser.add_argument("--output", type=Path, default=bench.RESULTS)

    def handle(self, *args, **options):
        if options["fresh"]:
            try:
                bench.recreate_database()
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        results = bench.run(
            committees=options["committees"],
            people=options["people"],
            memberships=options["memberships"],
            seed=options["seed"],
            repeat=options["repeat"],
            output=options["output"],
            progress=lambda message: self.stderr.write(f"  {message}"),
        )
        self.stdout.write(bench.table(results))
        self.stdout.write(f"Results written to {options['output']}")
        if not results["budgets_met"]:
            self.stdout.write(self.style.WARNING("Some budgets were missed (see above)."))
