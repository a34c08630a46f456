import secrets

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from assessments.demo import seed_featured_case
from intake.models import Case
from trials.models import Study

DEMO_CATALOGUE = settings.BASE_DIR / "trials" / "catalogue"

DEMO_ACCOUNTS = [
    # username, role, superuser
    ("demo", "Supervisor", True),
    ("coordinator", "Coordinator", False),
    ("reviewer", "Reviewer", False),
    ("reviewer2", "Reviewer", False),
]


class Command(BaseCommand):
    help = "Development only: create demo staff accounts and demo cases the first time."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("setup_demo is for development only (DJANGO_DEBUG is off).")
        credentials = settings.DATA_DIR / "demo-credentials.txt"
        if not User.objects.filter(username="demo").exists():
            password = secrets.token_urlsafe(9)
            for username, role, superuser in DEMO_ACCOUNTS:
                user = User.objects.create_user(
                    username=username,
                    email=f"{username}@example.org",
                    password=password,
                    is_staff=True,
                    is_superuser=superuser,
                )
                user.groups.add(Group.objects.get(name=role))
            credentials.parent.mkdir(parents=True, exist_ok=True)
            credentials.write_text(
                "Demo accounts (development only), all with the same password:\n"
                + "".join(f"  {u:<12} {r}\n" for u, r, _ in DEMO_ACCOUNTS)
                + f"Password: {password}\n"
            )
            credentials.chmod(0o600)
        if not Study.objects.exists():
            # The demo catalogue: real ClinicalTrials.gov records and our T-ALL examples (see its README).
            call_command("import_trials", str(DEMO_CATALOGUE), no_progress=True, stdout=self.stdout)
        if not Case.objects.exists():
            call_command("seed_demo", cases=60, stdout=self.stdout)
            case = seed_featured_case()
            self.stdout.write(
                f"Case {case.reference} is a relapsed T-ALL case with options in the catalogue."
            )
        if credentials.exists():
            self.stdout.write(self.style.WARNING(credentials.read_text()))
