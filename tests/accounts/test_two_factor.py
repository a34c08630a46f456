"""The second factor: setting up an authenticator app, codes, recovery codes, resets.

alice (reviewer) signs in for the first time and sets up her app; carol (coordinator) already has
one; sam (supervisor) resets second factors; the admin is behind the same two steps.
"""

import re
import time

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import factors
from accounts.models import RecoveryCode
from assessments.models import AuditEvent
from tests.conftest import PASSWORD, authenticator_for, client_for, next_code

pytestmark = pytest.mark.django_db


def password_step(user, *, ip="198.51.100.7") -> Client:
    client = Client(REMOTE_ADDR=ip)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"].startswith("/accounts/two-factor/")
    return client


def code_at(device, offset_steps: int) -> str:
    # Far enough from a step boundary that "now" is the same step when the server checks.
    if device.step - (time.time() % device.step) < 1.5:
        time.sleep(1.6)
    return factors.current_code(device, at=time.time() + offset_steps * device.step)


def submit_code(client, code, *, next_url=""):
    url = "/accounts/two-factor/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"code": code, "next": next_url})


def test_it_takes_someone_without_an_app_to_set_one_up_and_nowhere_else(alice):
    client = password_step(alice)
    for url in ["/review/", "/review/export.csv", "/admin/", "/accounts/staff/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/two-factor/?next="), url
    response = client.get("/accounts/two-factor/?next=/review/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/two-factor/set-up/?next=%2Freview%2F"
    page = response.content.decode()
    assert 'src="data:image/svg+xml' in page  # drawn by us, no outside service
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    secret = factors.secret_base32(device)
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    # A reload shows the same secret: the app the person just set up keeps working.
    assert secret in client.get("/accounts/two-factor/set-up/").content.decode().replace(" ", "")


def test_setting_up_needs_a_right_first_code_then_shows_ten_recovery_codes_once(alice):
    client = password_step(alice)
    client.get("/accounts/two-factor/set-up/")
    device = TOTPDevice.objects.get(user=alice)
    response = client.post(
        "/accounts/two-factor/set-up/?next=/review/", {"code": "000000", "next": "/review/"}
    )
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    key_before = client.session.session_key

    response = client.post(
        "/accounts/two-factor/set-up/?next=/review/", {"code": code_at(device, 0), "next": "/review/"}
    )
    assert response["Location"] == "/accounts/two-factor/recovery-codes/?next=%2Freview%2F"
    assert client.session.session_key != key_before
    page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li>(\w{4}-\w{4}-\w{4})</li>", page)
    assert len(codes) == 10
    # Stored hashed: the codes themselves are nowhere in the database.
    assert RecoveryCode.objects.filter(device__user=alice).count() == 10
    stored = list(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not set(codes) & set(stored)
    # Shown once.
    again = client.get("/accounts/two-factor/recovery-codes/").content.decode()
    assert codes[0] not in again
    assert "You have 10 unused recovery codes" in again
    assert client.get("/review/").status_code == 200
    assert AuditEvent.objects.filter(action="second_factor_enrolled", actor=alice).exists()


def test_a_password_alone_cannot_replace_an_app_that_is_set_up(carol):
    authenticator_for(carol)
    client = password_step(carol)
    response = client.get("/accounts/two-factor/set-up/")
    assert response["Location"].startswith("/accounts/two-factor/?next=")
    assert TOTPDevice.objects.filter(user=carol).count() == 1


def test_a_code_works_once_and_a_step_either_side(carol):
    device = authenticator_for(carol)
    client = password_step(carol)
    key_before = client.session.session_key
    code = code_at(device, -1)  # a phone clock a little behind
    response = submit_code(client, code, next_url="/review/")
    assert response["Location"] == "/review/"
    assert client.session.session_key != key_before
    assert client.get("/review/").status_code == 200
    assert AuditEvent.objects.filter(action="signed_in", actor=carol).exists()

    # The same code again, in another browser: refused as used.
    other = password_step(carol, ip="198.51.100.8")
    response = submit_code(other, code)
    assert response.status_code == 200
    assert "That code has been used already" in response.content.decode()
    assert other.get("/review/").status_code == 302
    # A phone clock a step ahead is fine; two steps are not.
    assert submit_code(other, code_at(device, 2)).status_code == 200
    assert submit_code(other, code_at(device, 1)).status_code == 302


def test_five_wrong_codes_lock_the_app_for_fifteen_minutes(carol):
    device = authenticator_for(carol)
    client = password_step(carol)
    for _ in range(4):
        assert "That code is not right" in submit_code(client, "123456").content.decode()
    response = submit_code(client, "123456")
    assert "Too many wrong codes" in response.content.decode()
    assert AuditEvent.objects.filter(action="second_factor_locked", actor=carol).count() == 1
    # Even the right code is refused now, and it does not reveal whether it was right.
    response = submit_code(client, next_code(device))
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/review/").status_code == 302
    # Fifteen minutes later, codes work again.
    device.refresh_from_db()
    device.throttling_failure_timestamp -= factors.timedelta(minutes=15, seconds=1)
    device.save()
    assert submit_code(client, next_code(device)).status_code == 302
    assert client.get("/review/").status_code == 200


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(carol):
    authenticator_for(carol)
    recovery, _ = factors.RecoveryCodeDevice.objects.get_or_create(user=carol, name="Recovery codes")
    codes = recovery.new_codes()
    client = password_step(carol)
    response = submit_code(client, codes[3].lower().replace("-", " "))
    assert response.status_code == 302
    page = client.get(response["Location"], follow=True).content.decode()
    assert "You have 9 left" in page
    assert AuditEvent.objects.get(action="recovery_code_used").detail == {"left": 9}
    other = password_step(carol, ip="198.51.100.9")
    assert "not a 6-digit code" in submit_code(other, codes[3]).content.decode()


def test_the_admin_needs_both_steps(sam):
    client = password_step(sam)
    response = client.get("/admin/intake/case/")
    assert response["Location"].startswith("/accounts/two-factor/")
    assert client_for(sam).get("/admin/intake/case/").status_code == 200
    # The admin's own sign-in page sends people to ours.
    response = Client().get("/admin/login/?next=/admin/")
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_a_supervisor_resets_someones_second_factor(sam, carol, alice):
    carols_browser = client_for(carol)
    supervisor = client_for(sam)
    page = supervisor.get("/accounts/staff/").content.decode()
    assert "carol" in page and "Set up" in page
    response = supervisor.post("/accounts/staff/carol/reset-second-factor/")
    assert response["Location"] == "/accounts/staff/"
    assert not TOTPDevice.objects.filter(user=carol).exists()
    event = AuditEvent.objects.get(action="second_factor_reset")
    assert event.actor == sam and event.detail["user"] == "carol"
    # Carol is signed out everywhere and sets up a new app at her next sign-in.
    assert carols_browser.get("/review/")["Location"].startswith("/accounts/login/")
    client = password_step(carol)
    assert client.get("/accounts/two-factor/")["Location"].startswith("/accounts/two-factor/set-up/")
    # Reviewers may not reset anyone.
    assert client_for(alice).post("/accounts/staff/carol/reset-second-factor/").status_code == 403
    assert client_for(alice).get("/accounts/staff/").status_code == 403


def test_a_supervisor_resets_from_the_admin_too(sam, carol):
    authenticator_for(carol)
    response = client_for(sam).post(
        "/admin/auth/user/", {"action": "reset_second_factor", "_selected_action": [carol.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=carol).exists()
    assert AuditEvent.objects.filter(action="second_factor_reset", actor=sam).exists()


def test_a_code_page_sent_empty_or_with_a_strange_next_says_what_is_wrong(carol):
    # Found by the fuzz tests: an empty post showed the page again without a word, and a `next` that
    # looks like a view name ("48999") made a 500.
    device = authenticator_for(carol)
    client = password_step(carol)
    assert "Please type the code from your app." in client.post("/accounts/two-factor/", {}).content.decode()
    response = client.post("/accounts/two-factor/", {"code": next_code(device), "next": "48999"})
    assert response["Location"] == "/review/"
