from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import factors


class Command(BaseCommand):
    help = "Development only: print the current authenticator code of a demo account."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code is for development only (DJANGO_DEBUG is off).")
        device = factors.TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no authenticator app set up.")
        self.stdout.write(factors.current_code(device))
