"""Personas and small helpers shared by every test.

The people in these stories:
- the family: anonymous, no account;
- alice: a reviewer; bob: a second reviewer;
- carol: a coordinator, who triages and assigns;
- sam: a supervisor, who may do everything, exports included;
- dave: staff without a review role, who may sign in but not see cases.
"""

import importlib
import os

import pytest
from django.contrib.auth.models import Group, User

# Playwright's sync API runs an event loop in the test thread; the ORM calls we make beside it are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"


def ensure_roles() -> None:
    """The roles come from a data migration; tests that truncate tables take them away again."""
    if not Group.objects.filter(name="Supervisor").exists():
        from django.apps import apps

        importlib.import_module("assessments.migrations.0003_roles").create_roles(apps, None)
        importlib.import_module("assessments.migrations.0005_dashboard_role").grant_dashboard(apps, None)


def make_user(username: str, role: str | None = None, *, staff: bool = True) -> User:
    user = User.objects.create_user(
        username=username, email=f"{username}@staff.example.org", password=PASSWORD, is_staff=staff
    )
    if role:
        ensure_roles()
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def alice(db):
    return make_user("alice", "Reviewer")


@pytest.fixture
def bob(db):
    return make_user("bob", "Reviewer")


@pytest.fixture
def carol(db):
    return make_user("carol", "Coordinator")


@pytest.fixture
def sam(db):
    return make_user("sam", "Supervisor")


@pytest.fixture
def dave(db):
    return make_user("dave")


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.PRIVATE_UPLOAD_ROOT = tmp_path / "uploads"
    settings.PRIVATE_UPLOAD_ROOT.mkdir()
    return settings.PRIVATE_UPLOAD_ROOT


def sign_in(page, user) -> None:
    """Sign a member of staff in through the login form, as a person would. Every browser test that
    signs staff in comes through here."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/review/**")


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
    page.set_default_timeout(5_000)
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
    page.set_default_timeout(5_000)
    yield page
    context.close()


# A family's answers, page by page, as the browser would post them.
ANSWERS = {
    "about-you": {
        "contact_name": "Maria Lopez",
        "contact_email": "maria.lopez@example.com",
        "contact_email_confirm": "maria.lopez@example.com",
        "contact_phone": "",
        "relationship": "parent",
        "contact_preference": "email",
        "preferred_language": "en",
    },
    "patient": {
        "patient_name": "JL",
        "patient_age": "14",
        "patient_birth_year": "",
        "sex_at_birth": "male",
        "country": "US",
        "region": "Ohio",
        "postal_code": "43210",
        "travel": "country",
    },
    "diagnosis": {
        "diagnosis": "t_all",
        "diagnosis_other": "",
        "diagnosed_on_month": "3",
        "diagnosed_on_year": "2025",
        "disease_status": "relapsed",
        "genetic_results": "NOTCH1 mutation",
        "treating_center": "Children's Hospital",
    },
    "treatments": {
        "treatments-TOTAL_FORMS": "1",
        "treatments-INITIAL_FORMS": "0",
        "treatments-MIN_NUM_FORMS": "0",
        "treatments-MAX_NUM_FORMS": "30",
        "treatments-0-kind": "chemotherapy",
        "treatments-0-name": "BFM protocol",
        "treatments-0-started_on_month": "4",
        "treatments-0-started_on_year": "2025",
        "treatments-0-ended_on_month": "9",
        "treatments-0-ended_on_year": "2025",
        "treatments-0-outcome": "partly",
    },
    "now": {
        "condition": "2",
        "goals": ["trials", "expanded_access"],
        "goals_other": "",
        "urgency_in_own_words": "The doctors say we need a plan within weeks.",
        "anything_else": "",
    },
    "documents": {},
}


def as_lists(page: dict) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in page.items()}


def make_answers(**pages) -> dict:
    """Draft answers, with some pages' fields overridden: make_answers(patient={"patient_age": "40"})."""
    answers = {
        slug: as_lists({**page, **pages.get(slug.replace("-", "_"), {})}) for slug, page in ANSWERS.items()
    }
    return answers


def make_case(*, ip="203.0.113.5", status=None, assigned_to=None, urgency=None, **pages):
    """A case submitted through the same code path as the form."""
    from intake.models import Case, Draft
    from intake.submission import build_case, submit

    draft = Draft.objects.create(answers=make_answers(**pages))
    built = build_case(draft.answers)
    consent = {"privacy_notice": True, "reviewers_may_read": True, "research_contact": False}
    case = submit(draft=draft, built=built, consent_data=consent, ip=ip, user_agent="pytest")
    # Shortcuts for setting up a story; the actions themselves are tested on their own.
    if status or assigned_to or urgency:
        Case.objects.filter(pk=case.pk).update(
            status=status or case.status, assigned_to=assigned_to, urgency=urgency or case.urgency
        )
        case.refresh_from_db()
    return case


def clock_state(case) -> str:
    """The case's state on the response clock now, as the queue and the case page compute it."""
    from django.utils import timezone

    from intake import clock
    from intake.models import Case

    return Case.objects.annotate(state=clock.response_state(timezone.now())).get(pk=case.pk).state
