"""Every reviewer URL, walked with every persona, in one place."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intake import uploads
from intake.models import Case, ShareRequest
from tests.conftest import WRITTEN_BY_US, client_for, import_catalogue, make_case, make_pdf

pytestmark = pytest.mark.django_db

PDF = make_pdf()


@pytest.fixture(autouse=True)
def a_study(db):
    import_catalogue(WRITTEN_BY_US / "NCT09000101.json")


# Every line of NCT09000101's eligibility check (5 inclusion, 4 exclusion), judged.
JUDGED = {
    f"{kind}-{i}-verdict": "unknown"
    for kind, count in (("inclusion", 5), ("exclusion", 4))
    for i in range(count)
}


@pytest.fixture
def bobs_case(bob, scanner):  # scanned, so its document opens for those who may see it
    make_case()  # the family wrote before: bob's case is a possible duplicate of this one
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=bob)
    uploads.store(SimpleUploadedFile("scan.pdf", PDF), kind="scan", existing=[], case=case)
    # The family agreed to share a summary with a partner.
    ShareRequest.objects.create(
        case=case, partner="A team", purpose="A study", state="agreed", answered_at=case.submitted_at
    )
    return case


def urls(case):
    document = case.documents.get()
    share = case.share_requests.order_by("proposed_at").first()
    share_id = share.id if share else "00000000-0000-0000-0000-000000000000"
    base = f"/review/cases/{case.reference}"
    return {
        "queue": ("get", "/review/", {}),
        "case": ("get", f"{base}/", {}),
        "document": ("get", f"{base}/documents/{document.id}/", {}),
        "claim_next": ("post", "/review/claim-next/", {}),
        "triage": ("post", f"{base}/triage/", {"triage-urgency": "1", "triage-reason": "x"}),
        "claim": ("post", f"{base}/claim/", {}),
        "assign": ("post", f"{base}/assign/", {"assignee": "bob"}),
        "release": ("post", f"{base}/release/", {}),
        "status": ("post", f"{base}/status/", {"status-to": "closed", "status-reason": "x"}),
        "note": ("post", f"{base}/notes/", {"note-body": "x"}),
        "message": ("post", f"{base}/messages/", {"message-body": "x"}),
        "question": ("post", f"{base}/question/", {"question-question": "x"}),
        "report": ("get", f"{base}/report/", {}),
        "report_start": ("post", f"{base}/report/start/", {}),
        "report_preview": ("get", f"{base}/report/preview/", {}),
        "report_approve": ("post", f"{base}/report/approve/", {}),
        "options": ("get", f"{base}/options/", {"place": "anywhere"}),
        "option_study": ("get", f"{base}/options/NCT09000101/", {}),
        "option_judge": ("post", f"{base}/options/NCT09000101/", JUDGED),
        "option_add": ("post", f"{base}/options/NCT09000101/add-to-report/", {}),
        "erase": ("post", f"{base}/erase/", {"confirm": "no"}),
        "summary_pdf": ("get", f"{base}/summary.pdf", {}),
        "export_csv": ("get", "/review/export.csv", {}),
        "export_xlsx": ("get", "/review/export.xlsx", {}),
        "export_zip": ("post", "/review/export.zip", {"refs": [case.reference]}),
        "dashboard": ("get", "/review/dashboard/", {}),
        "dashboard_csv": ("get", "/review/dashboard/overdue.csv", {}),
        "duplicate": ("get", f"{base}/duplicate/", {}),
        "duplicate_merge": ("post", f"{base}/duplicate/merge/", {}),
        "duplicate_dismiss": ("post", f"{base}/duplicate/not-duplicate/", {}),
        "share_propose": ("post", f"{base}/share/", {"share-partner": "x", "share-purpose": "y"}),
        "share_summary": ("post", f"{base}/share/{share_id}/summary.pdf", {}),
        "legal_hold": ("post", f"{base}/legal-hold/", {"action": "place", "hold-reason": "x"}),
        "export_research_csv": ("get", "/review/export-research.csv", {}),
    }


# What a reviewer, a coordinator and a supervisor may not do whatever the case: a 403, not a 404.
NEEDS_PERMISSION = {
    "triage": "Coordinator",
    "assign": "Coordinator",
    "report_approve": "Supervisor",
    "erase": "Supervisor",
    "summary_pdf": "Supervisor",
    "export_csv": "Supervisor",
    "export_xlsx": "Supervisor",
    "export_zip": "Supervisor",
    "dashboard": "Coordinator",
    "dashboard_csv": "Coordinator",
    "duplicate_merge": "Coordinator",
    "duplicate_dismiss": "Coordinator",
    "legal_hold": "Supervisor",
    "export_research_csv": "Supervisor",
}


def call(client, method, url, data):
    return getattr(client, method)(url, data)


def test_anonymous_people_are_sent_to_log_in(client, bobs_case):
    for name, (method, url, data) in urls(bobs_case).items():
        response = call(client, method, url, data)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


def test_staff_without_a_review_role_are_refused(dave, bobs_case):
    client = client_for(dave)
    for name, (method, url, data) in urls(bobs_case).items():
        assert call(client, method, url, data).status_code == 403, name


def test_a_reviewer_cannot_tell_that_someone_elses_case_exists(alice, bobs_case):
    client = client_for(alice)
    expected = {"queue": 200, "claim_next": 302, **dict.fromkeys(NEEDS_PERMISSION, 403)}
    for name, (method, url, data) in urls(bobs_case).items():
        assert call(client, method, url, data).status_code == expected.get(name, 404), name
    # And the answer is the same as for a case that does not exist at all.
    assert client.get("/review/cases/CA-2222-2222/").status_code == 404


def test_a_reviewer_may_open_an_unassigned_case_but_not_work_it_before_claiming(alice, bob, scanner):
    case = make_case(status=Case.Status.TRIAGED)
    uploads.store(SimpleUploadedFile("scan.pdf", PDF), kind="scan", existing=[], case=case)
    client = client_for(alice)
    routes = urls(case)
    assert call(client, *routes["case"]).status_code == 200
    assert call(client, *routes["document"]).status_code == 200
    assert call(client, *routes["options"]).status_code == 200
    assert call(client, *routes["option_study"]).status_code == 200
    for name in ("release", "status", "note", "option_judge", "option_add"):
        assert call(client, *routes[name]).status_code == 404, name
    assert call(client, *routes["claim"]).status_code == 302


def test_the_assignee_works_their_case(bob, bobs_case):
    client = client_for(bob)
    # In order: the report is started before it is previewed.
    expected = {
        "queue": 200,
        "case": 200,
        "document": 200,
        "report": 200,
        "report_preview": 200,
        "options": 200,
        "option_study": 200,
        "duplicate": 200,
        "share_summary": 200,
    }
    expected.update(dict.fromkeys(NEEDS_PERMISSION, 403))
    for name in [n for n in urls(bobs_case) if n not in ("claim", "claim_next", "release")]:
        method, url, data = urls(bobs_case)[name]
        assert call(client, method, url, data).status_code == expected.get(name, 302), name


@pytest.mark.parametrize("persona", ["carol", "sam"])
def test_coordinators_and_supervisors_open_every_case(request, persona, bobs_case):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for name in ("queue", "case", "document", "options", "option_study", "duplicate"):
        method, url, data = urls(bobs_case)[name]
        assert call(client, method, url, data).status_code == 200, name
    for name in (
        "note",
        "message",
        "report_start",
        "option_judge",
        "option_add",
        "assign",
        "release",
        "share_propose",
        "duplicate_dismiss",
    ):
        method, url, data = urls(bobs_case)[name]
        assert call(client, method, url, data).status_code == 302, name
    for name in ("dashboard", "dashboard_csv"):
        method, url, data = urls(bobs_case)[name]
        assert call(client, method, url, data).status_code == 200, name
    exports = {"summary_pdf", "export_csv", "export_xlsx", "export_zip", "export_research_csv"}
    for name in exports:
        method, url, data = urls(bobs_case)[name]
        assert call(client, method, url, data).status_code == (200 if persona == "sam" else 403), name
    method, url, data = urls(bobs_case)["legal_hold"]
    assert call(client, method, url, data).status_code == (302 if persona == "sam" else 403)


def test_pages_with_personal_data_are_never_cached(carol, bobs_case):
    client = client_for(carol)
    for name in (
        "queue",
        "case",
        "document",
        "options",
        "option_study",
        "dashboard",
        "dashboard_csv",
        "duplicate",
    ):
        method, url, data = urls(bobs_case)[name]
        response = call(client, method, url, data)
        assert "no-store" in response["Cache-Control"], name
