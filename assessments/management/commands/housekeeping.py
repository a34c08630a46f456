import signal
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts import sessions
from assessments.actions import erase_due_cases
from config.locks import advisory_lock
from intake.ratelimit import forget_old_hits


class Command(BaseCommand):
    help = (
        "Carry out deletion requests whose grace period has passed, expire old drafts, forget old "
        "rate-limit records and ended sessions. Run it from cron, or with --loop beside the web server."
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
        ]

    def erase_due_cases(self):
        erased = erase_due_cases()
        if erased:
            self.stdout.write(f"Deleted {len(erased)} case(s) at the family's request.")

    def forget_ended_sessions(self):
        call_command("clearsessions")
        sessions.forget_ended()

    def run_once(self):
        for name, task in self.tasks():
            # Several machines may run housekeeping at once: each task runs in one of them at a time.
            with advisory_lock(f"housekeeping: {name}") as held:
                if held:
                    task()
                else:
                    self.stdout.write(f"Skipped “{name}”: another housekeeping run is doing it now.")

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
