"""The forms on a reviewer's case page answer a refused post with the page and a message beside the
field, keeping what was typed. Found by the fuzz tests (tests/fuzz/)."""

import html

import pytest
from django.utils import timezone

from intake.models import Case, DeletionRequest
from tests.conftest import client_for, make_case

pytestmark = pytest.mark.django_db
Status = Case.Status


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_closing_a_case_without_a_reason_is_refused_beside_the_reason(alice):
    case = make_case(status=Status.IN_REVIEW, assigned_to=alice)
    response = client_for(alice).post(
        f"/review/cases/{case.reference}/status/", {"status-to": "closed", "status-reason": "  "}
    )
    assert response.status_code == 400
    body = text(response)
    assert 'aria-describedby="id_status-reason_error"' in body
    assert "Please say why the case is being closed." in body.split('id="id_status-reason_error"')[1]
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW


def test_changing_the_suggested_urgency_without_a_reason_is_refused_beside_the_reason(carol):
    case = make_case()
    other = next(u for u in Case.Urgency if u != case.suggested_urgency)
    response = client_for(carol).post(
        f"/review/cases/{case.reference}/triage/", {"triage-urgency": str(other.value), "triage-reason": ""}
    )
    assert response.status_code == 400
    body = text(response)
    assert "Please give a reason for changing" in body.split('id="id_triage-reason_error"')[1]
    assert response.context["triage_form"]["urgency"].value() == str(other.value)
    case.refresh_from_db()
    assert case.status == Status.NEW


@pytest.mark.parametrize("typed", ["", "wrong", "\x00", "CA-"])
def test_erasing_with_the_wrong_reference_is_refused_beside_the_box(sam, typed):
    case = make_case()
    DeletionRequest.objects.create(case=case, case_reference=case.reference, due_at=timezone.now())
    response = client_for(sam).post(f"/review/cases/{case.reference}/erase/", {"confirm": typed})
    assert response.status_code == 400
    body = text(response)
    assert 'aria-describedby="id_confirm_error"' in body
    assert Case.objects.filter(pk=case.pk).exists()
