from base64 import b32decode

import pytest
from django.contrib.auth.models import User
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_otp.oath import TOTP

from assessments.models import AuditEvent
from intake.models import Case, Consent, ConsentRecord, FamilyLink, Message, Report, Treatment
from trials.matching import for_case
from trials.models import Study

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_varied_realistic_cases():
    call_command("seed_demo", cases=300)
    assert Case.objects.count() == 300
    assert Consent.objects.count() == 300
    assert FamilyLink.objects.count() == 300
    assert AuditEvent.objects.filter(action="submitted").count() == 300
    assert Treatment.objects.exists()
    assert Case.objects.values("diagnosis").distinct().count() > 20
    assert Case.objects.values("status").distinct().count() == len(Case.Status)
    assert Case.objects.values("urgency").distinct().count() == 3
    assert Case.objects.filter(search_document__isnull=True).count() == 0
    answered = Case.objects.filter(first_response_at__isnull=False)
    assert Report.objects.filter(sent_at__isnull=False, case__in=answered).count() == answered.count()
    waiting = Case.objects.filter(status=Case.Status.WAITING_ON_FAMILY).count()
    assert Message.objects.filter(kind="question").count() == waiting
    months = {d.month for d in Case.objects.values_list("submitted_at", flat=True)}
    assert len(months) >= 4


def test_setup_demo_creates_accounts_once(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.DEBUG = True  # the test runner turns it off; setup_demo is for development
    call_command("setup_demo")
    call_command("setup_demo")
    assert set(User.objects.values_list("username", flat=True)) == {
        "demo",
        "coordinator",
        "reviewer",
        "reviewer2",
    }
    assert User.objects.get(username="demo").groups.get().name == "Supervisor"
    # 60 random cases, and a relapsed T-ALL case that the demo catalogue has options for.
    assert Case.objects.count() == 61
    assert Study.objects.count() == 70
    featured = Case.objects.get(diagnosis="t_all", postal_code="43210", treatments__kind="car_t")
    assert [o.study.nct_id for o in for_case(featured).options][:2] == ["NCT09000102", "NCT09000101"]


def test_every_demo_account_signs_in_with_its_password_and_its_code(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    settings.DEBUG = True
    call_command("setup_demo")
    text = (tmp_path / "demo-credentials.txt").read_text()
    assert (tmp_path / "demo-credentials.txt").stat().st_mode & 0o777 == 0o600
    password = text.split("Password: ")[1].strip()
    accounts = [line.split() for line in text.splitlines() if "totp:" in line]
    assert [(a[0], a[1]) for a in accounts] == [
        ("demo", "Supervisor"),
        ("coordinator", "Coordinator"),
        ("reviewer", "Reviewer"),
        ("reviewer2", "Reviewer"),
    ]
    for username, _, secret in accounts:
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 302, username
        capsys.readouterr()
        call_command("demo_code", username)
        code = capsys.readouterr().out.strip()
        # The code from the command is the one an app holding the secret shows.
        assert code == f"{TOTP(b32decode(secret[5:])).token():06d}"
        response = client.post("/accounts/two-factor/", {"code": code})
        assert response.status_code == 302, username
        assert client.get("/review/").status_code == 200, username


@pytest.mark.django_db(transaction=True)
def test_a_million_cases_are_made_like_a_hundred(alice):
    """seed_bulk: templates through the form's code path, then COPY; the same shape of data."""
    from assessments.demo_bulk import seed_bulk

    assert seed_bulk(600, templates=60, chunk=150, workers=2, reviewers=[alice]) == 600
    cases = Case.objects.all()
    assert cases.count() == 600 == Consent.objects.count() == FamilyLink.objects.count()
    assert AuditEvent.objects.filter(action="submitted").count() == 600
    assert cases.values("reference").distinct().count() == 600
    assert cases.values("status").distinct().count() == len(Case.Status)
    assert cases.filter(search_document__isnull=True).count() == 0
    # Found by the words of their answers, as every case is.
    assert cases.filter(search_document=SearchQuery("leukemia", config="english")).exists()
    answered = cases.filter(first_response_at__isnull=False)
    assert Report.objects.filter(case__in=answered).count() == answered.count()
    assert Message.objects.filter(kind="question").count() == cases.filter(status="waiting_on_family").count()
    assert cases.filter(assigned_to=alice).exists() and Treatment.objects.exists()
    # Foreign keys were not checked row by row while loading: every related row points at a case.
    assert ConsentRecord.objects.filter(purpose="research_contact").count() == 600
    for model in (Treatment, Consent, ConsentRecord, FamilyLink, Message, Report, AuditEvent):
        assert not model.objects.exclude(case__in=cases).exists(), model
    # The indexes are all back.
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'intake_case'")
        names = {row[0] for row in cursor.fetchall()}
    assert {index.name for index in Case._meta.indexes} <= names
