from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from assessments import backups


class Command(BaseCommand):
    help = (
        "Write a consistent backup into DIR: a PostgreSQL dump (custom format), a copy of every stored "
        "document (encrypted, as stored) and a manifest of row counts and SHA-256 hashes."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="A new or empty folder.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, folder, no_progress=False, **options):
        def progress(items, total):
            return tqdm(items, total=total, unit="doc", file=self.stderr, disable=no_progress or not total)

        try:
            manifest = backups.backup(folder, progress=progress)
        except backups.BackupError as e:
            raise CommandError(str(e)) from None
        rows = sum(manifest["database"]["rows"].values())
        self.stdout.write(
            f"Backed up {rows:,} rows in {len(manifest['database']['rows'])} tables and "
            f"{len(manifest['documents']):,} documents into {folder}. The documents are encrypted: keep "
            "DOCUMENT_KEYS apart from this backup, or it cannot be restored."
        )
