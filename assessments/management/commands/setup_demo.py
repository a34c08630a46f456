from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts import demo
from assessments.demo import seed_featured_case
from intake.models import Case
from trials.models import Study

DEMO_CATALOGUE = settings.BASE_DIR / "trials" / "catalogue"


class Command(BaseCommand):
    help = "Development only: create demo staff accounts and demo cases the first time."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("setup_demo is for development only (DJANGO_DEBUG is off).")
        credentials = settings.DATA_DIR / "demo-credentials.txt"
        # Accounts from before sign-in needed a second factor get one, and a new password with it.
        if not User.objects.filter(username="demo").exists() or "totp:" not in (
            credentials.read_text() if credentials.exists() else ""
        ):
            demo.set_up(credentials)
        if not Study.objects.exists():
            # The demo catalogue: real ClinicalTrials.gov records and our T-ALL examples (see its README).
            call_command("import_trials", str(DEMO_CATALOGUE), no_progress=True, stdout=self.stdout)
        if not Case.objects.exists():
            call_command("seed_demo", cases=60, stdout=self.stdout)
            case = seed_featured_case()
            self.stdout.write(
                f"Case {case.reference} is a relapsed T-ALL case with options in the catalogue."
            )
        self.stdout.write(self.style.WARNING(credentials.read_text()))
