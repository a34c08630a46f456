"""The backup drill: back up, restore into an empty database and an empty store, and every count and
hash matches; a damaged backup or a database that is not empty is refused."""

import base64
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as project_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from intake import uploads
from intake.models import Case, Document
from tests.conftest import BUCKET, make_case, make_pdf

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent.parent


def key_ring() -> str:
    return ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in project_settings.DOCUMENT_KEYS.items())


@pytest.fixture
def cases_with_documents(stored_objects):
    cases = [make_case(), make_case(), make_case(status=Case.Status.TRIAGED)]
    for number, case in enumerate(cases):
        upload = SimpleUploadedFile(
            f"report-{number}.pdf", make_pdf(comment=f"Pathology report {number}".encode())
        )
        uploads.store(upload, kind="pathology", existing=[], case=case)
    return cases


@pytest.fixture
def empty_database():
    name = f"restore_{uuid.uuid4().hex[:10]}"
    db = connection.settings_dict
    admin = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()


def restore_elsewhere(folder, database, stored_objects, tmp_path):
    """`manage.py restore` as an operator runs it, on a new database and a new, empty store."""
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DOCUMENTS_S3"))},
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'].replace('/', '%2F')}:{db['PORT']}/{database}",
        "DOCUMENT_KEYS": key_ring(),
        "PRIVATE_UPLOAD_ROOT": str(tmp_path / "restored-uploads"),
    }
    if stored_objects.name == "s3":
        store = stored_objects.client.meta
        env.update(
            DOCUMENTS_S3_BUCKET=BUCKET,
            DOCUMENTS_S3_ENDPOINT_URL=store.endpoint_url,
            DOCUMENTS_S3_REGION=store.region_name,
            DOCUMENTS_S3_ACCESS_KEY_ID=stored_objects.client._request_signer._credentials.access_key,
            DOCUMENTS_S3_SECRET_ACCESS_KEY=stored_objects.client._request_signer._credentials.secret_key,
            DOCUMENTS_S3_PREFIX=f"restored-{uuid.uuid4().hex[:8]}",
        )
    command = [sys.executable, "manage.py", "restore", str(folder), "--no-progress"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_a_backup_restores_with_every_count_and_hash_matching(
    cases_with_documents, stored_objects, empty_database, tmp_path
):
    folder = tmp_path / "backup"
    call_command("backup", str(folder), "--no-progress")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["rows"]["intake_case"] == 3
    assert len(manifest["documents"]) == Document.objects.count() == 3
    # What the backup holds of the documents is as encrypted as the store.
    for document in manifest["documents"]:
        assert b"%PDF" not in (folder / "documents" / document["key"]).read_bytes()
    assert oct((folder / "database.dump").stat().st_mode & 0o777) == "0o600"

    result = restore_elsewhere(folder, empty_database, stored_objects, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every count and hash matches the manifest" in result.stdout
    assert "Checked 3: 3 intact, 0 with problems." in result.stdout

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=empty_database
    ) as restored:
        references = {row[0] for row in restored.execute("SELECT reference FROM intake_case")}
    assert references == {case.reference for case in cases_with_documents}


def test_a_damaged_backup_is_refused(cases_with_documents, stored_objects, empty_database, tmp_path):
    folder = tmp_path / "backup"
    call_command("backup", str(folder), "--no-progress")
    document = json.loads((folder / "manifest.json").read_text())["documents"][0]
    damaged = folder / "documents" / document["key"]
    # Flip every bit of the last byte: writing a fixed byte changes nothing when it was that already.
    content = damaged.read_bytes()
    damaged.write_bytes(content[:-1] + bytes([content[-1] ^ 0xFF]))
    result = restore_elsewhere(folder, empty_database, stored_objects, tmp_path)
    assert result.returncode != 0
    assert f"The document {document['key']} in the backup does not match its SHA-256." in result.stderr


def test_restore_never_writes_over_a_database_in_use(cases_with_documents, tmp_path):
    folder = tmp_path / "backup"
    call_command("backup", str(folder), "--no-progress")
    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("restore", str(folder), "--no-progress")
    with pytest.raises(CommandError, match="not empty: a backup goes into a new folder"):
        call_command("backup", str(folder), "--no-progress")
