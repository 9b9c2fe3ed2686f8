"""Fill the database with a synthetic registry at city or national scale, for benchmarks
(deterministic per seed)."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo.scale import SIZES, seed_scale


class Command(BaseCommand):
    help = (
        "Add a synthetic registry (Vietnamese names, posts changing holders, lineages, support "
        "groups, targets, measurements and history) of the given size; the same seed writes the "
        "same data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=sorted(SIZES),
            default="city",
            help="city: 5,000 committees, 20,000 people, 100,000 seats, 10 meetings a committee; "
            "national: 50,000 committees, 200,000 people, 1,000,000 seats, 2 meetings a "
            "committee. The options below change one figure of it.",
        )
        parser.add_argument("--committees", type=int)
        parser.add_argument("--people", type=int)
        parser.add_argument("--memberships", type=int)
        parser.add_argument("--meetings-per-committee", type=int)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        started = time.monotonic()
        verbose = options["verbosity"] > 1
        try:
            size = {
                name: options[name] if options[name] is not None else default
                for name, default in SIZES[options["size"]].items()
            }
            result = seed_scale(
                **size,
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
