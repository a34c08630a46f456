import csv
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from assessments import actions
from assessments.exports import neutralise
from assessments.models import AuditEvent
from intake.models import Case
from tests.conftest import client_for, make_case

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def cases(alice):
    urgent = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice, urgency=Case.Urgency.URGENT)
    routine = make_case(
        status=Case.Status.TRIAGED,
        urgency=Case.Urgency.ROUTINE,
        diagnosis={"diagnosis": "other", "diagnosis_other": '=HYPERLINK("http://evil.example")'},
    )
    closed = make_case(status=Case.Status.CLOSED, urgency=Case.Urgency.HIGH)
    return urgent, routine, closed


def test_the_csv_is_exactly_the_queue_view(sam, cases):
    urgent, routine, closed = cases
    client = client_for(sam)
    rows = read_csv(client.get("/review/export.csv?tab=all"))
    assert rows[0][:4] == ["Reference", "Submitted", "Status", "Urgency"]
    assert [r[0] for r in rows[1:]] == [urgent.reference, closed.reference, routine.reference]
    filtered = read_csv(client.get("/review/export.csv?tab=all&urgency=3"))
    assert [r[0] for r in filtered[1:]] == [routine.reference]
    searched = read_csv(client.get(f"/review/export.csv?tab=all&q={closed.reference}"))
    assert [r[0] for r in searched[1:]] == [closed.reference]


def test_the_csv_has_no_contact_details_and_chosen_columns(sam, cases):
    client = client_for(sam)
    body = b"".join(client.get("/review/export.csv?tab=all").streaming_content).decode()
    for personal in ("Maria", "maria.lopez@example.com"):
        assert personal not in body
    rows = read_csv(
        client.get("/review/export.csv?tab=all&columns=reference&columns=treatments&columns=nonsense")
    )
    assert rows[0] == ["Reference", "Treatments"]
    assert rows[1][1] == "BFM protocol"


def test_cells_that_look_like_formulas_are_neutralised(sam, cases):
    rows = read_csv(client_for(sam).get("/review/export.csv?tab=all&columns=reference&columns=diagnosis"))
    cells = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example")' in cells
    for danger in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(danger) == "'" + danger
    assert neutralise(-1) == -1 and neutralise("Leukemia") == "Leukemia"


