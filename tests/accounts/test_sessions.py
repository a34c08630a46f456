"""Staff sessions: new keys at each sign-in step, time limits, and ending them from the server."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client

from accounts import sessions
from accounts.models import StaffSession
from assessments.models import AuditEvent
from tests.conftest import PASSWORD, authenticator_for, client_for, make_case, next_code
from tests.intake.test_family_page import verified_client

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    client.post("/accounts/two-factor/", {"code": next_code(authenticator_for(user))})
    return client


def age_session(client, *, idle: int = 0, since_sign_in: int = 0) -> None:
    session = client.session
    session[sessions.LAST_SEEN_AT] -= idle
    session[sessions.SIGNED_IN_AT] -= since_sign_in
    session.save()


def test_the_session_key_changes_at_each_step(carol):
    client = Client()
    client.post("/start/")  # a session from before signing in, as an attacker could plant
    anonymous_key = client.cookies["sessionid"].value
    client.post("/accounts/login/", {"username": "carol", "password": PASSWORD})
    password_key = client.cookies["sessionid"].value
    client.post("/accounts/two-factor/", {"code": next_code(authenticator_for(carol))})
    verified_key = client.cookies["sessionid"].value
    assert len({anonymous_key, password_key, verified_key}) == 3
    assert not Session.objects.filter(session_key__in=[anonymous_key, password_key]).exists()
    assert client.get("/review/").status_code == 200


def test_an_idle_session_ends_and_brings_the_person_back_where_they_were(carol, settings):
    case = make_case()
    client = signed_in(carol)
    assert client.get(f"/review/cases/{case.reference}/").status_code == 200
    age_session(client, idle=settings.STAFF_IDLE_SECONDS + 1)
    response = client.get(f"/review/cases/{case.reference}/", follow=True)
    assert response.redirect_chain[0][0] == f"/accounts/login/?next=/review/cases/{case.reference}/"
    assert "You were signed out after a while without activity" in response.content.decode()
    assert AuditEvent.objects.get(action="session_expired").detail == {"reason": "idle"}
    # A form posted after the time ran out sends them back to the page that showed it.
    client = signed_in(carol)
    age_session(client, idle=settings.STAFF_IDLE_SECONDS + 1)
    response = client.post(
        f"/review/cases/{case.reference}/notes/",
        {"note-body": "x"},
        HTTP_REFERER=f"http://testserver/review/cases/{case.reference}/",
    )
    assert response["Location"] == f"/accounts/login/?next=/review/cases/{case.reference}/"


def test_activity_keeps_the_session_but_twelve_hours_end_it(carol, settings):
    client = signed_in(carol)
    age_session(client, idle=settings.STAFF_IDLE_SECONDS - 30)
    assert client.post("/accounts/keep-alive/").json()["seconds_left"] > settings.STAFF_IDLE_SECONDS - 20
    assert client.get("/review/").status_code == 200
    age_session(client, since_sign_in=settings.STAFF_SESSION_SECONDS + 1)
    response = client.get("/review/", follow=True)
    assert "you had been signed in for a long time" in response.content.decode()
    assert AuditEvent.objects.get(action="session_expired").detail == {"reason": "limit"}


def test_signing_out_ends_the_session_on_the_server(carol):
    client = signed_in(carol)
    key = client.cookies["sessionid"].value
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/"
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(action="signed_out", actor=carol).exists()
    # The old cookie opens nothing.
    stale = Client()
    stale.cookies["sessionid"] = key
    assert stale.get("/review/").status_code == 302


def test_switching_an_account_off_ends_all_its_sessions_at_once(carol, sam):
    laptop, phone = signed_in(carol), signed_in(carol)
    keys = [laptop.cookies["sessionid"].value, phone.cookies["sessionid"].value]
    supervisor = client_for(sam)
    form = supervisor.get(f"/admin/auth/user/{carol.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("password", "last_login")}
    data.update(
        {
            "is_active": "",
            "groups": [g.pk for g in carol.groups.all()],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        }
    )
    data.pop("user_permissions", None)
    response = supervisor.post(f"/admin/auth/user/{carol.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert laptop.get("/review/").status_code == 302
    assert AuditEvent.objects.get(action="sessions_ended").detail["reason"] == "account deactivated"


def test_a_password_reset_ends_all_sessions(carol, sam):
    laptop = signed_in(carol)
    response = client_for(sam).post(
        f"/admin/auth/user/{carol.pk}/password/",
        {
            "password1": "a brand new passphrase",
            "password2": "a brand new passphrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/review/").status_code == 302
    event = AuditEvent.objects.get(action="sessions_ended")
    assert event.actor == sam and event.detail["reason"] == "password reset"


def test_families_keep_their_own_access_time(settings):
    case = make_case()
    family = verified_client(case)
    settings.STAFF_IDLE_SECONDS = 1
    time.sleep(1.5)
    assert family.get(f"/my-case/{case.family_links.get().token}/").status_code == 200


def test_housekeeping_forgets_sessions_that_ended(carol):
    client = signed_in(carol)
    Session.objects.filter(session_key=client.cookies["sessionid"].value).delete()
    call_command("housekeeping")
    assert not StaffSession.objects.exists()
