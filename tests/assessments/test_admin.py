import pytest
from django.contrib.auth.models import User

from assessments import actions
from assessments.models import AuditEvent
from tests.conftest import client_for, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(db):
    return client_for(User.objects.create_superuser("root", "root@example.org", "pw"))


def test_cases_are_listed_and_searchable_by_reference(admin_client_):
    case = make_case()
    other = make_case()
    response = admin_client_.get("/admin/intake/case/", {"q": case.reference})
    assert response.status_code == 200
    body = response.content.decode()
    assert case.reference in body and other.reference not in body


def test_a_case_shows_its_parts_and_personal_fields_are_read_only(admin_client_, carol):
    case = make_case()
    actions.add_note(case=case, author=carol, body="Checked trial list")
    response = admin_client_.get(f"/admin/intake/case/{case.pk}/change/")
    body = response.content.decode()
    assert response.status_code == 200
    for part in ("BFM protocol", "2026-11", "Checked trial list", "maria.lopez@example.com"):
        assert part in body
    assert 'name="contact_email"' not in body  # shown, not editable
    assert 'name="status"' not in body
    assert AuditEvent.objects.filter(case=case, action="viewed_case", detail__page="admin").exists()


def test_audit_events_are_read_only_in_the_admin(admin_client_):
    case = make_case()
    event = AuditEvent.objects.get(case=case)
    assert admin_client_.get("/admin/assessments/auditevent/").status_code == 200
    page = admin_client_.get(f"/admin/assessments/auditevent/{event.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin_client_.post(f"/admin/assessments/auditevent/{event.pk}/delete/").status_code == 403
    assert admin_client_.get("/admin/assessments/auditevent/add/").status_code == 403


def test_staff_manage_users_and_roles(admin_client_):
    response = admin_client_.get("/admin/auth/user/add/")
    assert response.status_code == 200
    groups = admin_client_.get("/admin/auth/group/").content.decode()
    for role in ("Reviewer", "Coordinator", "Supervisor"):
        assert role in groups


def test_a_supervisor_reads_cases_in_the_admin(sam):
    case = make_case()
    client = client_for(sam)
    assert client.get(f"/admin/intake/case/{case.pk}/change/").status_code == 200
    assert client.get("/admin/assessments/auditevent/").status_code == 200
