"""Exports with 100,000 cases: time and peak memory of the CSV export, and time of a PDF summary.

Targets: the CSV export of 100,000 cases in under 15 s, with peak memory that does not grow with the
number of rows (compare 10,000 and 100,000); one PDF summary in under 1 s (median).

    .venv/bin/python bench/exports.py [--cases 100000] [--pdf-runs 10]
"""

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

# bench/queue.py shares its name with the standard library's queue module: keep this folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bench._setup import ensure_cases, setup_django, staff_client, timed  # noqa: E402

CSV_TARGET_S = 15
PDF_TARGET_S = 1


def consume(client, url) -> tuple[int, int]:
    """Download a streamed export; returns its size in bytes and rows."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    size = rows = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
    return size, rows


def measure_csv(client, url) -> dict:
    started = time.perf_counter()
    size, rows = consume(client, url)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    consume(client, url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": rows - 1,
        "seconds": seconds,
        "peak_mb": peak / 1024 / 1024,
        "size_mb": size / 1024 / 1024,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--pdf-runs", type=int, default=10)
    args = parser.parse_args()
    setup_django(args.cases)
    ensure_cases(args.cases)

    from intake.models import Case

    client = staff_client("bench-supervisor")
    client.get("/review/")
    total = Case.objects.count()
    # The newest tenth of the cases: a real queue filter, "submitted from" a date.
    tenth = Case.objects.order_by("-submitted_at").values_list("submitted_at", flat=True)[total // 10]
    since = tenth.date().isoformat()

    print(f"\nCSV export of the queue with {total:,} cases")
    print(f"{'view':<34} {'rows':>8} {'seconds':>8} {'peak MB':>8} {'file MB':>8}")
    results = {}
    for name, url in [
        ("submitted since " + since, f"/review/export.csv?tab=all&submitted_from={since}"),
        ("all cases", "/review/export.csv?tab=all"),
    ]:
        result = measure_csv(client, url)
        results[name] = result
        rows, seconds = f"{result['rows']:>8,}", f"{result['seconds']:>8.2f}"
        print(f"{name:<34} {rows} {seconds} {result['peak_mb']:>8.2f} {result['size_mb']:>8.2f}")
    small, large = results.values()
    print(
        f"Time for all: {large['seconds']:.1f} s (target < {CSV_TARGET_S} s: "
        f"{'met' if large['seconds'] < CSV_TARGET_S else 'NOT met'}). "
        f"Peak memory {small['peak_mb']:.1f} MB for {small['rows']:,} rows vs {large['peak_mb']:.1f} MB for "
        f"{large['rows']:,} rows ({large['peak_mb'] / max(small['peak_mb'], 0.01):.2f}x for "
        f"{large['rows'] / max(small['rows'], 1):.0f}x the rows)."
    )

    reference = (
        Case.objects.filter(first_response_at__isnull=False).values_list("reference", flat=True).first()
    )

    def pdf():
        response = client.get(f"/review/cases/{reference}/summary.pdf")
        assert response.status_code == 200

    times = timed(pdf, runs=args.pdf_runs, warmup=1)
    median = statistics.median(times) / 1000
    verdict = "met" if median < PDF_TARGET_S else "NOT met"
    runs = f"{args.pdf_runs} runs"
    print(f"\nPDF summary: median {median:.2f} s over {runs} (target < {PDF_TARGET_S} s: {verdict})")


if __name__ == "__main__":
    main()
