"""Shared set-up for the benchmarks: a separate database with 100,000 demo cases.

The data lives in its own database (caseintake_bench on the embedded PostgreSQL, or the one
BENCH_DATABASE_URL names), so benchmarks never touch development data. Seeding happens once and is
reused by later runs.
"""

import os
import statistics
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BENCH_DATABASE = "caseintake_bench"


def setup_django() -> None:
    # WhiteNoise notes that collectstatic has not run; benchmarks serve no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if "BENCH_DATABASE_URL" in os.environ:
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        import psycopg

        from config.embedded_postgres import embedded_database

        db = embedded_database(ROOT / ".data" / "postgres")
        dsn = f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]).fetchone():
                conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
        os.environ["DATABASE_URL"] = (
            f"postgres://postgres@{quote(db['HOST'], safe='')}:{db['PORT']}/{BENCH_DATABASE}"
        )
    import django

    django.setup()
    from django.conf import settings

    # Measure as production runs: no query log kept in memory, and the test client's host allowed.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_cases(count: int) -> None:
    from django.db import connection

    from intake.models import Case
    from tests.conftest import ensure_roles

    ensure_roles()
    reviewer = bench_user("bench-reviewer", "Reviewer")
    bench_user("bench-coordinator", "Coordinator")
    bench_user("bench-supervisor", "Supervisor")
    missing = count - Case.objects.count()
    if missing > 0:
        print(f"Seeding {missing:,} demo cases (once; later runs reuse them)...", flush=True)
        started = time.monotonic()
        from assessments.demo import seed

        seed(missing, seed=int(time.time()), reviewers=[reviewer], workers=os.cpu_count() or 1)
        print(f"Seeded in {time.monotonic() - started:.0f} s.", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def bench_user(username: str, role: str):
    from django.contrib.auth.models import Group, User

    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    if created:
        user.groups.add(Group.objects.get(name=role))
    return user


def staff_client(username: str):
    """A test client signed in as a bench user, both sign-in steps done, as the tests' client_for."""
    from django.contrib.auth.models import User

    from tests.conftest import client_for

    return client_for(User.objects.get(username=username))


def timed(fn, *, runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]
