"""A million demo cases in minutes, as realistic as the few hundred `make run` makes.

`assessments.demo.seed` builds every case through the case form's own code path: right for a demo,
an hour for a million. Here a few thousand cases are built that way (templates); each of the million
is one of them with its own reference, submission date, contact, place in the workflow, reviewer,
notes, question and report, drawn with the same distributions and the same functions as `seed`.
Rows are plain dicts of the models' own fields (so new fields come along with their defaults) and go
in with COPY from parallel processes; the case table's secondary indexes are built once, after.
"""

import multiprocessing
import random
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

from django.contrib.postgres.fields import ArrayField
from django.db import connection, connections, transaction
from django.db.models import (
    BinaryField,
    BooleanField,
    CharField,
    DateField,
    FloatField,
    ForeignKey,
    IntegerField,
    JSONField,
    TextField,
    UUIDField,
)
from django.db.models.base import ModelState
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from psycopg.types.json import Jsonb

from assessments.demo import (
    FIRST_NAMES,
    LAST_NAMES,
    NOTES,
    OPTIONS,
    QUESTIONS,
    STATUS_WEIGHTS,
    _demo_report,
    _workflow,
    build_batch,
)
from assessments.models import AuditEvent, Note
from intake import consent
from intake.lifecycle import consents as consents_module
from intake.models import (
    Case,
    Consent,
    ConsentRecord,
    FamilyLink,
    Message,
    Report,
    ReportOption,
    Treatment,
    new_reference,
    search_text,
)

TEMPLATES = 3000
CHUNK = 20_000


class Table:
    """How one model's rows are written: its columns, and the few values that need converting."""

    def __init__(self, model, *, without=()):
        self.model = model
        self.pk = model._meta.pk
        self.serial = isinstance(self.pk, AutoFieldMixin)
        self.fields = [f for f in model._meta.concrete_fields if f.attname not in without]
        self.columns = [f.column for f in self.fields]
        self.json = {f.attname for f in self.fields if isinstance(f, JSONField)}
        self.auto_now = {f.attname for f in self.fields if getattr(f, "auto_now", False)}
        self.attnames = [f.attname for f in self.fields]
        # Most values go to psycopg as they are; these few are converted first.
        kept = (CharField, IntegerField, FloatField, BooleanField, DateField, UUIDField, BinaryField)
        kept += (TextField, ForeignKey, ArrayField)
        self.convert = [
            i
            for i, f in enumerate(self.fields)
            if f.attname in self.json or f.attname in self.auto_now or not isinstance(f, kept)
        ]

    def row(self, values: dict, now) -> tuple:
        row = [values.get(attname) for attname in self.attnames]
        for index in self.convert:
            value = row[index]
            if self.attnames[index] in self.json:
                row[index] = Jsonb(value)
            elif self.attnames[index] in self.auto_now:
                row[index] = now
            elif value is not None:
                row[index] = _plain(value)
        return tuple(row)


def _plain(value):
    # Django field values that psycopg does not know by themselves (a Country is its code).
    code = getattr(value, "code", None)
    return code if code is not None else value


def _take_ids(cursor, model, count: int) -> list[int]:
    # Several processes write at once: each takes its ids from the sequence (not always contiguous).
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [model._meta.db_table, count],
    )
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as stream:
        for row in rows:
            stream.write_row(row)


def _write(cursor, table: Table, rows: list[dict], now) -> None:
    if not rows:
        return
    if table.serial and rows[0].get(table.pk.attname) is None:
        for values, pk in zip(rows, _take_ids(cursor, table.model, len(rows)), strict=True):
            values[table.pk.attname] = pk
    _copy(cursor, table.model._meta.db_table, table.columns, (table.row(values, now) for values in rows))


def _base(instance) -> dict:
    """A model instance's field values with their defaults: the start of every row of its kind."""
    values = dict(instance.__dict__)
    values.pop("_state", None)
    return values