def test_the_excel_export_matches(sam, cases):
    response = client_for(sam).get("/review/export.xlsx?tab=all")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook["Cases"].iter_rows(values_only=True))
    assert rows[0][0] == "Reference" and len(rows) == 4
    diagnoses = [r[4] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example")' in diagnoses  # stored as text, not a formula


def test_a_pdf_summary_has_the_case_and_internal_notes_only_in_the_internal_version(sam, alice, cases):
    case = cases[0]
    actions.add_note(case=case, author=alice, body="Internal: discussed with Dr. Reyes")
    client = client_for(sam)
    internal = client.get(f"/review/cases/{case.reference}/summary.pdf")
    assert internal["Content-Type"] == "application/pdf"
    text = pdf_text(internal.content)
    for part in (
        case.reference,
        "T-cell acute lymphoblastic leukemia",
        "BFM protocol",
        "Confidential",
        "Page 1 of",
        "Internal: discussed with Dr. Reyes",
        "Disease status: It came back (relapsed)",
    ):
        assert part in text, part
    family = pdf_text(client.get(f"/review/cases/{case.reference}/summary.pdf?version=family").content)
    assert case.reference in family and "Dr. Reyes" not in family and "Reasons" not in family


def test_the_pdf_includes_the_latest_report(sam, alice, cases):
    case = cases[0]
    report = actions.start_report(case=case, by=alice)
    option = {"kind": "trial", "title": "CD7 CAR-T trial", "what_it_is": "A new cell treatment."}
    actions.save_report(
        report=report, by=alice, fields={"understanding": "U.", "next_steps": "N."}, options=[option]
    )
    actions.send_report(report=report, by=alice)
    text = pdf_text(client_for(sam).get(f"/review/cases/{case.reference}/summary.pdf").content)
    assert "CD7 CAR-T trial" in text and "Version 1" in text


def test_a_zip_of_selected_summaries_with_an_index(sam, cases):
    urgent, routine, _ = cases
    response = client_for(sam).post(
        "/review/export.zip", {"refs": [urgent.reference, routine.reference, "CA-2222-2222"]}
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == sorted(
        [f"{urgent.reference}.pdf", f"{routine.reference}.pdf", "index.csv"]
    )
    index = archive.read("index.csv").decode("utf-8-sig")
    assert urgent.reference in index and routine.reference in index
    assert urgent.reference in pdf_text(archive.read(f"{urgent.reference}.pdf"))


def test_exports_need_the_export_permission(alice, carol, dave, cases):
    case = cases[0]
    urls = ["/review/export.csv", "/review/export.xlsx", f"/review/cases/{case.reference}/summary.pdf"]
    for user in (alice, carol, dave):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        assert client.post("/review/export.zip", {"refs": [case.reference]}).status_code == 403
    from django.test import Client

    assert Client().get("/review/export.csv")["Location"].startswith("/accounts/login/")
    page = client_for(carol).get("/review/").content.decode()
    assert "Download CSV" not in page


def test_every_export_is_recorded_and_never_cached(sam, cases):
    client = client_for(sam)
    case = cases[0]
    responses = [
        client.get("/review/export.csv?tab=all&urgency=1"),
        client.get("/review/export.xlsx?tab=closed"),
        client.get(f"/review/cases/{case.reference}/summary.pdf"),
        client.post("/review/export.zip", {"refs": [case.reference]}),
    ]
    for response in responses:
        assert "no-store" in response["Cache-Control"]
    events = list(AuditEvent.objects.filter(action="exported").order_by("id"))
    assert [e.detail["format"] for e in events] == ["csv", "xlsx", "pdf", "zip"]
    assert all(e.actor == sam for e in events)
    assert (
        events[0].detail["filters"] == {"tab": ["all"], "urgency": ["1"]} and events[0].detail["count"] == 1
    )
    assert events[1].detail["count"] == 1
    assert events[2].case_id == case.pk
    assert events[3].detail["cases"] == [case.reference]


def test_the_csv_query_count_does_not_grow_with_rows(sam, alice):
    from assessments.demo import seed

    client = client_for(sam)
    client.get("/review/")  # warm the session
    seed(5, reviewers=[alice])
    with CaptureQueriesContext(connection) as few:
        b"".join(client.get("/review/export.csv?tab=all").streaming_content)
    seed(200, reviewers=[alice])
    with CaptureQueriesContext(connection) as many:
        rows = read_csv(client.get("/review/export.csv?tab=all"))
    assert len(rows) == 206
    # 1. the session, 2. the user, 3. the authenticator that verified the session, 4.-5. the user's
    # and their groups' permissions, 6. staff for the queue's assignee filter, 7. the count for the
    # audit event, 8. the audit event itself, 9. the rows, read through one server-side cursor (its
    # chunks are fetches, not queries).
    assert len(few) == len(many) == 9, [q["sql"][:100] for q in many.captured_queries]


def test_the_admin_exports_selected_cases_as_csv(cases):
    from django.contrib.auth.models import User

    admin = client_for(User.objects.create_superuser("root", "root@example.org", "pw"))
    urgent, routine, _ = cases
    response = admin.post(
        "/admin/intake/case/",
        {"action": "export_csv", "_selected_action": [urgent.pk, routine.pk]},
    )
    rows = read_csv(response)
    assert sorted(r[0] for r in rows[1:]) == sorted([urgent.reference, routine.reference])
    assert AuditEvent.objects.filter(action="exported", detail__format="csv", detail__count=2).exists()


# Found by the fuzz tests (tests/fuzz/).


def test_a_zip_of_forged_references_goes_back_to_the_queue(sam, cases):
    response = client_for(sam).post("/review/export.zip", {"refs": ["a\x00b", "CA-2222-2222\n"]})
    assert response.status_code == 302 and response["Location"] == "/review/"


def test_an_export_with_a_nul_in_its_filters_is_recorded_all_the_same(sam, cases):
    response = client_for(sam).get("/review/export.csv", {"tab": "all", "q": "x\x00y"})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action="exported")
    assert event.detail["filters"]["q"] == ["x\ufffdy"]
