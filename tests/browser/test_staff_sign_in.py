"""Staff sign-in in a browser: password and authenticator code, the idle sign-out, and the lockout."""

import pytest

from tests.conftest import PASSWORD, make_case, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_signs_in_is_signed_out_when_idle_and_comes_back(page, settings, carol):
    case = make_case()
    settings.STAFF_IDLE_SECONDS = 8
    page.goto(f"/review/cases/{case.reference}/")
    assert "/accounts/login/" in page.url
    sign_in(page, carol)  # password, then a code computed from carol's authenticator
    assert page.url.endswith(f"/review/cases/{case.reference}/")

    # A warning comes first; "Stay signed in" keeps the session.
    warning = page.get_by_role("dialog", name="Are you still there?")
    warning.wait_for(state="visible", timeout=10_000)
    warning.get_by_role("button", name="Stay signed in").click()
    warning.wait_for(state="hidden")
    page.wait_for_timeout(5_000)
    assert page.url.endswith(f"/review/cases/{case.reference}/")

    # Left alone, the page signs out and asks for the password again.
    page.wait_for_url("**/accounts/login/**", timeout=15_000)
    assert "You were signed out after a while without activity" in page.content()
    sign_in(page, carol)
    assert page.url.endswith(f"/review/cases/{case.reference}/")


def test_a_locked_username_is_refused_from_that_address_but_not_from_another(
    browser, live_server, settings, carol
):
    # Behind our proxy the address comes from X-Forwarded-For, as in production.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    office = browser.new_context(
        base_url=live_server.url, extra_http_headers={"X-Forwarded-For": "198.51.100.7"}
    )
    home = browser.new_context(
        base_url=live_server.url, extra_http_headers={"X-Forwarded-For": "203.0.113.9"}
    )
    page = office.new_page()
    page.set_default_timeout(5_000)
    for attempt in range(5):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("carol")
        page.get_by_label("Password").fill(f"not the password {attempt}")
        page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Sign-in is paused for this account").is_visible()

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Sign-in is paused for this account").is_visible()
    assert "ask a supervisor" in page.get_by_role("alert").inner_text()

    other = home.new_page()
    other.set_default_timeout(5_000)
    sign_in(other, carol)
    assert other.url.endswith("/review/")
    office.close()
    home.close()
