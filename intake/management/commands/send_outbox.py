import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections

from intake.outbox import deliver_due

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Deliver queued emails, retrying with backoff. Keeps running unless --once is given."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is due now, then stop.")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between polls.")

    def handle(self, *args, once=False, interval=2.0, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            try:
                sent = deliver_due()
            except DatabaseError as e:
                # PostgreSQL restarting or away: nothing is lost (the outbox is in the database), so
                # wait and try again on a fresh connection instead of dying.
                log.warning("Email worker: the database is unavailable (%s); trying again.", type(e).__name__)
                connections.close_all()
                sent = 0
            if sent:
                self.stdout.write(f"Sent {sent} email(s).")
            if once or stopping:
                return
            time.sleep(interval)
            if stopping:
                return
