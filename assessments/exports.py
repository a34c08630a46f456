"""Exports are data products: the needed columns only, safe in a spreadsheet, streamed, and audited.

CSV and Excel exports hold exactly the cases of a queue view (same tab, filters, search and order).
No names, emails or phone numbers: the queue never shows them, and neither do its exports.

Research contact (consent by purpose, intake/lifecycle/consents.py). Withdrawing consent to be
contacted about research studies affects exactly this:
- the research contact list (`research_contacts`, /review/export-research.csv), the one export made
  to contact families about studies, and the only one with names and email addresses: a case is a row
  only while its newest research-contact consent is "given", it is not purged and no deletion is
  pending. Someone who withdrew is left out from that moment; giving consent again brings them back;
- the optional "Research contact" column of the queue's CSV and Excel exports (not in the default
  set), which says "yes" or "no" from the consent in force, never from the answer on the form.
The queue exports' rows are the queue view's cases whatever the consent: they are the reviewers'
working lists, with no contact details, and leaving a case out would hide work from them.
Purged cases (assessments/retention.py) stay in the queue exports as their statistics: reference,
dates, status, urgency and diagnosis, every other cell empty.
"""

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django_countries import countries
from openpyxl import Workbook

from config.pdf import render_pdf
from intake import clock, diagnoses
from intake.models import Case, ConsentRecord, DeletionRequest, Treatment

Status = Case.Status
# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Make a cell safe against spreadsheet formula injection; numbers and dates pass as they are."""
    if isinstance(value, Promise):
        value = str(value)  # a choice's label, translatable for the family's pages
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Context:
    """What every row's cells share, looked up once per export rather than once per cell."""

    now: datetime
    tz: tzinfo
    country_names: dict[str, str]

    @classmethod
    def current(cls, now=None) -> "Context":
        return cls(now or timezone.now(), timezone.get_current_timezone(), dict(countries))

    def when(self, value: datetime | None) -> str:
        return value.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if value else ""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    fields: tuple[str, ...]
    value: object  # function of the row dict and the export's Context


STATUS_LABELS = dict(Status.choices)
URGENCY_LABELS = dict(Case.Urgency.choices)
DISEASE_LABELS = dict(Case.DiseaseStatus.choices)
GROUP_LABELS = dict(diagnoses.DiagnosisGroup.choices)
TRAVEL_LABELS = dict(Case.Travel.choices)


def _age(row, ctx) -> int | str:
    if row["patient_age"] is not None:
        return row["patient_age"]
    if row["patient_birth_year"]:
        return row["submitted_at"].astimezone(ctx.tz).year - row["patient_birth_year"]
    return ""


COLUMNS = [
    Column("reference", "Reference", ("reference",), lambda r, c: r["reference"]),
    Column("submitted", "Submitted", ("submitted_at",), lambda r, c: c.when(r["submitted_at"])),
    Column("status", "Status", ("status",), lambda r, c: STATUS_LABELS[r["status"]]),
    Column("urgency", "Urgency", ("urgency",), lambda r, c: URGENCY_LABELS[r["urgency"]]),
    Column(
        "suggested_urgency",
        "Suggested urgency",
        ("suggested_urgency",),
        lambda r, c: URGENCY_LABELS[r["suggested_urgency"]],
    ),
    Column(
        "diagnosis",
        "Diagnosis",
        ("diagnosis", "diagnosis_other"),
        lambda r, c: r["diagnosis_other"] if r["diagnosis"] == "other" else diagnoses.LABELS[r["diagnosis"]],
    ),
    Column(
        "diagnosis_group",
        "Diagnosis group",
        ("diagnosis",),
        lambda r, c: GROUP_LABELS[diagnoses.GROUP_OF.get(r["diagnosis"], "other")],
    ),
    Column(
        "disease_status",
        "Disease status",
        ("disease_status",),
        lambda r, c: DISEASE_LABELS.get(r["disease_status"], ""),
    ),
    Column("age", "Patient age", ("patient_age", "patient_birth_year", "submitted_at"), _age),
    Column("country", "Country", ("country",), lambda r, c: c.country_names.get(r["country"], r["country"])),
    Column("region", "State or region", ("region",), lambda r, c: r["region"]),
    Column("travel", "Could travel", ("travel",), lambda r, c: TRAVEL_LABELS.get(r["travel"], "")),
    Column(
        "condition",
        "ECOG (day-to-day condition)",
        ("condition",),
        lambda r, c: "" if r["condition"] is None else r["condition"],
    ),
    Column("treatments", "Treatments", ("treatment_names",), lambda r, c: r["treatment_names"] or ""),
    Column("assignee", "Assignee", ("assigned_to__username",), lambda r, c: r["assigned_to__username"] or ""),
    Column("triaged", "Triaged", ("triaged_at",), lambda r, c: c.when(r["triaged_at"])),
    Column("response_due", "Response due", ("response_due_at",), lambda r, c: c.when(r["response_due_at"])),
    Column(
        "response_state",
        "Response time",
        ("clock_state",),
        lambda r, c: r["clock_state"].replace("_", " "),
    ),
    Column(
        "first_response",
        "First answer sent",
        ("first_response_at",),
        lambda r, c: c.when(r["first_response_at"]),
    ),
    Column(
        "research_contact",
        "Research contact",
        ("research_contact",),
        lambda r, c: "yes" if r["research_contact"] else "no",
    ),
]
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT_COLUMNS = [
    "reference",
    "submitted",
    "status",
    "urgency",
    "diagnosis",
    "diagnosis_group",
    "disease_status",
    "age",
    "country",
    "assignee",
    "response_due",
    "response_state",
    "first_response",
]


