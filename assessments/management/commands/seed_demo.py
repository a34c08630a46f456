import time

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from assessments.demo import seed


class Command(BaseCommand):
    help = "Create synthetic, realistic demo cases through the case form's own code path."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=50, help="How many cases to create.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")

    def handle(self, *args, cases, seed, **options):
        reviewers = list(User.objects.filter(groups__name="Reviewer", is_active=True))
        started = time.monotonic()

        def progress(done):
            if done % 10_000 == 0 or done == cases:
                self.stdout.write(f"  {done:,} cases ({time.monotonic() - started:.0f} s)")

        made = seed_cases(cases, seed=seed, reviewers=reviewers, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"Created {made:,} demo cases in {time.monotonic() - started:.1f} s.")
        )


seed_cases = seed
