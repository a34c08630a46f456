"""Server time of the reviewers' queue with 100,000 cases (or a million).

Prints the median and 95th percentile of each main view, of searches and of the case page. By default
measured in-process (the full Django stack and real SQL, no network); with --http, over HTTP against
gunicorn with 2 workers on loopback, one request at a time, as a browser would see it.

Targets: in-process, p95 under 150 ms. Over HTTP at 100,000 cases (the next bar): queue p95 under
20 ms, a search under 30 ms, the case page under 15 ms.

    .venv/bin/python bench/queue.py [--cases 100000] [--runs 40] [--http]
"""

import argparse
import statistics
import sys
from pathlib import Path

# This file shares its name with the standard library's queue module: keep its folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bench._setup import (  # noqa: E402
    ensure_cases,
    gunicorn,
    http_client,
    p95,
    setup_django,
    staff_client,
    timed,
)

TARGET_MS = 150
HTTP_TARGETS_MS = {"queue": 20, "search": 30, "case page": 15}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--http", action="store_true", help="Over HTTP, against gunicorn (2 workers).")
    args = parser.parse_args()
    setup_django(args.cases)
    ensure_cases(args.cases)

    if args.http:
        with gunicorn(workers=2) as url:
            coordinator, reviewer = http_client(url, "bench-coordinator"), http_client(url, "bench-reviewer")
            measure(
                args, coordinator, reviewer, over="over HTTP (gunicorn, 2 workers, one request at a time)"
            )
        return
    coordinator, reviewer = staff_client("bench-coordinator"), staff_client("bench-reviewer")
    measure(args, coordinator, reviewer, over="in-process")


def measure(args, coordinator, reviewer, *, over: str) -> None:
    from intake.models import Case

    some_case = Case.objects.order_by("?").values_list("reference", flat=True).first()

    views = [
        ("coordinator: needs triage (default)", coordinator, "/review/"),
        ("coordinator: all cases", coordinator, "/review/?tab=all"),
        ("coordinator: all cases, page 100", coordinator, "/review/?tab=all&page=100"),
        (
            "coordinator: urgent acute leukemia",
            coordinator,
            "/review/?tab=all&urgency=1&group=acute_leukemia",
        ),
        ("coordinator: overdue", coordinator, "/review/?tab=all&response=overdue"),
        ("coordinator: submitted last 30 days", coordinator, "/review/?tab=all&submitted_from=2026-10-25"),
        ("reviewer: my cases (default)", reviewer, "/review/"),
        ("reviewer: unassigned", reviewer, "/review/?tab=unassigned"),
        ("search: treatment name", coordinator, "/review/?tab=all&q=nelarabine"),
        ("search: words", coordinator, "/review/?tab=all&q=lymphoma+relapsed"),
        ("search: reference code", coordinator, f"/review/?tab=all&q={some_case}"),
        ("case page", coordinator, f"/review/cases/{some_case}/"),
    ]
    print(f"\nQueue server time with {Case.objects.count():,} cases, {over}, {args.runs} runs each (ms)")
    print(f"{'view':<42} {'median':>8} {'p95':>8}")
    worst, results = 0.0, []
    for name, client, url in views:

        def get(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        times = timed(get, runs=args.runs)
        results.append((name, p95(times)))
        worst = max(worst, p95(times))
        print(f"{name:<42} {statistics.median(times):>8.1f} {p95(times):>8.1f}")
    if args.http:
        for kind, target in HTTP_TARGETS_MS.items():
            values = [p for name, p in results if kind_of(name) == kind]
            verdict = "met" if max(values) < target else "NOT met"
            print(f"{kind}: worst p95 {max(values):.1f} ms; target < {target} ms: {verdict}")
        return
    verdict = "met" if worst < TARGET_MS else "NOT met"
    print(f"\nWorst p95: {worst:.1f} ms; target p95 < {TARGET_MS} ms: {verdict}")


def kind_of(name: str) -> str:
    return "search" if name.startswith("search") else "case page" if name == "case page" else "queue"


if __name__ == "__main__":
    main()
