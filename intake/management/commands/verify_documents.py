from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from intake.documents import storage, upkeep


class Command(BaseCommand):
    help = (
        "Decrypt and re-hash every stored document (streaming), and report missing, unreadable or "
        "altered ones. Exits with status 1 if any are found."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--not-verified-for-days",
            type=int,
            default=None,
            help="Only documents not verified in this many days (housekeeping uses 7: weekly).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, not_verified_for_days=None, no_progress=False, verbosity=1, **options):
        not_since = timedelta(days=not_verified_for_days) if not_verified_for_days is not None else None
        documents = upkeep.documents_to_verify(not_since=not_since)
        total = documents.count()
        if verbosity:
            self.stdout.write(f"Verifying {total} document(s) in the {storage.describe()}.")

        def progress(items):
            return tqdm(items, total=total, unit="doc", file=self.stderr, disable=no_progress or total == 0)

        problems = upkeep.verify(documents, progress=progress)
        for document in problems.missing:
            self.stdout.write(f"MISSING    {document.id} (case {self._case(document)}): no stored object")
        for document, reason in problems.unreadable:
            self.stdout.write(f"UNREADABLE {document.id} (case {self._case(document)}): {reason}")
        for document in problems.altered:
            self.stdout.write(f"ALTERED    {document.id} (case {self._case(document)}): SHA-256 differs")
        bad = len(problems.missing) + len(problems.unreadable) + len(problems.altered)
        self.stdout.write(
            f"Checked {problems.checked}: {problems.checked - bad} intact, {bad} with problems."
        )
        if problems:
            raise CommandError(
                f"{len(problems.missing)} missing, {len(problems.unreadable)} unreadable, "
                f"{len(problems.altered)} altered document(s)."
            )

    @staticmethod
    def _case(document) -> str:
        return document.case.reference if document.case_id else "draft"
