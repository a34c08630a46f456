import logging
import signal
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from assessments.actions import erase_due_cases
from intake.documents import upkeep
from intake.ratelimit import forget_old_hits

logger = logging.getLogger(__name__)

# Each document is decrypted and re-hashed once a week; every run verifies the ones that are due.
VERIFY_EVERY_DAYS = 7


class Command(BaseCommand):
    help = (
        "Carry out deletion requests whose grace period has passed, expire old drafts, forget old "
        "rate-limit records, scan documents that are waiting for the virus scanner, sweep stored "
        "objects without a row, and verify documents weekly. Run it from cron, or with --loop beside "
        "the web server."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running, every --interval seconds.")
        parser.add_argument("--interval", type=float, default=600.0)

    def handle(self, *args, loop=False, interval=600.0, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            erased = erase_due_cases()
            if erased:
                self.stdout.write(f"Deleted {len(erased)} case(s) at the family's request.")
            call_command("expire_drafts", verbosity=0, stdout=self.stdout)
            forget_old_hits()
            self.documents()
            if not loop:
                return
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(1)

    def documents(self) -> None:
        # One failing step (the object store or clamd being down) must not stop the others.
        steps = [
            ("encrypting plain documents", upkeep.encrypt_plain_documents),
            ("scanning waiting documents", upkeep.retry_scans),
            ("sweeping orphaned objects", upkeep.sweep_orphans),
        ]
        for what, step in steps:
            try:
                result = step()
            except Exception:
                logger.exception("Housekeeping failed while %s", what)
                continue
            if result and (not isinstance(result, dict) or result.get("clean") or result.get("infected")):
                self.stdout.write(f"Documents, {what}: {result}")
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
        except Exception:
            logger.exception("Housekeeping failed while verifying documents")
