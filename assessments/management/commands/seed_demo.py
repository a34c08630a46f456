import os
import time

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from assessments.demo import seed as seed_cases
from assessments.demo_bulk import seed_bulk

# From this many on, cases are made from templates and written with COPY (assessments/demo_bulk.py).
BULK_FROM = 20_000


class Command(BaseCommand):
    help = "Create synthetic, realistic demo cases through the case form's own code path."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=50, help="How many cases to create.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")
        parser.add_argument(
            "--workers", type=int, default=os.cpu_count() or 1, help="Processes that build cases in parallel."
        )

    def handle(self, *args, cases, seed, workers, **options):
        reviewers = list(User.objects.filter(groups__name="Reviewer", is_active=True))
        started = time.monotonic()

        def progress(done):
            if done % 100_000 == 0 or (cases < BULK_FROM and done % 10_000 == 0) or done == cases:
                self.stdout.write(f"  {done:,} cases ({time.monotonic() - started:.0f} s)")

        if cases >= BULK_FROM:
            made = seed_bulk(
                cases, seed=seed, reviewers=reviewers, progress=progress, workers=max(1, workers)
            )
        else:
            workers = workers if cases >= 2000 else 1  # forking is not worth it for a few cases
            made = seed_cases(cases, seed=seed, reviewers=reviewers, progress=progress, workers=workers)
        self.stdout.write(
            self.style.SUCCESS(f"Created {made:,} demo cases in {time.monotonic() - started:.1f} s.")
        )
