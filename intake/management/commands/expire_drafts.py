from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from intake import uploads
from intake.models import Document, Draft


class Command(BaseCommand):
    help = "Delete case-form drafts not touched for INTAKE_DRAFT_EXPIRY_DAYS, with their uploaded files."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Override INTAKE_DRAFT_EXPIRY_DAYS.")

    def handle(self, *args, days=None, **options):
        days = settings.INTAKE_DRAFT_EXPIRY_DAYS if days is None else days
        cutoff = timezone.now() - timedelta(days=days)
        with transaction.atomic():
            expired = Draft.objects.filter(updated_at__lt=cutoff)
            documents = list(Document.objects.filter(draft__in=expired, case__isnull=True))
            count, _ = expired.delete()
            # Files go only once their rows are gone for good.
            transaction.on_commit(lambda: uploads.delete_files(documents))
        self.stdout.write(f"Deleted {count} expired draft(s) and {len(documents)} file(s).")
