from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from intake.documents import crypto
from intake.models import Document


class Command(BaseCommand):
    help = (
        "Re-wrap every document's data key with the newest master key (the first in DOCUMENT_KEYS). "
        "The stored files are not touched. Resumable, and safe to run while the site serves."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, batch_size=200, no_progress=False, **options):
        from intake.documents import upkeep

        current = crypto.current_key_id()
        total = Document.objects.exclude(key_id="").exclude(key_id=current).count()
        self.stdout.write(f"{total} document key(s) to re-wrap with master key {current!r}.")
        with tqdm(total=total, unit="key", file=self.stderr, disable=no_progress or total == 0) as bar:
            rotated, failed = upkeep.rotate_keys(batch_size=batch_size, progress=bar.update)
        for document, reason in failed:
            self.stdout.write(f"FAILED {document.id} (master key {document.key_id!r}): {reason}")
        self.stdout.write(f"Re-wrapped {rotated} key(s).")
        if failed:
            raise CommandError(
                f"{len(failed)} key(s) could not be unwrapped: keep their master keys in DOCUMENT_KEYS."
            )
        remaining = sorted(set(Document.objects.exclude(key_id="").values_list("key_id", flat=True)))
        if remaining == [current]:
            self.stdout.write("Every document now uses the newest master key; older keys can be retired.")
