"""Personas and small helpers shared by every test.

The people in these stories:
- the family: anonymous, no account;
- alice: a reviewer; bob: a second reviewer;
- carol: a coordinator, who triages and assigns;
- sam: a supervisor, who may do everything, exports included.
"""

import os

import pytest
from django.contrib.auth.models import User

# Playwright's sync API runs an event loop in the test thread; the ORM calls we make beside it are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"


def make_user(username: str, *, staff: bool = True) -> User:
    return User.objects.create_user(
        username=username, email=f"{username}@staff.example.org", password=PASSWORD, is_staff=staff
    )


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def carol(db):
    return make_user("carol")


@pytest.fixture
def sam(db):
    return make_user("sam")


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.PRIVATE_UPLOAD_ROOT = tmp_path / "uploads"
    return settings.PRIVATE_UPLOAD_ROOT


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A page the size of a small phone, with touch, as many families will use."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
