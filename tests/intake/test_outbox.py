import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from intake.models import OutboundEmail
from intake.outbox import MAX_ATTEMPTS, deliver_due
from tests.conftest import make_case
from tests.fake_email import FlakyBackend

pytestmark = pytest.mark.django_db


def test_a_mail_server_that_is_down_loses_nothing_and_the_email_goes_out_once(settings):
    settings.EMAIL_BACKEND = "tests.fake_email.FlakyBackend"
    FlakyBackend.down = True
    case = make_case()
    email = OutboundEmail.objects.get(case=case)

    assert deliver_due() == 0
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.PENDING
    assert email.attempts == 1
    assert "SMTPConnectError" in email.last_error
    assert email.next_attempt_at > timezone.now()
    assert deliver_due() == 0  # not due again yet: backoff
    assert email.attempts == 1

    FlakyBackend.down = False
    later = timezone.now() + timedelta(minutes=5)
    assert deliver_due(now=later) == 1
    assert deliver_due(now=later + timedelta(hours=1)) == 0
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.SENT and email.sent_at and email.last_error == ""
    assert len(mail.outbox) == 1
    assert case.reference in mail.outbox[0].subject


def test_after_many_failures_an_email_is_marked_failed_for_staff_to_see(settings):
    settings.EMAIL_BACKEND = "tests.fake_email.FlakyBackend"
    FlakyBackend.down = True
    make_case()
    moment = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        deliver_due(now=moment)
        moment += timedelta(hours=2)
    email = OutboundEmail.objects.get()
    assert email.state == OutboundEmail.State.FAILED
    assert email.attempts == MAX_ATTEMPTS
    FlakyBackend.down = False


def test_the_worker_command_sends_what_is_due():
    make_case()
    call_command("send_outbox", "--once")
    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get().state == OutboundEmail.State.SENT


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_email():
    for _ in range(12):
        make_case()
    start = threading.Barrier(3)

    def worker():
        start.wait()
        try:
            deliver_due()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(mail.outbox) == 12
    assert len({m.to[0] + m.subject for m in mail.outbox}) == 12
    assert OutboundEmail.objects.filter(state="sent").count() == 12
