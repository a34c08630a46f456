from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts import demo
from intake.models import Case


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
        if not Case.objects.exists():
            call_command("seed_demo", cases=60, stdout=self.stdout)
        self.stdout.write(self.style.WARNING(credentials.read_text()))
