"""The trial catalogue at scale: import throughput, and matching a case against 100,000 studies.

The 100,000 studies are SYNTHETIC variants of the real records in trials/catalogue (new NCT numbers
in the unassigned NCT9xxxxxxx range, titles starting "[Synthetic variant of NCT...]", conditions and
sites shuffled between records). They live in the benchmark database only (see bench/_setup.py),
are made once and reused by later runs.

Prints studies per second for the import, and the median and 95th percentile of candidate matching
for realistic cases (target: p95 under 150 ms, with the same number of queries whatever is found).

    .venv/bin/python bench/trials.py [--studies 100000] [--runs 40]
"""

import argparse
import copy
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

# This file shares its name with the trials app (and its folder holds queue.py): keep the folder off
# the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bench._setup import ROOT, p95, setup_django, staff_client, timed  # noqa: E402

TARGET_MS = 150
CATALOGUE = ROOT / "trials" / "catalogue"
SYNTHETIC_MARK = "Synthetic variant of {nct}, made by bench/trials.py for load testing. Not a real study."


def real_records() -> list[dict]:
    records = json.loads((CATALOGUE / "clinicaltrials-gov" / "studies-50.json").read_text())
    for folder in (CATALOGUE / "clinicaltrials-gov" / "single", CATALOGUE / "written-by-us"):
        records += [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    return [r for r in records if r.get("protocolSection", {}).get("statusModule")]


def synthetic_variants(records: list[dict], start: int, count: int, seed: int, lean: bool = False):
    """Variants of the real records: new NCT numbers, conditions and sites shuffled between them.
    Lean variants leave out the sections the catalogue does not keep (results, documents)."""
    rng = random.Random(seed)
    conditions = [r["protocolSection"].get("conditionsModule", {}) for r in records]
    sites = [
        s
        for r in records
        for s in r["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])
    ]
    for i in range(start, start + count):
        record = copy.deepcopy(records[i % len(records)])
        protocol = record["protocolSection"]
        ident = protocol["identificationModule"]
        original = ident["nctId"]
        ident["nctId"] = f"NCT9{i:07d}"
        ident["briefTitle"] = f"[Synthetic variant of {original}] {ident.get('briefTitle', '')}"
        record["_synthetic"] = SYNTHETIC_MARK.format(nct=original)
        if lean:
            for section in ("resultsSection", "documentSection", "derivedSection", "annotationSection"):
                record.pop(section, None)
            protocol.get("descriptionModule", {}).pop("detailedDescription", None)
        protocol["conditionsModule"] = copy.deepcopy(rng.choice(conditions))
        contacts = protocol.setdefault("contactsLocationsModule", {})
        if contacts.get("locations"):
            contacts["locations"] = rng.sample(sites, k=rng.randint(1, 8))
        yield record


def write_list(path: Path, records) -> None:
    with path.open("w") as f:
        f.write("[")
        for i, record in enumerate(records):
            f.write(("," if i else "") + json.dumps(record))
        f.write("]")


def import_file(path: Path):
    from trials.importer import Importer, records_in_paths

    started = time.perf_counter()
    with Importer() as importer:
        for label, record in records_in_paths([path]):
            importer.feed(label, record)
    return importer.counts, time.perf_counter() - started


def ensure_studies(count: int, records: list[dict]) -> None:
    from django.db import connection

    from trials.models import Study

    missing = count - Study.objects.count()
    if missing <= 0:
        return
    print(f"Importing {missing:,} synthetic studies (once; later runs reuse them)...", flush=True)
    first = Study.objects.filter(nct_id__startswith="NCT9").count()
    chunk = 10_000
    with tempfile.TemporaryDirectory() as folder:
        for start in range(first, first + missing, chunk):
            path = Path(folder) / "chunk.json"
            write_list(
                path, synthetic_variants(records, start, min(chunk, first + missing - start), seed=start)
            )
            counts, seconds = import_file(path)
            print(
                f"  {start + counts.new:,} synthetic studies ({counts.new / seconds:,.0f} studies/s)",
                flush=True,
            )
    with connection.cursor() as cursor:
        for table in ("trials_study", "trials_studyfacts", "trials_site"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def measure_import(records: list[dict]) -> None:
    from trials.models import Study

    print("\nImport throughput (streamed JSON list, upsert by NCT number)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "throughput.json"
        count = 5_000
        write_list(path, synthetic_variants(records, 8_000_000, count, seed=1))
        size = path.stat().st_size / 1e6
        counts, seconds = import_file(path)
        print(
            f"  {count:,} new studies, whole records ({size:.0f} MB): {counts.new / seconds:>6,.0f} studies/s"
        )
        counts, seconds = import_file(path)
        print(f"  the same again (all unchanged):        {counts.unchanged / seconds:>6,.0f} studies/s")
        Study.objects.filter(nct_id__gte="NCT98000000", nct_id__lte="NCT98999999").delete()
    counts, seconds = import_file(CATALOGUE)
    print(f"  the demo catalogue ({counts.total} records): {seconds:.2f} s")


BENCH_CASES = [
    # name, page overrides for tests.conftest.make_case
    (
        "relapsed T-ALL after CAR-T, travels in region",
        {"patient": {"travel": "region"}, "treatments": "car_t"},
    ),
    ("relapsed T-ALL, only close to home", {"patient": {"travel": "local"}}),
    ("relapsed T-ALL, anywhere in the country", {"patient": {"travel": "country"}}),
    ("relapsed T-ALL, abroad too", {"patient": {"travel": "abroad"}}),
    (
        "myeloma, 67, near Denver",
        {
            "patient": {"patient_age": "67", "region": "Colorado", "postal_code": "80045", "travel": "local"},
            "diagnosis": {"diagnosis": "myeloma"},
        },
    ),
    (
        "NK-cell leukemia in Japan (own words)",
        {
            "patient": {"patient_age": "45", "country": "JP", "region": "Hiroshima", "postal_code": ""},
            "diagnosis": {"diagnosis": "other", "diagnosis_other": "Aggressive NK-cell leukemia"},
        },
    ),
]
CAR_T = {
    "treatments-TOTAL_FORMS": "2",
    "treatments-1-kind": "car_t",
    "treatments-1-name": "Tisagenlecleucel",
    "treatments-1-outcome": "did_not_work",
}


def make_bench_case(pages: dict):
    from tests.conftest import make_case

    pages = dict(pages)
    if pages.pop("treatments", None) == "car_t":
        pages["treatments"] = CAR_T
    diagnosis = {"diagnosis": "t_all", "disease_status": "relapsed", **pages.pop("diagnosis", {})}
    patient = {"patient_age": "14", **pages.pop("patient", {})}
    return make_case(ip="198.51.100.7", patient=patient, diagnosis=diagnosis, **pages)


def measure_matching(runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.option_forms import OptionFiltersForm
    from assessments.options import options_panel
    from trials.models import Site, Study

    print(
        f"\nMatching with {Study.objects.count():,} studies and {Site.objects.count():,} sites, "
        f"{runs} runs each (ms)"
    )
    print(f"{'case':<48} {'found':>7} {'queries':>8} {'median':>8} {'p95':>8}")
    coordinator = staff_client("bench-coordinator")
    # The target is for matching a case as the panel does (the family's answers as filters); the
    # reviewer's free search and widest filters are measured too, and reported apart.
    worst, widest, query_counts, made = 0.0, 0.0, set(), []
    scenarios = []
    for name, pages in BENCH_CASES:
        case = make_bench_case(pages)
        made.append(case)
        scenarios.append((name, case, {}))
    scenarios.append(
        (
            "search: “T-lymphoblastic lymphoma”, any diagnosis",
            made[2],
            {"q": "T-lymphoblastic lymphoma", "scope": "any"},
        )
    )
    scenarios.append(
        (
            "widened: any diagnosis, anywhere, any status",
            made[0],
            {"scope": "any", "place": "anywhere", "status": "any"},
        )
    )
    for name, case, params in scenarios:
        form = OptionFiltersForm(params or None)

        def match(case=case, form=form):
            return options_panel(case, filters_form=form, limit=20)

        with CaptureQueriesContext(connection) as queries:
            found = match()["results"].total
        query_counts.add(len(queries))
        times = timed(match, runs=runs)
        if params:
            widest = max(widest, p95(times))
        else:
            worst = max(worst, p95(times))
        print(f"{name:<48} {found:>7,} {len(queries):>8} {statistics.median(times):>8.1f} {p95(times):>8.1f}")

    def page():
        response = coordinator.get(f"/review/cases/{made[0].reference}/options/")
        assert response.status_code == 200

    times = timed(page, runs=runs)
    name = "the options page, whole request"
    print(f"{name:<48} {'':>7} {'':>8} {statistics.median(times):>8.1f} {p95(times):>8.1f}")
    page_p95 = p95(times)
    for case in made:
        case.delete()
    verdict = "met" if worst < TARGET_MS else "NOT met"
    constant = "constant" if len(query_counts) == 1 else f"NOT constant: {sorted(query_counts)}"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nLoad average (1, 5, 15 min) at the end: {load}, on {os.cpu_count()} cores shared with others.")
    print(f"Matching a case, worst p95: {worst:.1f} ms; target p95 < {TARGET_MS} ms: {verdict}.")
    print(f"Queries per match: {constant}.")
    print(f"Reviewer's free search and widest filters, worst p95: {widest:.1f} ms.")
    print(f"The options page, whole request, p95: {page_p95:.1f} ms.")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--matching-only", action="store_true", help="skip the import throughput")
    args = parser.parse_args()
    setup_django()
    from bench._setup import bench_user
    from tests.conftest import ensure_roles

    ensure_roles()
    bench_user("bench-coordinator", "Coordinator")
    records = real_records()
    if not args.matching_only:
        measure_import(records)
    ensure_studies(args.studies, records)
    measure_matching(args.runs)


if __name__ == "__main__":
    main()
