"""The benchmark's machinery on a tiny registry, so that it cannot rot: its two databases are
built (the demo one from a copy of the migrated test database, the city-scale one from a copy
of the demo one), then reused; the selected pages are measured at both sizes; results.json has
its shape. No figure is asserted (timings belong to `make bench`, not to tests)."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from demo import bench, bench_databases

pytestmark = pytest.mark.django_db

ONLY = ["floor", "admin committees", "report pipeline", "WeasyPrint"]
TINY = ["--committees", "20", "--people", "50", "--memberships", "200"]
MEASURED = {"median_ms", "p90_ms", "queries", "samples"}


def _bench(base: str, output, *only: str, migrated: str | None = None) -> tuple[dict, str]:
    out = StringIO()
    args = ["--databases", base, "--rounds", "1", "--repeat", "1", "--warmup", "0"]
    args += ["--migrated", migrated] if migrated else []
    args += [f"--only={part}" for part in only] + ["--output", str(output), *TINY]
    call_command("bench", *args, stdout=out, stderr=StringIO())
    return json.loads(output.read_text(encoding="utf-8")), out.getvalue()


def test_two_databases_measured_alternately_then_reused(tmp_path, migrated_database):
    base = f"{settings.DATABASES['default']['NAME']}_bench"
    try:
        results, printed = _bench(
            base, tmp_path / "results.json", *ONLY, migrated=migrated_database
        )
        again, _printed = _bench(base, tmp_path / "again.json", "floor")
        # Only a database without records may stand for a migrated one.
        with pytest.raises(CommandError, match="holds records"):
            _bench(f"{base}_other", tmp_path / "other.json", "floor", migrated=f"{base}_demo")
        other = bench_databases.stored_fingerprint(f"{base}_other_demo")
    finally:
        for size in bench_databases.SIZES:
            bench_databases.drop(f"{base}_{size}")
            bench_databases.drop(f"{base}_other_{size}")

    names = [row["name"] for row in results["rows"]]
    expected = [case.name for case in bench.cases() if bench._selected(case.name, ONLY)]
    assert names == expected
    assert "admin committees, search ban chi dao" in names
    for row in results["rows"]:
        assert "error" not in row, row
        assert set(row["demo"]) == set(row["scale"]) == MEASURED
        assert row["demo"]["samples"] == row["scale"]["samples"] == 1
        assert row["ratio"] > 0
        assert row["held"] in (True, False, None)
    assert results["checks"][0]["name"] == "report pipeline ÷ WeasyPrint alone"
    assert {"demo", "scale", "budget", "held"} <= set(results["checks"][0])

    demo, scale = results["databases"]["demo"], results["databases"]["scale"]
    assert demo["name"] == f"{base}_demo"
    assert scale["name"] == f"{base}_scale"
    assert not demo["build"]["reused"]
    assert not scale["build"]["reused"]
    assert demo["build"]["template"] == migrated_database
    assert scale["build"]["template"] == f"{base}_demo"
    assert demo["build"]["load_seeds"] >= 0
    assert scale["build"]["seed_scale"] >= 0
    assert scale["counts"]["committees"] == demo["counts"]["committees"] + 20
    assert demo["counts"]["memberships"] > 1000  # the 1,000-seat fixture at both sizes

    assert other is None  # refused, and dropped

    assert [row["name"] for row in again["rows"]] == [bench.FLOOR]
    assert again["databases"]["demo"]["build"] == {"reused": True}
    assert again["databases"]["scale"]["build"] == {"reused": True}
    assert again["databases"]["scale"]["counts"] == scale["counts"]  # the rounds wrote nothing

    assert "floor (constant view)" in printed
    assert f"from a copy of {migrated_database}" in printed
    assert "report pipeline ÷ WeasyPrint alone" in printed
    assert f"scale: {base}_scale" in printed


def test_the_databases_must_be_the_benchmarks_own():
    with pytest.raises(Exception, match="must contain 'bench'"):
        call_command("bench", "--databases", "registry", "--only", "floor", stdout=StringIO())
