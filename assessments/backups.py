"""Backups: one consistent dump of the database with a copy of every stored document, and the way
back into an empty database and an empty document store, checked count by count and hash by hash.

The documents are copied as stored, that is encrypted: a backup is unreadable without DOCUMENT_KEYS,
which are kept elsewhere (see README: backups).
"""

import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from intake.documents import storage
from intake.models import Document

MANIFEST = "manifest.json"
DUMP = "database.dump"
DOCUMENTS = "documents"
FORMAT = 1


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why."""


def pg_tool(name: str) -> str:
    """pg_dump and pg_restore: from PG_BIN_DIR when set, otherwise those of the embedded PostgreSQL
    wheel (version 16, which reads and writes dumps of servers up to 16)."""
    folder = os.environ.get("PG_BIN_DIR")
    if not folder:
        from pgserver._commands import POSTGRES_BIN_PATH

        folder = str(POSTGRES_BIN_PATH)
    return str(Path(folder) / name)


def _libpq_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGUSER": db["USER"] or ""}
    if db.get("HOST"):
        env["PGHOST"] = db["HOST"]
    if db.get("PORT"):
        env["PGPORT"] = str(db["PORT"])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _tables() -> list[str]:
    return sorted(
        {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
        & set(connection.introspection.table_names())
    )


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in _tables():
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from our own models
            counts[table] = cursor.fetchone()[0]
    return counts


def _hashed_copy(chunks, target: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def _file_blocks(path: Path, size: int = 256 * 1024):
    with open(path, "rb") as handle:
        while block := handle.read(size):
            yield block


def _hash_of(chunks) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def backup(folder: Path, *, progress: Callable = lambda items, total: items) -> dict:
    """Write the dump, the documents and the manifest into `folder` (new or empty)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup goes into a new folder.")
    (folder / DOCUMENTS).mkdir(mode=0o700)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # One snapshot for the dump, the counts and the list of documents: they agree exactly,
            # whatever the site does meanwhile.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        dump = subprocess.run(  # noqa: S603 - our own arguments, no shell
            [
                pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={folder / DUMP}",
            ],
            env=_libpq_env(),
            capture_output=True,
            text=True,
        )
        if dump.returncode:
            raise BackupError(f"pg_dump failed: {dump.stderr.strip()}")
        os.chmod(folder / DUMP, 0o600)
        counts = _row_counts()
        rows = list(Document.objects.exclude(stored_name="").values_list("stored_name", "sha256"))
        documents = []
        for key, plaintext_sha256 in progress(rows, len(rows)):
            try:
                size, digest = _hashed_copy(storage.read(key), folder / DOCUMENTS / key)
            except storage.ObjectMissing:
                raise BackupError(f"The stored object {key} is missing; run verify_documents.") from None
            documents.append(
                {"key": key, "size": size, "sha256": digest, "plaintext_sha256": plaintext_sha256}
            )
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"dump": DUMP, "sha256": _hash_of(_file_blocks(folder / DUMP))[1], "rows": counts},
        "documents": documents,
        "key_ids": sorted({key_id for key_id in Document.objects.values_list("key_id", flat=True) if key_id}),
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=1))
    path.chmod(0o600)
    return manifest


@dataclass
class Restored:
    rows: dict[str, int] = field(default_factory=dict)
    documents: int = 0
    problems: list[str] = field(default_factory=list)


def _check_backup(folder: Path, manifest: dict) -> None:
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{folder} was written by another version of this backup (format {manifest.get('format')})."
        )
    if _hash_of(_file_blocks(folder / DUMP))[1] != manifest["database"]["sha256"]:
        raise BackupError(
            "The database dump does not match its SHA-256 in the manifest: it was altered or cut."
        )
    for document in manifest["documents"]:
        path = folder / DOCUMENTS / document["key"]
        if not path.exists():
            raise BackupError(f"The backup lacks the document {document['key']}.")
        if _hash_of(_file_blocks(path)) != (document["size"], document["sha256"]):
            raise BackupError(f"The document {document['key']} in the backup does not match its SHA-256.")


def _check_empty() -> None:
    if "django_migrations" in connection.introspection.table_names():
        raise BackupError("The database is not empty: restore goes into a new, empty database.")
    for _ in storage.keys_older_than(timezone.now() + timedelta(days=1)):
        raise BackupError(
            f"The document store ({storage.describe()}) is not empty: restore goes into an empty one."
        )


def restore(folder: Path, *, progress: Callable = lambda items, total: items) -> Restored:
    """Restore a backup into the configured (empty) database and document store, and check it."""
    manifest = json.loads((folder / MANIFEST).read_text())
    _check_backup(folder, manifest)
    _check_empty()
    connection.close()
    result = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(folder / DUMP),
        ],
        env=_libpq_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    restored = Restored(rows=_row_counts())
    for table, count in manifest["database"]["rows"].items():
        if restored.rows.get(table) != count:
            restored.problems.append(
                f"Table {table}: {restored.rows.get(table)} rows, the backup had {count}."
            )
    for document in progress(manifest["documents"], len(manifest["documents"])):
        storage.write(document["key"], _file_blocks(folder / DOCUMENTS / document["key"]))
        # Read back from the store itself: what counts is what the store now holds.
        if _hash_of(storage.read(document["key"])) != (document["size"], document["sha256"]):
            restored.problems.append(
                f"Document {document['key']}: the store holds other bytes than the backup."
            )
        restored.documents += 1
    return restored
