"""Sudo mode: bulk exports and role changes need the password or a code from the last 15 minutes."""

import zipfile
from io import BytesIO

import pytest

from accounts import sessions
from assessments.models import AuditEvent
from intake.models import Case
from tests.conftest import PASSWORD, authenticator_for, client_for, make_case, next_code

pytestmark = pytest.mark.django_db


def a_while_ago(client, settings):
    session = client.session
    session[sessions.CONFIRMED_AT] -= settings.STAFF_REAUTH_SECONDS + 1
    session.save()


def test_just_signed_in_means_confirmed(sam):
    response = client_for(sam).get("/review/export.csv?tab=all")
    assert response["Content-Type"].startswith("text/csv")


def test_a_csv_export_asks_for_the_password_then_goes_on(sam, settings):
    make_case()
    client = client_for(sam)
    a_while_ago(client, settings)
    url = "/review/export.csv?tab=all&columns=reference"
    response = client.get(url)
    assert response.status_code == 200
    assert "Confirm it is you" in response.content.decode()
    assert not AuditEvent.objects.filter(action="exported").exists()

    response = client.post(
        url, {"confirm-identity": "1", "confirm-method": "GET", "confirm-password": "nope"}
    )
    assert "That password is not right" in response.content.decode()
    response = client.post(
        url, {"confirm-identity": "1", "confirm-method": "GET", "confirm-password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == url
    response = client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    assert AuditEvent.objects.get(action="reauthenticated").detail == {"with": "password"}
    # And for a while, nothing more is asked.
    assert client.get("/review/export.xlsx?tab=all")["Content-Type"].startswith("application/vnd.openxml")


def test_a_zip_of_selected_cases_carries_the_selection_through_the_confirmation(sam, settings):
    first, second = make_case(status=Case.Status.TRIAGED), make_case(status=Case.Status.TRIAGED)
    client = client_for(sam)
    a_while_ago(client, settings)
    response = client.post("/review/export.zip", {"refs": [first.reference, second.reference]})
    page = response.content.decode()
    assert "Confirm it is you" in page
    assert f'name="refs" value="{first.reference}"' in page and f'value="{second.reference}"' in page
    response = client.post(
        "/review/export.zip",
        {
            "refs": [first.reference, second.reference],
            "confirm-identity": "1",
            "confirm-method": "POST",
            "confirm-code": next_code(authenticator_for(sam)),
        },
    )
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(BytesIO(b"".join(response.streaming_content))).namelist()
    assert len([n for n in names if n.endswith(".pdf")]) == 2


def test_changing_roles_in_the_admin_asks_first(sam, alice, settings):
    client = client_for(sam)
    a_while_ago(client, settings)
    url = f"/admin/auth/user/{alice.pk}/change/"
    assert "Confirm it is you" in client.get(url).content.decode()
    response = client.post(
        url, {"confirm-identity": "1", "confirm-method": "GET", "confirm-password": PASSWORD}
    )
    assert response["Location"] == url
    assert "Change user" in client.get(url).content.decode()


def test_the_admin_csv_action_asks_first(sam, settings):
    case = make_case()
    client = client_for(sam)
    a_while_ago(client, settings)
    data = {"action": "export_csv", "_selected_action": [case.pk]}
    assert "Confirm it is you" in client.post("/admin/intake/case/", data).content.decode()
    data.update({"confirm-identity": "1", "confirm-method": "POST", "confirm-password": PASSWORD})
    assert client.post("/admin/intake/case/", data)["Content-Type"].startswith("text/csv")


def test_a_forged_method_on_the_confirmation_goes_back_to_the_page(sam, settings):
    # Found by the fuzz tests: only a confirmed POST goes on as a POST; anything else reloads the page.
    client = client_for(sam)
    a_while_ago(client, settings)
    url = "/review/export.csv?tab=all"
    response = client.post(
        url, {"confirm-identity": "1", "confirm-method": "\x00", "confirm-password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == url
