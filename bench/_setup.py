"""Shared set-up for the benchmarks: a separate database with 100,000 demo cases.

The data lives in its own database (caseintake_bench on the embedded PostgreSQL, or the one
BENCH_DATABASE_URL names), so benchmarks never touch development data. Seeding happens once and is
reused by later runs. A run with more cases than the usual 100,000 gets a database of its own
(caseintake_bench_1000000 for a million), so both sizes can be measured side by side.
"""

import base64
import os
import statistics
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BENCH_DATABASE = "caseintake_bench"
DEFAULT_CASES = 100_000


def setup_django(cases: int = DEFAULT_CASES) -> None:
    # WhiteNoise notes that collectstatic has not run; benchmarks serve no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if "BENCH_DATABASE_URL" in os.environ:
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        import psycopg

        from config.embedded_postgres import embedded_database

        name = BENCH_DATABASE if cases <= DEFAULT_CASES else f"{BENCH_DATABASE}_{cases}"
        db = embedded_database(ROOT / ".data" / "postgres")
        dsn = f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@{quote(db['HOST'], safe='')}:{db['PORT']}/{name}"
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
        from assessments.demo_bulk import seed_bulk

        make = seed_bulk if missing >= 20_000 else seed
        make(missing, seed=int(time.time()), reviewers=[reviewer], workers=os.cpu_count() or 1)
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


BENCH_PASSWORD = "bench passphrase, not for use"  # noqa: S105 - bench accounts in the bench database


@contextmanager
def gunicorn(workers: int = 2):
    """The application under gunicorn on a free loopback port, against the bench database, with the
    settings `make serve` uses. Yields its base URL."""
    import secrets
    import shutil
    import subprocess
    import urllib.request

    from django.conf import settings

    from tests.servers import free_port

    port = free_port()
    keys = ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in settings.DOCUMENT_KEYS.items())
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "DOCUMENT_KEYS": keys,
        "STATIC_ROOT": str(ROOT / ".data" / "bench-static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "LOG_LEVEL": "WARNING",
    }
    if not (ROOT / ".data" / "bench-static" / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
        )
    log = open(ROOT / ".data" / "bench-gunicorn.log", "w")  # noqa: SIM115 - closed below
    command = [
        shutil.which("gunicorn", path=str(Path(sys.executable).parent)),
        "-c",
        "config/gunicorn.py",
        "config.wsgi",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 - our own loopback
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start: see .data/bench-gunicorn.log") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def http_client(base_url: str, username: str):
    """A browser-like HTTP client signed in as a bench user, through both sign-in steps."""
    import logging

    import httpx
    from django.contrib.auth.models import User

    logging.getLogger("httpx").setLevel(logging.WARNING)  # it notes every request at INFO

    from tests.conftest import authenticator_for, next_code

    user = User.objects.get(username=username)
    if not user.check_password(BENCH_PASSWORD):
        user.set_password(BENCH_PASSWORD)
        user.save()
    client = httpx.Client(base_url=base_url, timeout=60)
    client.get("/accounts/login/")

    def post(path, data):
        data = {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"]}
        return client.post(path, data=data, headers={"Referer": f"{base_url}{path}"})

    assert post("/accounts/login/", {"username": username, "password": BENCH_PASSWORD}).status_code == 302
    response = post("/accounts/two-factor/", {"code": next_code(authenticator_for(user))})
    assert response.status_code == 302, response.text[:300]
    return client
