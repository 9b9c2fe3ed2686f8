"""Fill the database with a synthetic registry at city scale, for benchmarks (deterministic per seed)."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo.scale import seed_scale


class Command(BaseCommand):
    help = (
        "Add a synthetic registry (Vietnamese names, posts changing holders, lineages, support "
        "groups, targets, measurements and history) of the given size; the same seed writes the "
        "same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--committees", type=int, default=5000)
        parser.add_argument("--people", type=int, default=20000)
        parser.add_argument("--memberships", type=int, default=100000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        started = time.monotonic()
        verbose = options["verbosity"] > 1
        try:
            result = seed_scale(
                committees=options["committees"],
                people=options["people"],
                memberships=options["memberships"],
                seed=options["seed"],
                progress=(lambda message: self.stdout.write(f"  {message}"))
                if verbose
                else (lambda message: None),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for label, count in result.counts.items():
            self.stdout.write(f"created: {count} {label}")
        self.stdout.write(
            self.style.SUCCESS(f"Scale data written in {time.monotonic() - started:.1f} s.")
        )
