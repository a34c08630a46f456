import logging
import signal
import time
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections
from django.utils import timezone

from accounts import sessions
from assessments import retention
from assessments.actions import erase_due_cases
from assessments.models import HousekeepingRun
from config.locks import advisory_lock
from intake.documents import upkeep
from intake.ratelimit import forget_old_hits

logger = logging.getLogger(__name__)

# Each document is decrypted and re-hashed once a week; every run verifies the ones that are due.
VERIFY_EVERY_DAYS = 7


class Command(BaseCommand):
    help = (
        "Carry out deletion requests whose grace period has passed, expire old drafts, forget old "
        "rate-limit records and ended sessions, scan documents that are waiting for the virus scanner, "
        "sweep stored objects without a row, verify documents weekly, and purge closed cases past the "
        "retention period daily. Run it from cron, or with --loop beside the web server."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running, every --interval seconds.")
        parser.add_argument("--interval", type=float, default=600.0)

    def tasks(self):
        return [
            ("erase due cases", self.erase_due_cases),
            ("expire drafts", lambda: call_command("expire_drafts", verbosity=0, stdout=self.stdout)),
            ("forget rate-limit records", forget_old_hits),
            ("forget ended sessions", self.forget_ended_sessions),
            ("encrypt plain documents", lambda: self.report(upkeep.encrypt_plain_documents())),
            ("scan waiting documents", lambda: self.report(upkeep.retry_scans())),
            ("sweep orphaned objects", lambda: self.report(upkeep.sweep_orphans())),
            ("verify documents", self.verify_documents),
            ("purge closed cases", self.purge_closed_cases),
        ]

    # Tasks that run less often than housekeeping itself, and how often.
    EVERY = {"purge closed cases": timedelta(days=1)}

    def purge_closed_cases(self):
        purged = retention.purge_due_cases()
        if purged:
            self.stdout.write(
                f"Purged {len(purged)} closed case(s) past the retention period: {', '.join(purged)}."
            )

    def is_due(self, name: str) -> bool:
        every = self.EVERY.get(name)
        if every is None:
            return True
        last = HousekeepingRun.objects.filter(task=name).values_list("finished_at", flat=True).first()
        return last is None or timezone.now() - last >= every

    def mark_done(self, name: str) -> None:
        if name in self.EVERY:
            HousekeepingRun.objects.update_or_create(task=name, defaults={"finished_at": timezone.now()})

    def erase_due_cases(self):
        erased = erase_due_cases()
        if erased:
            self.stdout.write(f"Deleted {len(erased)} case(s) at the family's request.")

    def forget_ended_sessions(self):
        call_command("clearsessions")
        sessions.forget_ended()

    def report(self, result):
        if result and (not isinstance(result, dict) or result.get("clean") or result.get("infected")):
            self.stdout.write(f"Documents: {result}")

    def verify_documents(self):
        try:
            call_command(
                "verify_documents",
                not_verified_for_days=VERIFY_EVERY_DAYS,
                no_progress=True,
                verbosity=0,
                stdout=self.stdout,
                stderr=self.stderr,
            )
        except CommandError as e:
            logger.error("Document verification found problems: %s", e)

    def run_once(self):
        for name, task in self.tasks():
            try:
                # Several machines may run housekeeping at once: each task runs in one at a time.
                with advisory_lock(f"housekeeping: {name}") as held:
                    if not held:
                        self.stdout.write(f"Skipped “{name}”: another housekeeping run is doing it now.")
                        continue
                    if not self.is_due(name):
                        continue
                    task()
                    self.mark_done(name)
            except DatabaseError:
                # PostgreSQL restarting: the next round tries again on a fresh connection.
                logger.warning("Housekeeping could not %s: the database is unavailable", name)
                connections.close_all()
            except Exception:
                # One failing task (the object store or clamd being down) must not stop the others.
                logger.exception("Housekeeping failed to %s", name)

    def handle(self, *args, loop=False, interval=600.0, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            self.run_once()
            if not loop:
                return
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(1)
