"""Importing study records into the catalogue: streamed in, upserted by NCT number in batches.

Sources: a file holding one study, a JSON list of studies, or an API page ({"studies": [...]}); a
folder of such files; a ZIP of them (as the bulk download comes). Files are read with ijson, one
study at a time, so memory stays flat however large the input.

Each study is parsed and checked before anything is written; a batch is written in one transaction,
and if the database refuses it, the batch is written again study by study so that only the study at
fault is rejected. A study is either stored whole or not at all.
"""

import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ijson
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from trials.models import Site, Study, StudyFacts
from trials.records import FACTS_FIELDS, ParsedStudy, Rejected, parse_study

BATCH_SIZE = 200

# Stemmed words (english) find "relapsed" from "relapse"; words as written (simple) keep short
# names such as "T" in "T-ALL" or "CAR T", which the english configuration drops as stop words.
_FIELDS = [
    ("coalesce(brief_title, '') || ' ' || coalesce(title, '') || ' ' || coalesce(acronym, '')", "A"),
    ("array_to_string(conditions, ' ; ')", "A"),
    ("array_to_string(keywords, ' ; ')", "B"),
    ("array_to_string(interventions, ' ; ')", "C"),
]
SEARCH_DOCUMENT_SQL = " || ".join(
    f"setweight(to_tsvector('{config}', {expression}), '{weight}')"
    for config in ("english", "simple")
    for expression, weight in _FIELDS
)


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    # Stored studies that came in with an older last-update date than ours: not applied.
    older: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.older + len(self.rejected)

    def summary(self) -> str:
        return (
            f"{self.new} new, {self.updated} updated, {self.unchanged + self.older} unchanged"
            + (f" ({self.older} older than the stored version, not applied)" if self.older else "")
            + f", {len(self.rejected)} rejected"
        )


class Importer:
    """Feed it records; it writes them in batches. Use as a context manager so the last batch is written."""

    def __init__(self, *, batch_size: int = BATCH_SIZE, on_progress=None):
        self.batch_size = batch_size
        self.counts = Counts()
        self.on_progress = on_progress or (lambda counts: None)
        self._batch: dict[str, tuple[str, ParsedStudy]] = {}

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.flush()

    def feed(self, label: str, record) -> None:
        if isinstance(record, Rejected):  # the source could not be read (see records_in_paths)
            self.reject(label, str(record))
            return
        try:
            study = parse_study(record)
        except Rejected as e:
            self.reject(label, str(e))
            return
        if study.nct_id in self._batch:
            self.flush()  # the same study twice: the later copy is compared with the earlier one
        self._batch[study.nct_id] = (label, study)
        if len(self._batch) >= self.batch_size:
            self.flush()

    def reject(self, label: str, reason: str) -> None:
        self.counts.rejected.append((label, reason))
        self.on_progress(self.counts)

    def flush(self) -> None:
        batch, self._batch = list(self._batch.values()), {}
        if not batch:
            return
        try:
            with transaction.atomic():
                counts = self._write([s for _, s in batch])
        except DatabaseError:
            # Something in the batch broke a database rule: write one by one to find it.
            counts = Counts()
            for label, study in batch:
                try:
                    with transaction.atomic():
                        one = self._write([study])
                except DatabaseError as e:
                    counts.rejected.append((label, f"{study.nct_id}: the database refused it ({e})".strip()))
                    continue
                counts.new += one.new
                counts.updated += one.updated
                counts.unchanged += one.unchanged
                counts.older += one.older
        self.counts.new += counts.new
        self.counts.updated += counts.updated
        self.counts.unchanged += counts.unchanged
        self.counts.older += counts.older
        self.counts.rejected += counts.rejected
        self.on_progress(self.counts)

    def _write(self, studies: list[ParsedStudy]) -> Counts:
        counts = Counts()
        existing = {
            nct: (pk, digest, updated_on)
            for nct, pk, digest, updated_on in Study.objects.filter(
                nct_id__in=[s.nct_id for s in studies]
            ).values_list("nct_id", "pk", "record_hash", "source_updated_on")
        }
        now = timezone.now()
        new, changed = [], []
        for study in studies:
            digest = study.record_hash
            if study.nct_id not in existing:
                new.append((study, Study(**study.study_fields(), record_hash=digest, first_imported_at=now)))
                continue
            pk, stored_digest, stored_on = existing[study.nct_id]
            if stored_digest == digest:
                counts.unchanged += 1
            elif stored_on and study.source_updated_on and study.source_updated_on < stored_on:
                counts.older += 1
            else:
                changed.append((study, Study(pk=pk, **study.study_fields(), record_hash=digest)))

        Study.objects.bulk_create([row for _, row in new])
        StudyFacts.objects.bulk_create(
            StudyFacts(study_id=row.pk, **study.facts_fields()) for study, row in new
        )
        if changed:
            fields = [*changed[0][0].study_fields().keys() - {"nct_id"}, "record_hash", "updated_at"]
            for _, row in changed:
                row.updated_at = now
            Study.objects.bulk_update([row for _, row in changed], fields)
            StudyFacts.objects.bulk_update(
                [StudyFacts(study_id=row.pk, **study.facts_fields()) for study, row in changed],
                FACTS_FIELDS,
            )
            Site.objects.filter(study_id__in=[row.pk for _, row in changed]).delete()
        written = new + changed
        Site.objects.bulk_create(
            Site(study_id=row.pk, **vars(site)) for study, row in written for site in study.sites
        )
        if written:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE trials_study SET search_document = {SEARCH_DOCUMENT_SQL} WHERE id = ANY(%s)",  # noqa: S608 - fixed SQL
                    [[row.pk for _, row in written]],
                )
        counts.new += len(new)
        counts.updated += len(changed)
        return counts


