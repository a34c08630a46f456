from django.core.management.base import BaseCommand
from django.utils import timezone

from assessments import retention


class Command(BaseCommand):
    help = (
        "Remove the personal and health details of cases closed more than RETENTION_CLOSED_CASE_DAYS "
        "ago (housekeeping does this daily). Cases on legal hold are listed and kept. With --dry-run, "
        "only list what would go and why."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be purged, change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        planned = retention.plan(timezone.now())
        going = [p for p in planned if not p.hold]
        for item in planned:
            verb = "Keep " if item.hold else ("Would purge " if dry_run else "Purge ")
            closed = timezone.localdate(item.closed_at).isoformat()
            self.stdout.write(f"{verb}{item.reference} (closed {closed}): {item.why}")
        if dry_run:
            self.stdout.write(
                f"{len(going)} case(s) would be purged, {len(planned) - len(going)} kept on legal hold. "
                "Nothing was changed (dry run)."
            )
            return
        purged = retention.purge_due_cases()
        self.stdout.write(f"Purged {len(purged)} case(s); {len(planned) - len(going)} kept on legal hold.")
