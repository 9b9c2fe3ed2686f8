"""The Popolo round trip on the embedded SQLite path (`make run`): a file using every field
imports, gives every field back, and a second import changes nothing.

Run in a subprocess on a fresh SQLite file, since the suite's own database is PostgreSQL."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import copy, json
from django.db import connection
from api.popolo import popolo_document
from tests.api.test_popolo_round_trip import every_field, everything, import_file, missing_fields

data = every_field()
import_file(copy.deepcopy(data))
exported = popolo_document(reader=True)
before = everything()
report = import_file(copy.deepcopy(data))
print("RESULT " + json.dumps({
    "vendor": connection.vendor,
    "missing": missing_fields(data, exported),
    "changed": everything() != before,
    "created": sum(report.created.values()),
    "updated": sum(report.updated.values()),
}))
"""


def test_the_popolo_round_trip_holds_on_the_embedded_sqlite_path(tmp_path):
    env = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env["DJANGO_VAR_DIR"] = str(tmp_path)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(
        [*manage, "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [*manage, "shell", "-c", SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    assert result == {
        "vendor": "sqlite",
        "missing": [],
        "changed": False,
        "created": 0,
        "updated": 0,
    }