# Reading sources --------------------------------------------------------------------------------


def records_in_paths(paths: Iterable[str | Path]) -> Iterator[tuple[str, object]]:
    """(label, record) for every study in the given files, folders and ZIPs; unreadable input comes
    as (label, Rejected)."""
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.suffix.lower() in (".json", ".zip")):
                yield from records_in_paths([child])
        elif path.suffix.lower() == ".zip":
            yield from _records_in_zip(path)
        elif path.exists():
            with path.open("rb") as f:
                yield from records_in_stream(str(path), f)
        else:
            yield str(path), Rejected("no such file or folder")


def _records_in_zip(path: Path) -> Iterator[tuple[str, object]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        yield str(path), Rejected(f"not a readable ZIP file ({e})")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.lower().endswith(".json"):
                continue
            with archive.open(info) as f:
                yield from records_in_stream(f"{path}:{info.filename}", f)


def _first_key(stream) -> str | None:
    """The first key of a top-level JSON object, read without reading the rest."""
    for prefix, event, value in ijson.parse(stream):
        if prefix == "" and event == "map_key":
            return value
        if prefix == "" and event == "end_map":
            return None
    return None


def records_in_stream(label: str, stream) -> Iterator[tuple[str, object]]:
    """Every study in one JSON document: a list of studies, an API page, or a single study."""
    if not stream.seekable():
        stream = _spooled(stream)
    start = stream.read(1024).lstrip()
    stream.seek(0)
    if start[:1] == b"[":
        prefix = "item"
    elif start[:1] == b"{":
        try:
            first = _first_key(stream)
        except ijson.JSONError as e:
            yield label, Rejected(f"not valid JSON ({e})")
            return
        stream.seek(0)
        prefix = "studies.item" if first in ("studies", "nextPageToken", "totalCount") else ""
    else:
        yield label, Rejected("not a JSON list or object")
        return
    count = 0
    try:
        for record in ijson.items(stream, prefix, use_float=True):
            count += 1
            yield (label if prefix == "" else f"{label} #{count}"), record
    except ijson.JSONError as e:
        yield label, Rejected(f"not valid JSON after {count} studies ({e})")


def _spooled(stream):
    """A seekable copy of a stream that cannot seek: in memory while small, on disk beyond that."""
    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned
    while chunk := stream.read(1024 * 1024):
        buffer.write(chunk)
    buffer.seek(0)
    return buffer
