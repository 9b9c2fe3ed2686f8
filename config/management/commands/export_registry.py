"""python manage.py export_registry [--output FILE]: the canonical export of the whole registry
(config/canonical.py), byte for byte the same for the same data; to stdout without --output."""

import hashlib
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from config.canonical import canonical_export


class Command(BaseCommand):
    help = "Write a deterministic export of every record of every model (one JSON line each)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args, output: Path | None = None, **options):
        content = canonical_export()
        if output is None:
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
            return
        output.write_bytes(content)
        digest = hashlib.sha256(content).hexdigest()
        lines = content.count(b"\n")
        self.stderr.write(f"{lines} records, sha256 {digest}, written to {output}")
