"""Build the open-data files now (the scheduled task does it when the registry changed)."""

from django.core.management.base import BaseCommand

from opendata.services import open_data_build


class Command(BaseCommand):
    help = "Build the open-data files (CSV, JSON, Popolo) and their manifest."

    def handle(self, *args, **options):
        manifest = open_data_build()
        for item in manifest["files"]:
            self.stdout.write(f"{item['name']}\t{item['size']}\t{item['sha256']}")
