# The backfill runs in a migration of its own: in the same transaction as the new foreign key, the
# rows it updates would leave pending trigger events that stop PostgreSQL from building the indexes.
from django.db import migrations
from django.db.models import OuterRef, Subquery

from intake import clock


def measure_existing_cases(apps, schema_editor):
    """Working days to triage and to the first answer, and who sent that answer, for the cases that
    have them: what the actions now keep on the case when these happen."""
    Case = apps.get_model("intake", "Case")
    Report = apps.get_model("intake", "Report")
    fields = ["triage_working_days", "first_answer_working_days"]
    cases = Case.objects.filter(triaged_at__isnull=False).only(
        "submitted_at", "triaged_at", "first_response_at", "paused_seconds"
    )
    batch = []
    for case in cases.iterator(chunk_size=2000):
        case.triage_working_days = clock.days_between(case.submitted_at, case.triaged_at)
        if case.first_response_at:
            case.first_answer_working_days = clock.days_between(
                case.submitted_at, case.first_response_at, paused_seconds=case.paused_seconds
            )
        batch.append(case)
        if len(batch) == 2000:
            Case.objects.bulk_update(batch, fields)
            batch = []
    Case.objects.bulk_update(batch, fields)
    # The first answer is report version 1: a new version is only begun once the last one is sent.
    first_report = Report.objects.filter(case=OuterRef("pk"), version=1).values("sent_by")[:1]
    Case.objects.filter(first_response_at__isnull=False).update(first_answered_by=Subquery(first_report))


class Migration(migrations.Migration):
    dependencies = [("intake", "0007_clock_measures")]

    operations = [migrations.RunPython(measure_existing_cases, migrations.RunPython.noop)]
