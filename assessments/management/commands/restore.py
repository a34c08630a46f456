from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from assessments import backups


class Command(BaseCommand):
    help = (
        "Restore a backup from DIR into an empty database and an empty document store, then check every "
        "row count and every document's hash, and decrypt every document to check it. Exits with "
        "status 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, folder, no_progress=False, **options):
        def progress(items, total):
            return tqdm(items, total=total, unit="doc", file=self.stderr, disable=no_progress or not total)

        try:
            restored = backups.restore(folder, progress=progress)
        except backups.BackupError as e:
            raise CommandError(str(e)) from None
        for problem in restored.problems:
            self.stdout.write(f"DIFFERS  {problem}")
        if restored.problems:
            raise CommandError(f"The restore differs from the backup in {len(restored.problems)} place(s).")
        self.stdout.write(
            f"Restored {sum(restored.rows.values()):,} rows in {len(restored.rows)} tables and "
            f"{restored.documents:,} documents; every count and hash matches the manifest."
        )
        # And the documents open: this needs the same DOCUMENT_KEYS as when they were stored.
        call_command("verify_documents", no_progress=no_progress, stdout=self.stdout, stderr=self.stderr)
