"""Running as a service: health checks, a database that goes away and comes back, several machines
doing housekeeping at once, logs without private links, and no start without static files."""

import io
import logging
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from accounts.models import StaffSession
from config.locks import _key
from config.logfilters import HideFamilyLinks
from intake.models import OutboundEmail
from intake.outbox import deliver_due
from tests.conftest import ANSWERS, make_case
from tests.test_foundation import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_reports_the_database_migrations_documents_and_the_email_backlog(client, stored_objects):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "documents": "ok",
        "migrations": "applied",
        "email_backlog_seconds": 0,
    }
    assert "no-cache" in response["Cache-Control"]
    make_case()
    OutboundEmail.objects.update(created_at=timezone.now() - timedelta(minutes=3))
    assert client.get("/healthz").json()["email_backlog_seconds"] >= 180


@pytest.mark.django_db
def test_healthz_answers_503_when_the_document_store_is_down(client, settings, object_store):
    from tests.conftest import s3_document_storage

    down = s3_document_storage(object_store, "down")
    down["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:9"  # nothing listens there
    settings.STORAGES = {**settings.STORAGES, "documents": down}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["documents"] == "unavailable"


@pytest.fixture
def database_down(tmp_path):
    """The database stops answering: connections go to a folder where no server listens."""

    def stop():
        connection.close()
        connection.settings_dict["HOST"] = str(tmp_path)
        connection.settings_dict["PORT"] = "1"

    original = (connection.settings_dict["HOST"], connection.settings_dict["PORT"])
    yield stop
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = original


@pytest.mark.django_db(transaction=True)
def test_while_the_database_is_down_pages_say_try_again_and_keep_the_answers(database_down):
    family = Client(raise_request_exception=False)
    family.post("/start/")
    database_down()

    assert family.get("/healthz").status_code == 503
    answers = ANSWERS["about-you"]
    response = family.post("/case/about-you/", answers)
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "Please try again in a minute" in page and "Nothing you sent is lost" in page
    assert 'name="contact_name" value="Maria Lopez"' in page
    assert 'action="/case/about-you/"' in page
    # A visitor with no session yet still gets the home page: it needs no database.
    assert Client().get("/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_application_recovers_by_itself_when_the_database_returns(database_down):
    family = Client(raise_request_exception=False)
    family.post("/start/")
    original = dict(connection.settings_dict)
    database_down()
    assert family.post("/case/about-you/", ANSWERS["about-you"]).status_code == 503
    connection.settings_dict.update(HOST=original["HOST"], PORT=original["PORT"])
    # No restart: the next request opens a fresh connection.
    response = family.post("/case/about-you/", ANSWERS["about-you"])
    assert response.status_code == 302 and response["Location"] == "/case/patient/"
    assert family.get("/healthz").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_database_lost_while_saving_the_session_is_a_503_not_a_400():
    # As in the load test: PostgreSQL restarts between the page's queries and the session's save.
    family = Client(raise_request_exception=False)
    family.post("/start/")

    def restarting(execute, sql, params, many, context):
        if sql.startswith('UPDATE "django_session"'):
            raise OperationalError("terminating connection due to administrator command")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(restarting):
        response = family.post("/case/about-you/", ANSWERS["about-you"])
    # Not Django's "the session was deleted in a concurrent request".
    page = response.content.decode()
    assert response.status_code == 503 and "Please try again in a minute" in page
    # The page's work was done before the session's save: sending it again would do it twice.
    assert "Try again" not in page and "Please reload this page in a minute" in page
    response = family.post("/case/about-you/", ANSWERS["about-you"])
    assert response.status_code == 302 and response["Location"] == "/case/patient/"


@pytest.mark.django_db(transaction=True)
def test_the_email_worker_and_housekeeping_wait_out_a_database_restart(database_down):
    make_case()
    original = dict(connection.settings_dict)
    database_down()
    # Neither dies: they report and go on.
    call_command("send_outbox", "--once", stdout=io.StringIO())
    call_command("housekeeping", stdout=io.StringIO())
    connection.settings_dict.update(HOST=original["HOST"], PORT=original["PORT"])
    call_command("send_outbox", "--once", stdout=io.StringIO())
    assert OutboundEmail.objects.get().state == OutboundEmail.State.SENT


@pytest.mark.django_db
def test_an_email_sent_twice_carries_the_same_message_id():
    make_case()
    email = OutboundEmail.objects.get()
    assert deliver_due() == 1
    # As if the worker had died before its commit: the row is pending again and goes out again.
    OutboundEmail.objects.update(state=OutboundEmail.State.PENDING)
    assert deliver_due() == 1
    first, second = (m.message()["Message-ID"] for m in mail.outbox)
    assert first == second == f"<outbox-{email.pk}-{int(email.created_at.timestamp())}@127.0.0.1>"


@pytest.mark.django_db(transaction=True)
def test_two_housekeeping_runs_never_do_the_same_task_at_once(alice):
    StaffSession.objects.create(user=alice, session_key="gone")
    db = connection.settings_dict
    other_machine = psycopg.connect(
        host=db["HOST"], port=db["PORT"], dbname=db["NAME"], user=db["USER"], autocommit=True
    )
    try:
        other_machine.execute("SELECT pg_advisory_lock(%s)", [_key("housekeeping: forget ended sessions")])
        out = io.StringIO()
        call_command("housekeeping", stdout=out)
        assert "Skipped “forget ended sessions”: another housekeeping run is doing it now." in out.getvalue()
        assert StaffSession.objects.exists()
    finally:
        other_machine.close()
    call_command("housekeeping", stdout=io.StringIO())
    assert not StaffSession.objects.exists()


@pytest.mark.django_db
def test_logs_show_where_a_family_went_never_their_private_link():
    case = make_case()
    token = case.family_links.get().token
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, HideFamilyLinks) for f in h.filters)
    )
    stream, handler.stream = handler.stream, io.StringIO()
    try:
        Client().get(f"/my-case/{token}/nothing-here/")
        logged = handler.stream.getvalue()
    finally:
        handler.stream = stream
    assert "Not Found: /my-case/…/nothing-here/" in logged
    assert token not in logged


def import_the_web_app(static_root: Path) -> subprocess.CompletedProcess:
    """Load config.wsgi as gunicorn does, with debug off and production-like settings."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "a-production-like-secret-key-with-enough-length-and-entropy-7f3k9q2x8v",
        "DOCUMENT_KEYS": PRODUCTION_ENV["DOCUMENT_KEYS"],
        "STATIC_ROOT": str(static_root),
        "DATA_DIR": str(ROOT / ".data"),
    }
    return subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_app_refuses_to_start_without_collected_static_files(tmp_path):
    result = import_the_web_app(tmp_path)
    assert result.returncode != 0
    assert "run `python manage.py collectstatic`" in result.stderr


def test_the_web_server_logs_what_the_system_checks_warn_about(tmp_path):
    # No virus scanner configured: manage.py commands say so, and now the web server too.
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    result = import_the_web_app(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "intake.W001" in result.stderr and "No virus scanner is configured" in result.stderr
