"""One measurement in a fresh process, so that its peak memory is its own (the benchmark runs
it against each of its databases through DATABASE_URL):

    python -m demo.bench_probe popolo           # GET /api/popolo.json as the bench administrator
    python -m demo.bench_probe workbook FILE    # import_roster FILE into a new committee

It prints one JSON line: seconds, the process's peak resident memory before the work
(`baseline_mib`) and at its end (`peak_mib`). Whatever it writes is rolled back.
"""

import json
import os
import resource
import sys
import time
import uuid
from pathlib import Path


def _peak_mib() -> float:
    """This process's own peak resident memory. On Linux, VmHWM of /proc/self/status: the
    high-water mark of this program's memory alone. getrusage's ru_maxrss is not that: a child
    started by vfork and exec keeps its parent's peak as its own (the kernel carries the old
    memory's high-water mark across exec), so a probe started by a 300 MiB benchmark read
    307 MiB for a 130 MiB import, and "nothing added" for anything under the parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)  # kB
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def popolo() -> dict:
    from django.test import Client

    from demo.bench_fixtures import load_fixtures

    client = Client()
    client.force_login(load_fixtures().users["admin"])
    baseline = _peak_mib()
    started = time.perf_counter()
    response = client.get("/api/popolo.json")
    if response.status_code != 200:
        raise RuntimeError(f"/api/popolo.json answered {response.status_code}")
    size = sum(len(chunk) for chunk in response) if response.streaming else len(response.content)
    return {"seconds": time.perf_counter() - started, "baseline_mib": baseline, "bytes": size}


def workbook(path: str) -> dict:
    import datetime as dt

    from django.core.management import call_command
    from django.db import transaction

    from committees.models import Committee
    from committees.text import fold

    baseline = _peak_mib()
    started = time.perf_counter()
    with transaction.atomic():
        name = "Ban Chỉ đạo nhập bảng tính đo hiệu năng"
        committee = Committee(
            name=name,
            slug=f"bench-workbook-{uuid.uuid4().hex[:6]}",
            founded_on=dt.date(2025, 1, 1),
            search_key=fold(name),
        )
        committee.save()
        call_command(
            "import_roster",
            Path(path),
            committee=committee.slug,
            as_of=dt.date(2026, 1, 1),
            reason="Benchmark (rolled back)",
            verbosity=0,
        )
        seats = committee.memberships.count()
        transaction.set_rollback(True)
    return {"seconds": time.perf_counter() - started, "baseline_mib": baseline, "seats": seats}


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    # Nothing cached by another process may answer for this one.
    settings.CACHES["default"]["KEY_PREFIX"] = f"bench-probe-{uuid.uuid4().hex[:8]}"
    django.setup()
    kind, *args = argv
    result = {"popolo": popolo, "workbook": workbook}[kind](*args)
    result["peak_mib"] = _peak_mib()
    result["seconds"] = round(result["seconds"], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
