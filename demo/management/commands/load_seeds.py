"""Load the demo data of the source articles; safe to run again."""

from django.core.management.base import BaseCommand

from demo.seeding import load_seeds


class Command(BaseCommand):
    help = "Load the committees, people, posts, agencies, instruments, mandates and targets of the source articles."

    def handle(self, *args, **options):
        result = load_seeds()
        for label, bucket in (("created", result.created), ("updated", result.updated)):
            for name, count in sorted(bucket.items()):
                self.stdout.write(f"{label}: {count} {name}")
        if not result.created and not result.updated:
            self.stdout.write("Nothing to do: the demo data is already loaded.")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
