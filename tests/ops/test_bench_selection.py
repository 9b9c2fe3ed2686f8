"""Which cases a benchmark run measures (`--only`, `--skip`) and the budget its table applies
(`--budget-ratio`: 2 at city scale, 3 at national size)."""

from demo import bench


def test_only_and_skip_select_cases_by_part_of_their_name():
    names = [case.name for case in bench.cases()]
    chosen = [n for n in names if bench._selected(n, ["API"], ["popolo"])]
    assert chosen, "the benchmark has API cases"
    assert all("api" in n.lower() and "popolo" not in n.lower() for n in chosen)
    assert any("popolo" in n.lower() for n in names if bench._selected(n, ["API"]))
    skipped = [n for n in names if not bench._selected(n, [], ["open data"])]
    assert skipped
    assert all("open data" in n.lower() for n in skipped)


def _row(ratio: float, budget: float) -> dict:
    return {
        "name": "a page",
        "ratio": ratio,
        "same_queries": True,
        "held": ratio <= budget,
        "budget_ratio": budget,
        "demo": {"queries": 3, "median_ms": 10.0, "p90_ms": 11.0},
        "scale": {"queries": 3, "median_ms": 10.0 * ratio, "p90_ms": 11.0 * ratio},
    }


def test_the_verdict_follows_the_runs_budget():
    assert bench._verdict(_row(2.5, 2.0)) == "MISS (time)"
    assert bench._verdict(_row(2.5, 3.0)) == "ok"


def test_a_probe_reads_its_own_peak_memory_not_its_parents():
    """The memory checks run demo.bench_probe as a child of the benchmark: its peak must be its
    own, or a 130 MiB import reads as the parent's 300 MiB (getrusage does that after vfork)."""
    import subprocess
    import sys
    from pathlib import Path

    ballast = bytearray(300 * 1024 * 1024)
    ballast[::4096] = b"\1" * len(ballast[::4096])  # resident, not only reserved
    code = "from demo.bench_probe import _peak_mib; print(_peak_mib())"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert len(ballast) == 300 * 1024 * 1024
    assert 0 < float(done.stdout) < 100, done.stdout