def chosen_columns(keys: list[str]) -> list[Column]:
    """The columns asked for, in our order, from the allow-list only; the default set when none are."""
    wanted = [k for k in keys if k in COLUMNS_BY_KEY] or DEFAULT_COLUMNS
    return [c for c in COLUMNS if c.key in wanted]


def export_rows(cases: QuerySet[Case], columns: list[Column], now=None) -> Iterator[list]:
    """The header, then one list of cells per case, read in chunks so memory stays flat."""
    ctx = Context.current(now)
    fields = {f for c in columns for f in c.fields}
    if "treatment_names" in fields:
        # One query for every row's treatment names, rather than one query per case.
        names = (
            Treatment.objects.filter(case=OuterRef("pk"))
            .order_by()
            .values("case")
            .annotate(names=StringAgg("name", "; ", order_by="position"))
            .values("names")
        )
        cases = cases.annotate(treatment_names=Subquery(names))
    if "clock_state" in fields:
        cases = cases.annotate(clock_state=clock.response_state(ctx.now))
    if "research_contact" in fields:
        cases = cases.annotate(research_contact=Subquery(_newest_research_consent().values("given")[:1]))
    yield [c.header for c in columns]
    for row in cases.values(*sorted(fields)).iterator(chunk_size=2000):
        yield [neutralise(column.value(row, ctx)) for column in columns]


class _Echo:
    def write(self, value):
        return value


def csv_chunks(rows: Iterable[list]) -> Iterator[str]:
    """CSV text for Excel: a byte-order mark first, so it opens as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def csv_response(
    cases: QuerySet[Case], columns: list[Column], *, stem: str = "cases"
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_chunks(export_rows(cases, columns)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(stem, "csv")}"'
    return response


def _newest_research_consent() -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(
        case=OuterRef("pk"), purpose=ConsentRecord.Purpose.RESEARCH_CONTACT, share__isnull=True
    ).order_by("-at", "-pk")


def research_contacts(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases whose family agrees, now, to be contacted about research studies."""
    newest = _newest_research_consent()
    pending_deletion = DeletionRequest.objects.filter(
        case=OuterRef("pk"), state=DeletionRequest.State.PENDING
    )
    return (
        cases.annotate(
            research_contact=Subquery(newest.values("given")[:1]),
            research_since=Subquery(newest.values("at")[:1]),
            research_version=Subquery(newest.values("text_version")[:1]),
        )
        .filter(research_contact=True, purged_at__isnull=True)
        .exclude(Exists(pending_deletion))
    )


LANGUAGE_LABELS = dict(Case.Language.choices)
# The research contact list: who to write to about studies, and the consent that allows it.
RESEARCH_COLUMNS = [
    COLUMNS_BY_KEY["reference"],
    Column("contact_name", "Name", ("contact_name",), lambda r, c: r["contact_name"]),
    Column("contact_email", "Email", ("contact_email",), lambda r, c: r["contact_email"]),
    Column(
        "language",
        "Preferred language",
        ("preferred_language",),
        lambda r, c: LANGUAGE_LABELS.get(r["preferred_language"], r["preferred_language"]),
    ),
    COLUMNS_BY_KEY["diagnosis_group"],
    Column(
        "research_since",
        "Agreed to research contact",
        ("research_since",),
        lambda r, c: c.when(r["research_since"]),
    ),
    Column(
        "research_version", "Consent text version", ("research_version",), lambda r, c: r["research_version"]
    ),
]


def xlsx_file(rows: Iterable[list]):
    """An .xlsx workbook in a temporary file, written row by row (openpyxl's write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Cases")
    for row in rows:
        sheet.append(row)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(out)
    out.seek(0)
    return out


def summary_context(case: Case, *, internal: bool) -> dict:
    report = case.reports.filter(sent_at__isnull=False).order_by("-version").first()
    return {
        "case": case,
        "internal": internal,
        "treatments": case.treatments.all(),
        "documents": case.documents.all(),
        "report": report,
        "notes": case.notes.select_related("author") if internal else [],
        "generated_at": timezone.now(),
    }


def summary_pdf(case: Case, *, internal: bool, request=None) -> bytes:
    return render_pdf(
        "assessments/summary_pdf.html", summary_context(case, internal=internal), request=request
    )


def summaries_zip(cases: list[Case], columns: list[Column], request=None):
    """A ZIP of the cases' internal PDF summaries, with an index.csv, in a temporary file."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for case in cases:
            archive.writestr(f"{case.reference}.pdf", summary_pdf(case, internal=True, request=request))
        queryset = Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("urgency", "submitted_at", "pk")
        index = io.StringIO()
        for chunk in csv_chunks(export_rows(queryset.select_related("assigned_to"), columns)):
            index.write(chunk)
        archive.writestr("index.csv", index.getvalue().encode("utf-8"))
    out.seek(0)
    return out


def filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{extension}"
