"""Wrong passwords: five for one username from one address lock that pair for fifteen minutes."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

from assessments.models import AuditEvent
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

HOME, ELSEWHERE = "198.51.100.7", "203.0.113.20"


def try_password(user, password, *, ip=HOME):
    return Client(REMOTE_ADDR=ip).post("/accounts/login/", {"username": user.username, "password": password})


def test_a_wrong_password_gets_a_clear_message_and_is_recorded(alice):
    response = try_password(alice, "not my password")
    assert response.status_code == 200
    assert "That username and password do not match" in response.content.decode()
    event = AuditEvent.objects.get(action="sign_in_failed")
    assert (event.actor_label, event.ip_address, event.detail) == ("alice", HOME, {"step": "password"})
    # Someone trying a username that does not exist is recorded under the name they tried.
    try_password(type(alice)(username="mallory"), "guess")
    assert AuditEvent.objects.filter(action="sign_in_failed", actor_label="mallory").exists()


def test_the_message_gives_the_limits_in_force(alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    body = " ".join(try_password(alice, "not my password").content.decode().split())
    assert (
        "After 3 wrong tries, signing in to this account from this address is paused for 30 minutes." in body
    )
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    body = " ".join(try_password(alice, "not my password", ip=ELSEWHERE).content.decode().split())
    assert "After 3 wrong tries, signing in to this account from this address is paused for 1 minute." in body


def test_five_wrong_passwords_lock_the_username_from_that_address_only(alice):
    for _ in range(4):
        assert try_password(alice, "wrong password!").status_code == 200
    response = try_password(alice, "wrong password!")
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action="locked_out", actor_label="alice", ip_address=HOME).count() == 1

    # Even the right password is refused, with when to try again and whom to ask.
    response = try_password(alice, PASSWORD)
    page = response.content.decode().replace("\xa0", " ")
    assert response.status_code == 429
    assert "Sign-in is paused for this account" in page
    assert "ask a supervisor" in page and "help@example.org" in page
    assert "15 minutes" in page or "14 minutes" in page

    # The same person from another address is not locked.
    response = try_password(alice, PASSWORD, ip=ELSEWHERE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")


def test_the_lock_ends_after_fifteen_minutes(alice):
    for _ in range(5):
        try_password(alice, "wrong password!")
    assert try_password(alice, PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert try_password(alice, PASSWORD).status_code == 302


def test_a_right_password_starts_the_count_again(alice):
    for _ in range(4):
        try_password(alice, "wrong password!")
    assert try_password(alice, PASSWORD).status_code == 302
    for _ in range(4):
        assert try_password(alice, "wrong password!").status_code == 200


def test_a_supervisor_sees_and_lifts_lockouts_in_the_admin(sam, alice):
    for _ in range(5):
        try_password(alice, "wrong password!")
    admin = client_for(sam)
    page = admin.get("/admin/axes/accessattempt/?locked_out=yes").content.decode()
    assert "alice" in page and HOME in page
    assert "Locked out" in admin.get("/accounts/staff/").content.decode()
    attempt = AccessAttempt.objects.get()
    response = admin.post(
        "/admin/axes/accessattempt/", {"action": "lift_lockout", "_selected_action": [attempt.pk]}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action="unlocked")
    assert event.actor == sam and event.detail == {"username": "alice", "address": HOME}
    assert try_password(alice, PASSWORD).status_code == 302
