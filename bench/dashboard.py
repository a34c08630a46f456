"""Server time of the supervisors' dashboard with 100,000 cases.

Prints the median and 95th percentile for the default period (last 4 weeks) and for this year, and
the number of queries each takes, which must be the same: every figure is one aggregate query,
however many cases the period holds. Targets: p95 under 200 ms for 4 weeks, under 400 ms for a year.

    .venv/bin/python bench/dashboard.py [--cases 100000] [--runs 40]
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

# bench/queue.py shares its name with the standard library's queue module: keep this folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bench._setup import ensure_cases, p95, setup_django, staff_client, timed  # noqa: E402

TARGETS_MS = {"default": 200, "year": 400}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    setup_django(args.cases)
    ensure_cases(args.cases)

    from django.db import connection

    from intake.models import Case

    supervisor = staff_client("bench-supervisor")
    views = [
        ("default", "dashboard, last 4 weeks (default)", "/review/dashboard/"),
        ("year", "dashboard, this year", "/review/dashboard/?period=year"),
        ("csv", "CSV of on-time first answers, this year", "/review/dashboard/on-time.csv?period=year"),
    ]
    print(f"\nDashboard server time with {Case.objects.count():,} cases, {args.runs} runs each (ms)")
    print(f"{'view':<42} {'median':>8} {'p95':>8} {'queries':>8}")
    results = {}
    for key, name, url in views:

        def get(url=url):
            response = supervisor.get(url)
            assert response.status_code == 200, (url, response.status_code)

        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        # Counted as they go to the database: the request's own connection handling empties a query log.
        with connection.execute_wrapper(count):
            get()
        times = timed(get, runs=args.runs)
        results[key] = (p95(times), len(queries))
        print(f"{name:<42} {statistics.median(times):>8.1f} {p95(times):>8.1f} {len(queries):>8}")

    # Where the time goes: each figure's query and the Python around it, for both periods.
    from django.utils import timezone

    from assessments import dashboard

    now = timezone.now()
    periods = {c: dashboard.preset(c, timezone.localdate(now)) for c in ("4w", "year")}
    print(f"\n{'figure source (median ms)':<42} {'4 weeks':>8} {'year':>8}")
    for source in dashboard.SOURCES:
        medians = [
            statistics.median(timed(lambda p=p, f=source: f(p, now), runs=max(5, args.runs // 4)))
            for p in periods.values()
        ]
        print(f"{source.__name__:<42} {medians[0]:>8.1f} {medians[1]:>8.1f}")

    print()
    for key, target in TARGETS_MS.items():
        verdict = "met" if results[key][0] < target else "NOT met"
        print(f"p95 {key}: {results[key][0]:.1f} ms; target < {target} ms: {verdict}")
    same = results["default"][1] == results["year"][1]
    print(
        f"Queries: {results['default'][1]} for 4 weeks, {results['year'][1]} for a year: "
        + ("constant" if same else "NOT constant")
    )
    load = os.getloadavg()[0]
    print(
        f"Load average while measuring: {load:.1f} on {os.cpu_count()} cores (other work slows every number)"
    )


if __name__ == "__main__":
    main()
