import signal
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts import sessions
from assessments.actions import erase_due_cases
from intake.ratelimit import forget_old_hits


class Command(BaseCommand):
    help = (
        "Carry out deletion requests whose grace period has passed, expire old drafts, forget old "
        "rate-limit records and ended sessions. Run it from cron, or with --loop beside the web server."
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
            call_command("clearsessions")
            sessions.forget_ended()
            if not loop:
                return
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(1)
