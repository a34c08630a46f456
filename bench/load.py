"""Load and faults against the production set-up on loopback: gunicorn, the email worker and
housekeeping, as `make serve` runs them, on a PostgreSQL of their own and a real SMTP server.

Families submit complete cases with a 1 MB PDF each while reviewers browse the queue, search, open
cases and claim the next one. Meanwhile (unless --no-faults): a gunicorn worker is killed with SIGKILL
in the middle of uploads, PostgreSQL is restarted (fast shutdown, then start), and the mail server is
unreachable for a minute. Then every receipt is checked against the database, every document against
its hash, every email against the mail server. Prints numbers; asserts nothing.

    .venv/bin/python bench/load.py [--families 50] [--reviewers 20] [--seconds 120] [--no-faults]
"""

import argparse
import base64
import contextlib
import hashlib
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py shares its name with the standard library's queue module: keep this folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psutil  # noqa: E402

from tests.servers import free_port  # noqa: E402

WORK = ROOT / ".data" / "load"
PASSWORD = "load test passphrase, not for use"  # noqa: S105 - bench accounts in a throwaway database
REFERENCE = re.compile(r"CA-[0-9A-Z]{4}-[0-9A-Z]{4}")


def p(values, q):
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


class Mailbox:
    """A real SMTP server on loopback (aiosmtpd) that counts what it receives, and can go away."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                message = message_from_bytes(envelope.content)
                with mailbox.lock:
                    mailbox.messages.append((message["Message-ID"], ",".join(envelope.rcpt_tos)))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()


class Stack:
    """PostgreSQL, gunicorn, the email worker and housekeeping, started and stopped together."""

    def __init__(self, mailbox: Mailbox, workers: int, clamd_socket: Path | None):
        import pgserver

        WORK.mkdir(parents=True, exist_ok=True)
        self.pg = pgserver.get_server(WORK / "postgres", cleanup_mode="stop")
        info = self.pg.get_postmaster_info()
        socket = str(info.socket_dir).replace("/", "%2F")
        database = "caseintake_load"
        import psycopg

        with psycopg.connect(self.pg.get_uri(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{database}"')
        shutil.rmtree(WORK / "data", ignore_errors=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        key = base64.b64encode(secrets.token_bytes(32)).decode()
        self.env = {
            **os.environ,
            "DJANGO_DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": self.url,
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "DATABASE_URL": f"postgres://postgres@{socket}:{info.port}/{database}",
            "DATA_DIR": str(WORK / "data"),
            "DOCUMENT_KEYS": f"load1:{key}",
            "STATIC_ROOT": str(WORK / "static"),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mailbox.port),
            "EMAIL_TIMEOUT": "5",
            "INTAKE_MIN_FILL_SECONDS": "0",
            "INTAKE_SUBMISSIONS_PER_IP_PER_HOUR": "1000000",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "CLAMD_SOCKET": str(clamd_socket or ""),
        }
        os.environ.update(self.env)
        self.processes: list[subprocess.Popen] = []

    def manage(self, *args):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True)

    def start(self):
        self.manage("migrate", "--no-input", "--verbosity", "0")
        self.manage("collectstatic", "--no-input", "--verbosity", "0")
        logs = WORK / "logs"
        logs.mkdir(exist_ok=True)
        for name, command in [
            (
                "web",
                [str(Path(sys.executable).with_name("gunicorn")), "-c", "config/gunicorn.py", "config.wsgi"],
            ),
            ("email", [sys.executable, "manage.py", "send_outbox"]),
            ("housekeeping", [sys.executable, "manage.py", "housekeeping", "--loop", "--interval", "30"]),
        ]:
            out = open(logs / f"{name}.log", "w")  # noqa: SIM115 - open for the life of the process
            self.processes.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=self.env, stdout=out, stderr=out, start_new_session=True
                )
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not start: see .data/load/logs/web.log")

    def web_workers(self) -> list[psutil.Process]:
        return psutil.Process(self.processes[0].pid).children()

    def restart_postgres(self) -> float:
        from pgserver._commands import pg_ctl

        started = time.monotonic()
        pg_ctl(["-w", "-m", "fast", "restart"], pgdata=self.pg.pgdata, user=self.pg.system_user, timeout=60)
        return time.monotonic() - started

    def stop(self):
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        # After the restart the server is no longer the one pgserver started, so it would outlive us.
        from pgserver._commands import pg_ctl

        with contextlib.suppress(Exception):
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pg.pgdata, user=self.pg.system_user, timeout=60)


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()
        self.receipts: dict[str, str] = {}  # reference -> SHA-256 of the PDF sent with it
        self.claimed: list[str] = []

    def timing(self, kind: str, ms: float):
        with self.lock:
            self.timings[kind].append(ms)


def make_pdf_bytes(size: int) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    stream = DecodedStreamObject()
    stream.set_data(b"% " + secrets.token_hex(size // 2).encode() + b"\n")
    page[NameObject("/Contents")] = writer._add_object(stream)
    import io

    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class Visitor:
    """One browser: cookies, the CSRF token, and requests that survive a server that blinks."""

    def __init__(self, base: str, results: Results):
        self.client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
        self.results = results

    def request(self, method: str, url: str, *, kind: str | None = None, **kwargs) -> httpx.Response:
        # Retried like a person pressing the button again: a killed worker drops the connection, a
        # database restart answers 503 "try again in a minute".
        for attempt in range(30):
            started = time.perf_counter()
            try:
                if method == "POST":
                    kwargs.setdefault("data", {})["csrfmiddlewaretoken"] = self.client.cookies.get(
                        "csrftoken", ""
                    )
                    kwargs.setdefault("headers", {})["Referer"] = str(self.client.base_url) + url
                response = self.client.request(method, url, **kwargs)
            except httpx.TransportError as e:
                with self.results.lock:
                    self.results.errors[type(e).__name__] += 1
                time.sleep(0.5)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with self.results.lock:
                self.results.statuses[response.status_code] += 1
            if response.status_code >= 500:
                time.sleep(1 + attempt * 0.5)
                continue
            if kind:
                self.results.timing(kind, elapsed)
            return response
        raise RuntimeError(f"{method} {url} kept failing")


# Which logged requests are which kind, for the server's side of the timings.
SERVER_PATHS = {
    "final submit": re.compile(r"POST /case/check/$"),
    "upload 1 MB": re.compile(r"POST /case/documents/$"),
    "form page": re.compile(r"POST /case/(about-you|patient|diagnosis|treatments|now)/$"),
    # The log leaves query strings out (they can hold search words), so a search is logged as the
    # queue: both are counted under "queue".
    "queue": re.compile(r"GET /review/$"),
    "search": None,
    "case page": re.compile(r"GET /review/cases/[^/]+/$"),
    "claim next": re.compile(r"POST /review/claim-next/$"),
}
ACCESS_LINE = re.compile(r'"(\w+ [^"]*)" (\d{3}) \S+ (\d+)ms')


def server_times(log: Path) -> dict[str, list[float]]:
    """Each kind's answered requests as gunicorn timed them (config/gunicorn.py's access log)."""
    times = defaultdict(list)
    for line in log.read_text(errors="replace").splitlines():
        match = ACCESS_LINE.search(line)
        if not match or match.group(2).startswith("5"):
            continue
        for kind, pattern in SERVER_PATHS.items():
            if pattern and pattern.search(match.group(1)):
                times[kind].append(float(match.group(3)))
    return times


def family(base: str, results: Results, stop: threading.Event, pdf: bytes, number: int):
    from tests.conftest import ANSWERS

    digest = hashlib.sha256(pdf).hexdigest()
    while not stop.is_set():
        visitor = Visitor(base, results)
        visitor.request("GET", "/start/")
        visitor.request("POST", "/start/")
        for slug in ("about-you", "patient", "diagnosis", "treatments", "now"):
            answers = dict(ANSWERS[slug])
            if slug == "about-you":
                email = f"family{number}.{secrets.token_hex(3)}@example.com"
                answers.update(contact_email=email, contact_email_confirm=email)
            response = visitor.request("POST", f"/case/{slug}/", data=answers, kind="form page")
            assert response.status_code == 302, (slug, response.status_code, response.text[:500])
        response = visitor.request(
            "POST",
            "/case/documents/",
            data={"kind": "pathology", "action": "continue"},
            files={"files": ("pathology.pdf", pdf, "application/pdf")},
            kind="upload 1 MB",
        )
        assert response.status_code == 302, ("documents", response.status_code, response.text[:500])
        consent = {"privacy_notice": "on", "reviewers_may_read": "on", "website": ""}
        response = visitor.request("POST", "/case/check/", data=consent, kind="final submit")
        assert response.status_code == 302, ("check", response.status_code, response.text[:500])
        page = visitor.request("GET", "/case/submitted/").text
        match = REFERENCE.search(page)
        if match:
            with results.lock:
                results.receipts[match.group(0)] = digest
        visitor.client.close()


def reviewer(base: str, results: Results, stop: threading.Event, username: str, key_hex: str):
    from django_otp.oath import TOTP

    visitor = Visitor(base, results)
    visitor.request("GET", "/accounts/login/")
    visitor.request("POST", "/accounts/login/", data={"username": username, "password": PASSWORD})
    code = f"{TOTP(bytes.fromhex(key_hex)).token():06d}"
    response = visitor.request("POST", "/accounts/two-factor/", data={"code": code})
    assert response.headers.get("location") == "/review/", response.text[:300]
    words = ["leukemia", "relapsed", "nelarabine", "lymphoma", "NOTCH1"]
    round_ = 0
    while not stop.is_set():
        round_ += 1
        queue = visitor.request("GET", "/review/?tab=all", kind="queue").text
        visitor.request("GET", f"/review/?tab=all&q={words[round_ % len(words)]}", kind="search")
        references = REFERENCE.findall(queue)
        if references:
            visitor.request("GET", f"/review/cases/{references[round_ % len(references)]}/", kind="case page")
        if round_ % 5 == 0:
            response = visitor.request("POST", "/review/claim-next/", kind="claim next")
            location = response.headers.get("location", "")
            if "/review/cases/" in location:
                with results.lock:
                    results.claimed.append(location.split("/")[3])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=50)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--no-faults", action="store_true")
    args = parser.parse_args()

    mailbox = Mailbox()
    mailbox.start()
    scanner = contextlib.ExitStack()
    clamd_socket = None
    if shutil.which("clamd") or Path("/usr/sbin/clamd").exists():
        from tests.servers.clamd import clamd

        # The virus scanner too, as in production (its signatures: the EICAR test file only).
        clamd_socket = scanner.enter_context(clamd(WORK / "clamd"))
    stack = Stack(mailbox, args.workers, clamd_socket)
    # A bench stopped with Ctrl-C or kill still stops what it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        scanning = "with" if clamd_socket else "without"
        print(
            f"Starting gunicorn ({args.workers} workers), the email worker and housekeeping on {stack.url}, "
            f"{scanning} clamd..."
        )
        stack.start()

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.contrib.auth.models import User
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from assessments.demo import seed
        from assessments.models import AuditEvent
        from intake.models import Case, Document, OutboundEmail
        from tests.conftest import ensure_roles

        ensure_roles()
        from django.contrib.auth.models import Group

        devices = {}
        for number in range(args.reviewers):
            user = User.objects.create_user(f"load-reviewer-{number}", password=PASSWORD, is_staff=True)
            user.groups.add(Group.objects.get(name="Coordinator" if number % 4 == 0 else "Reviewer"))
            devices[user.username] = TOTPDevice.objects.create(user=user, name="load", confirmed=True).key
        seed(2000, reviewers=[User.objects.get(username="load-reviewer-1")])
        faulty = "" if args.no_faults else ", with faults"
        print(
            f"{Case.objects.count():,} cases to browse; {args.families} families and "
            f"{args.reviewers} reviewers for {args.seconds} s{faulty}."
        )

        results = Results()
        stop = threading.Event()
        pdf = make_pdf_bytes(1024 * 1024)
        threads = [
            threading.Thread(target=family, args=(stack.url, results, stop, pdf, n), daemon=True)
            for n in range(args.families)
        ] + [
            threading.Thread(target=reviewer, args=(stack.url, results, stop, name, key), daemon=True)
            for name, key in devices.items()
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()

        faults = []
        if not args.no_faults:

            def at(second):
                time.sleep(max(0, started + second - time.monotonic()))

            at(args.seconds * 0.15)
            victim = stack.web_workers()[0]
            victim.send_signal(signal.SIGKILL)
            faults.append(f"SIGKILL to gunicorn worker {victim.pid} at {time.monotonic() - started:.0f} s")
            at(args.seconds * 0.3)
            took = stack.restart_postgres()
            faults.append(
                f"PostgreSQL restarted (fast) at {time.monotonic() - started:.0f} s, down {took:.1f} s"
            )
            recovered = time.monotonic()
            while httpx.get(f"{stack.url}/healthz", timeout=5).status_code != 200:
                time.sleep(0.2)
            faults.append(f"healthz 200 again {time.monotonic() - recovered:.1f} s after PostgreSQL was back")
            at(args.seconds * 0.45)
            mailbox.stop()
            faults.append(f"mail server gone at {time.monotonic() - started:.0f} s")
            at(args.seconds * 0.45 + 60)
            mailbox.start()
            faults.append(f"mail server back at {time.monotonic() - started:.0f} s")
        time.sleep(max(0, started + args.seconds - time.monotonic()))
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        print(f"Load ran {time.monotonic() - started:.0f} s. Waiting for the outbox to empty...")
        from django.db import connection

        connection.close()  # ours did not live through the PostgreSQL restart

        deadline = time.monotonic() + 600
        while (
            OutboundEmail.objects.filter(state=OutboundEmail.State.PENDING).exists()
            and time.monotonic() < deadline
        ):
            time.sleep(2)
        drained = time.monotonic() - started

        # What the clients were promised, against what the database and the mail server hold.
        cases = {c.reference: c for c in Case.objects.filter(reference__in=results.receipts)}
        lost = [r for r in results.receipts if r not in cases]
        partial = []
        for reference, digest in results.receipts.items():
            documents = list(Document.objects.filter(case__reference=reference))
            if len(documents) != 1 or documents[0].sha256 != digest:
                partial.append(reference)
        family_cases = Case.objects.filter(contact_email__startswith="family")
        without_receipt = family_cases.exclude(reference__in=results.receipts).count()
        verify = subprocess.run(
            [sys.executable, "manage.py", "verify_documents", "--no-progress"],
            cwd=ROOT,
            env=stack.env,
            capture_output=True,
            text=True,
        )
        by_id = Counter(message_id for message_id, _ in mailbox.messages)
        sent = OutboundEmail.objects.filter(state=OutboundEmail.State.SENT).count()
        pending = OutboundEmail.objects.filter(state=OutboundEmail.State.PENDING).count()
        claims = Counter(
            AuditEvent.objects.filter(action="claimed", actor__username__startswith="load-").values_list(
                "case_reference", flat=True
            )
        )

        print("\nFaults:" if faults else "\nNo faults injected.")
        for fault in faults:
            print(f"  {fault}")
        # As the clients saw it (waiting for a free worker included) and as gunicorn logged it.
        served = server_times(WORK / "logs" / "web.log")
        print(
            f"\n{'request':<16} {'count':>7} {'p50 ms':>9} {'p95 ms':>9}"
            f" {'server p50':>11} {'server p95':>11}"
        )
        for kind in SERVER_PATHS:
            values, server = results.timings.get(kind, []), served.get(kind, [])
            print(
                f"{kind:<16} {len(values):>7} {p(values, 50):>9.0f} {p(values, 95):>9.0f}"
                f" {p(server, 50):>11.0f} {p(server, 95):>11.0f}"
            )
        print("(server columns: from gunicorn's log, which has no query strings, so searches count as queue)")
        print(f"\nHTTP statuses: {dict(sorted(results.statuses.items()))} (503: the database was down)")
        print(f"Dropped connections (retried): {dict(results.errors)}")
        print(
            f"Cases with a receipt: {len(results.receipts)}; lost: {len(lost)}; "
            f"partial or altered: {len(partial)}; cases without a receipt: {without_receipt}"
        )
        verified = verify.stdout.strip().splitlines()[-1] if verify.stdout else verify.stderr[-300:]
        print(f"verify_documents: {verified}")
        twice = sum(by_id.values()) - len(by_id)
        print(
            f"Emails: {sent} sent by the outbox, {pending} pending, {len(by_id)} distinct received, "
            f"{twice} received twice (same Message-ID); outbox empty {drained:.0f} s after the start"
        )
        double_claims = sum(1 for count in claims.values() if count > 1)
        print(f"Claims: {len(results.claimed)} by reviewers; cases claimed twice: {double_claims}")
        for label, values in [
            ("as the families saw it", results.timings.get("final submit", [])),
            ("in the server", served.get("final submit", [])),
        ]:
            target = p(values, 95)
            print(
                f"Final submit p95 {label}: {target:.0f} ms; "
                f"target < 500 ms: {'met' if target < 500 else 'NOT met'}"
            )

    finally:
        stack.stop()
        mailbox.stop()
        scanner.close()


if __name__ == "__main__":
    main()
