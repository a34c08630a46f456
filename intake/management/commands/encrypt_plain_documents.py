from django.core.management.base import BaseCommand

from intake.documents import upkeep


class Command(BaseCommand):
    help = (
        "Encrypt documents stored in plain before encryption came in (PRIVATE_UPLOAD_ROOT) into the "
        "document store. Housekeeping runs it too; safe to run again."
    )

    def handle(self, *args, **options):
        done = upkeep.encrypt_plain_documents()
        self.stdout.write(f"Encrypted {done} document(s) stored in plain.")