def _fresh_references(cursor, cases: list[dict]) -> None:
    # Codes are random: with a million, a clash with a stored case is likely once or twice.
    while True:
        references = [c["reference"] for c in cases]
        cursor.execute("SELECT reference FROM intake_case WHERE reference = ANY(%s)", [references])
        taken = {row[0] for row in cursor.fetchall()}
        seen, clashes = set(), []
        for case in cases:
            if case["reference"] in taken or case["reference"] in seen:
                clashes.append(case)
            seen.add(case["reference"])
        if not clashes:
            return
        for case in clashes:
            case["reference"] = new_reference()


# Set before the worker processes start, which inherit them (fork): too big to send with every chunk.
_TEMPLATES: list = []
# Each template's search vector, without and with each demo note: worked out by PostgreSQL once.
_VECTORS: dict[tuple[int, str], str] = {}
_SUPERUSER: list[bool] = [False]


def _work_out_vectors(cursor) -> None:
    keys, texts = [], []
    for index, template in enumerate(_TEMPLATES):
        names = [t.name for t in template.treatments]
        # Without the reference: reviewers find a case by its reference through its own column.
        reference, template.case.reference = template.case.reference, ""
        for note in ["", *NOTES]:
            keys.append((index, note))
            texts.append(search_text(template.case, names, [note] if note else []))
        template.case.reference = reference
    cursor.execute(
        "SELECT to_tsvector('english', t)::text "
        "FROM unnest(%s::text[]) WITH ORDINALITY AS x(t, n) ORDER BY n",
        [texts],
    )
    _VECTORS.update(zip(keys, (row[0] for row in cursor.fetchall()), strict=True))


def _case_from(template, rng, statuses, now, reviewer_ids) -> Case:
    case = Case.__new__(Case)
    case.__dict__.update(template.case.__dict__)
    case._state = ModelState()
    first = rng.choice(FIRST_NAMES)
    case.reference = new_reference()
    case.submission_key = uuid.uuid4()
    case.contact_name = f"{first} {rng.choice(LAST_NAMES)}"
    case.contact_email = f"{first.lower()}.{rng.randint(1, 99999)}@example.com"
    # As prepare() does, from a moment of its own.
    case.submitted_at = now - timedelta(minutes=rng.randint(10, 60 * 24 * 180))
    case.status_changed_at = case.submitted_at
    case.reset_response_clock()
    _workflow(case, rng.choice(statuses), rng, reviewer_ids, now)
    return case


