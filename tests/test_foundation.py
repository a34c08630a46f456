import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_it_shows_the_home_page_in_plain_language(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Start your case assessment" in body
    assert "free and confidential" in body.lower()
    assert 'href="#main"' in body  # skip link
    assert "<main" in body and "<nav" in body and "<footer" in body


def test_it_serves_bootstrap_from_our_own_origin(client):
    body = client.get("/").content.decode()
    assert "/static/bootstrap/css/bootstrap.min.css" in body
    assert "cdn" not in body.lower()


def test_it_sends_security_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_it_shows_the_privacy_page(client):
    response = client.get("/privacy/")
    assert response.status_code == 200
    assert b"How we protect your information" in response.content


def test_it_runs_on_postgresql(db):
    from django.db import connection

    assert connection.vendor == "postgresql"


def test_the_admin_asks_staff_to_log_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _manage(*args, env_overrides):
    env = {**os.environ, **env_overrides}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright in conftest; not in production
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "a-production-like-secret-key-with-enough-length-and-entropy-7f3k9q2x8v",
    "ALLOWED_HOSTS": "cases.example.org",
    "SITE_URL": "https://cases.example.org",
    "DOCUMENT_KEYS": "2026a:" + "A" * 43 + "=",
    "CLAMD_SOCKET": "/run/clamav/clamd.ctl",
}


def test_deploy_checks_pass_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_in_production_on_the_development_secret():
    env = {**os.environ, **PRODUCTION_ENV}
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_to_start_in_production_without_document_keys():
    env = {**PRODUCTION_ENV, "DOCUMENT_KEYS": ""}
    result = _manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "DOCUMENT_KEYS must be set when DJANGO_DEBUG is off" in result.stderr


def test_it_warns_at_start_in_production_without_a_virus_scanner():
    result = _manage("check", env_overrides={**PRODUCTION_ENV, "CLAMD_SOCKET": ""})
    assert result.returncode == 0
    assert "intake.W001" in result.stderr and "No virus scanner is configured" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("EMAIL_PORT", "twenty-five"),
        ("DATABASE_URL", "mysql://x@localhost/db"),
        ("DOCUMENT_KEYS", "2026a:c2hvcnQ="),
        ("DOCUMENT_KEYS", "no-colon-here"),
        ("CLAMD_PORT", "clam"),
    ],
)
def test_a_bad_setting_names_the_variable(name, value):
    result = _manage("check", env_overrides={name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


@pytest.mark.browser
def test_a_visitor_follows_the_call_to_action(page):
    page.goto("/")
    assert page.title().startswith("Free help finding treatment options")
    page.get_by_role("link", name="Start your case assessment").click()
    page.wait_for_url("**/start/")
    assert page.get_by_role("heading", level=1).inner_text() == "Before you start"


def test_a_missing_page_gets_a_plain_message(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content


def test_the_favicon_is_ours(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