def _build_chunk(job) -> int:
    """Make one chunk of cases from the templates and write it. Runs in a worker process."""
    chunk_seed, size, now, reviewer_ids = job
    rng = random.Random(chunk_seed)
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    chosen = [rng.randrange(len(_TEMPLATES)) for _ in range(size)]
    templates = [_TEMPLATES[index] for index in chosen]
    cases = [_case_from(template, rng, statuses, now, reviewer_ids) for template in templates]
    consent_base = _base(
        Consent(
            version=consent.CURRENT_VERSION,
            privacy_notice=True,
            reviewers_may_read=True,
            user_agent="seed_demo",
        )
    )
    event_base = _base(AuditEvent(action=AuditEvent.Action.SUBMITTED, actor_label="family"))
    record_base = _base(
        ConsentRecord(
            text_version=consent.CURRENT_VERSION, via=ConsentRecord.Via.CASE_FORM, user_agent="seed_demo"
        )
    )
    link_base, note_base, message_base = _base(FamilyLink()), _base(Note()), _base(Message())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        if _SUPERUSER[0]:
            # Demo data made consistent by construction: skip the per-row foreign key triggers.
            cursor.execute("SET LOCAL session_replication_role = replica")
        case_rows = [_base(case) for case in cases]
        _fresh_references(cursor, case_rows)
        for values, pk in zip(case_rows, _take_ids(cursor, Case, size), strict=True):
            values["id"] = pk  # before the related rows, which point at it
        rows: dict[type, list[dict]] = {model: [] for model in RELATED}
        for values, case, template, index in zip(case_rows, cases, templates, chosen, strict=True):
            case_id, at = values["id"], values["submitted_at"]
            names = []
            for treatment in template.treatments:
                row = _base(treatment)
                row["case_id"] = case_id
                rows[Treatment].append(row)
                names.append(row["name"])
            agreed = {
                **consent_base,
                "case_id": case_id,
                "agreed_at": at,
                "research_contact": rng.random() < 0.4,
            }
            rows[Consent].append(agreed)
            for purpose in consents_module.CASE_PURPOSES:
                given = agreed[consents_module.TEXT_KEYS[purpose]]
                rows[ConsentRecord].append(
                    {**record_base, "case_id": case_id, "purpose": purpose, "given": given, "at": at}
                )
            rows[FamilyLink].append({**link_base, "id": uuid.uuid4(), "case_id": case_id, "created_at": at})
            rows[AuditEvent].append(
                {**event_base, "case_id": case_id, "case_reference": values["reference"], "at": at}
            )
            notes = []
            if case.assigned_to_id and rng.random() < 0.5:
                notes.append(rng.choice(NOTES))
                rows[Note].append(
                    {
                        **note_base,
                        "case_id": case_id,
                        "author_id": case.assigned_to_id,
                        "body": notes[0],
                        "created_at": case.assigned_at,
                    }
                )
            if case.first_response_at:
                report = _base(_demo_report(case, rng))
                report["case_id"] = case_id
                rows[Report].append(report)
            if case.status == Case.Status.WAITING_ON_FAMILY:
                rows[Message].append(
                    {
                        **message_base,
                        "case_id": case_id,
                        "sender": Message.Sender.REVIEWER,
                        "author_id": case.assigned_to_id,
                        "kind": Message.Kind.QUESTION,
                        "body": rng.choice(QUESTIONS),
                        "created_at": case.clock_paused_at,
                    }
                )
            values["search_document"] = _VECTORS[index, notes[0] if notes else ""]
        _write(cursor, TABLES[Case], case_rows, now)
        for model, model_rows in rows.items():
            _write(cursor, TABLES[model], model_rows, now)
        # Report options point at reports, whose ids are known only now.
        option_base = _base(ReportOption())
        options = [
            {**option_base, **option, "report_id": report["id"], "position": position}
            for report in rows[Report]
            for position, option in enumerate(rng.sample(OPTIONS, k=rng.randint(1, 3)))
        ]
        _write(cursor, TABLES[ReportOption], options, now)
    return size


RELATED = [Treatment, Consent, ConsentRecord, FamilyLink, AuditEvent, Note, Message, Report]
TABLES = {
    Case: Table(Case),
    **{model: Table(model) for model in [*RELATED, ReportOption]},
}


def seed_bulk(
    count: int,
    *,
    seed: int = 2026,
    reviewers=None,
    progress=None,
    workers: int = 2,
    templates: int = TEMPLATES,
    chunk: int = CHUNK,
) -> int:
    now = timezone.now()
    reviewer_ids = [r.pk for r in reviewers or []]
    rng = random.Random(seed)
    # The templates: built and validated through the form's code path, as every demo case is.
    per_batch = min(500, templates)
    jobs = [(seed * 7919 + i, per_batch, now, reviewer_ids) for i in range(max(1, templates // per_batch))]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        batches = pool.map(build_batch, *zip(*jobs, strict=True))
        _TEMPLATES[:] = [built for batch in batches for built in batch]

    # Secondary indexes are built once at the end: much faster than millions of updates of each.
    tables = [table.model._meta.db_table for table in TABLES.values()]
    with connection.cursor() as cursor:
        _work_out_vectors(cursor)
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        _SUPERUSER[0] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexdef NOT LIKE 'CREATE UNIQUE INDEX%%'",
            [tables],
        )
        secondary = cursor.fetchall()
        for name, _ in secondary:
            cursor.execute(f'DROP INDEX "{name}"')
    sizes = [min(chunk, count - start) for start in range(0, count, chunk)]
    chunk_jobs = [(rng.randrange(2**31), size, now, reviewer_ids) for size in sizes]
    made = 0
    connections.close_all()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for done in pool.map(_build_chunk, chunk_jobs):
                made += done
                if progress:
                    progress(made)
    finally:
        with connection.cursor() as cursor:
            for _, definition in secondary:
                cursor.execute(definition)
    return made
