import html

import pytest

from assessments import actions
from assessments.actions import ActionRefused
from assessments.models import AuditEvent, Snippet
from assessments.readability import grade
from intake import clock
from intake.models import Case, OutboundEmail, Report
from tests.conftest import client_for, make_case

pytestmark = pytest.mark.django_db

FILLED = {
    "report-understanding": "The leukemia came back after the first treatment.",
    "report-questions": "Is a CD7 CAR-T trial possible?",
    "report-next_steps": "Ask your doctor about the trials below.",
}


def editor_post(client, case, action="save", options=(), **fields):
    data = {
        "understanding": FILLED["report-understanding"],
        "questions": FILLED["report-questions"],
        "next_steps": FILLED["report-next_steps"],
        "options-TOTAL_FORMS": str(len(options)),
        "options-INITIAL_FORMS": str(len(options)),
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "30",
        "action": action,
        **fields,
    }
    for i, option in enumerate(options):
        data.update({f"options-{i}-{k}": v for k, v in option.items()})
    return client.post(f"/review/cases/{case.reference}/report/", data)


TRIAL = {
    "kind": "trial",
    "title": "CD7 CAR-T trial",
    "what_it_is": "A study of a new cell treatment.",
    "why_it_may_fit": "It is for T-ALL that came back.",
    "what_to_ask": "Would my child be eligible?",
    "identifier": "NCT05397184",
    "link": "https://clinicaltrials.gov/study/NCT05397184",
}


@pytest.fixture
def case(alice):
    return make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)


def test_a_reviewer_writes_previews_and_sends_a_report(alice, case):
    client = client_for(alice)
    assert "Start the report" in client.get(f"/review/cases/{case.reference}/report/").content.decode()
    client.post(f"/review/cases/{case.reference}/report/start/")
    response = editor_post(client, case, options=[TRIAL])
    assert response.status_code == 302
    report = Report.objects.get(case=case)
    assert report.options.get().identifier == "NCT05397184"

    preview = client.get(f"/review/cases/{case.reference}/report/preview/").content.decode()
    assert "CD7 CAR-T trial" in preview and "exactly what the family will see" in preview

    response = editor_post(client, case, action="send", options=[TRIAL])
    assert response.status_code == 302
    case.refresh_from_db()
    report.refresh_from_db()
    assert report.sent_at and report.sent_by == alice
    assert case.status == Case.Status.REPORT_SENT and case.first_response_at == report.sent_at
    email = OutboundEmail.objects.get(kind="report")
    assert "/my-case/" in email.body_text
    for detail in ("leukemia", "CAR-T", "NCT05397184"):
        assert detail not in email.body_text and detail not in email.subject
    assert AuditEvent.objects.filter(case=case, action="report_sent", detail__version=1).exists()


def test_a_report_missing_its_parts_is_not_sent(alice, case):
    client = client_for(alice)
    client.post(f"/review/cases/{case.reference}/report/start/")
    response = editor_post(
        client, case, action="send", options=[{"kind": "trial", "title": ""}], understanding=""
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Write what we understood about the situation." in page
    assert "Option 1 needs a title" in page
    assert not Report.objects.filter(sent_at__isnull=False).exists()


def test_later_edits_make_a_new_version_and_the_family_keeps_what_they_were_sent(alice, case):
    report = actions.start_report(case=case, by=alice)
    actions.save_report(
        report=report,
        by=alice,
        fields={"understanding": "First words.", "next_steps": "Go."},
        options=[TRIAL],
    )
    actions.send_report(report=report, by=alice)
    with pytest.raises(ActionRefused, match="sent already"):
        actions.save_report(report=report, by=alice, fields={"understanding": "Changed"}, options=[])
    second = actions.start_report(case=case, by=alice)
    assert second.version == 2 and second.understanding == "First words."
    assert second.options.get().title == "CD7 CAR-T trial"
    actions.save_report(
        report=second, by=alice, fields={"understanding": "Better words.", "next_steps": "Go."}, options=[]
    )
    actions.send_report(report=second, by=alice)
    first = Report.objects.get(case=case, version=1)
    assert first.understanding == "First words." and first.options.count() == 1
    case.refresh_from_db()
    assert case.first_response_at == first.sent_at  # the clock measures the first answer
    assert case.first_answered_by == alice
    assert case.first_answer_working_days == pytest.approx(
        clock.days_between(case.submitted_at, first.sent_at, paused_seconds=case.paused_seconds)
    )


def test_a_second_look_needs_a_supervisors_approval(settings, alice, sam, case):
    settings.REPORT_REQUIRES_APPROVAL = True
    report = actions.start_report(case=case, by=alice)
    actions.save_report(
        report=report, by=alice, fields={"understanding": "U.", "next_steps": "N."}, options=[]
    )
    with pytest.raises(ActionRefused, match="needs to approve"):
        actions.send_report(report=report, by=alice)
    with pytest.raises(ActionRefused, match="Only a supervisor"):
        actions.approve_report(report=report, by=alice)
    actions.submit_report_for_approval(report=report, by=alice)
    response = client_for(sam).post(f"/review/cases/{case.reference}/report/approve/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.approved_by == sam
    # A change after approval needs approving again.
    actions.save_report(
        report=report, by=alice, fields={"understanding": "U2.", "next_steps": "N."}, options=[]
    )
    report.refresh_from_db()
    assert report.approved_at is None
    actions.approve_report(report=report, by=sam)
    actions.send_report(report=report, by=alice)
    actions_done = list(AuditEvent.objects.filter(case=case).values_list("action", flat=True))
    assert {"report_submitted", "report_approved", "report_sent"} <= set(actions_done)
    assert client_for(alice).post(f"/review/cases/{case.reference}/report/approve/").status_code == 403


def test_snippets_are_inserted_with_a_click(alice, case):
    paragraph = Snippet.objects.create(
        title="Ask about trials", kind="paragraph", section="questions", body="Are there trials near us?"
    )
    option = Snippet.objects.create(
        title="Nelarabine EAP",
        kind="option",
        option_kind="expanded_access",
        option_title="Nelarabine program",
        what_it_is="A way to get the medicine outside a trial.",
    )
    client = client_for(alice)
    client.post(f"/review/cases/{case.reference}/report/start/")
    editor_post(client, case, action="insert_snippet", snippet=str(paragraph.pk))
    report = Report.objects.get(case=case)
    assert report.questions == "Is a CD7 CAR-T trial possible?\n\nAre there trials near us?"
    editor_post(client, case, action="insert_snippet", snippet=str(option.pk))
    assert report.options.get().title == "Nelarabine program"


def test_options_are_added_and_removed_without_javascript(alice, case):
    client = client_for(alice)
    client.post(f"/review/cases/{case.reference}/report/start/")
    editor_post(client, case, action="add_option")
    editor_post(client, case, action="add_option", options=[TRIAL])
    report = Report.objects.get(case=case)
    assert report.options.count() == 2
    editor_post(
        client, case, options=[{**TRIAL, "DELETE": "on"}, {"kind": "other", "title": "Second opinion"}]
    )
    assert list(report.options.values_list("title", flat=True)) == ["Second opinion"]


def test_the_editor_shows_a_reading_grade(alice, case):
    client = client_for(alice)
    client.post(f"/review/cases/{case.reference}/report/start/")
    editor_post(client, case)
    page = client.get(f"/review/cases/{case.reference}/report/").content.decode()
    assert "Reading level:" in page and "grade" in page and "aim for grade 8 or lower" in page


def test_readability_grades_plain_and_dense_text():
    plain = (
        "The cancer came back. There are new medicines in trials. We found two that may fit. Ask the doctor."
    )
    dense = (
        "Immunophenotypic characterization demonstrated heterogeneous expression of lineage-associated "
        "antigens, necessitating comprehensive molecular stratification."
    )
    assert grade(plain) < 8 < grade(dense)
    assert grade("Too short.") is None


def test_a_reviewer_messages_the_family(alice, case):
    client = client_for(alice)
    client.post(
        f"/review/cases/{case.reference}/messages/", {"message-body": "We are looking at trials now."}
    )
    assert case.messages.get().body == "We are looking at trials now."
    assert OutboundEmail.objects.filter(kind="message").exists()
    assert AuditEvent.objects.filter(case=case, action="message_sent").exists()


def test_only_the_assignee_writes_the_report(bob, case):
    client = client_for(bob)
    assert client.get(f"/review/cases/{case.reference}/report/").status_code == 404
    assert client.post(f"/review/cases/{case.reference}/report/start/").status_code == 404


# Found by the fuzz tests (tests/fuzz/).


def editor(alice, case):
    client = client_for(alice)
    client.post(f"/review/cases/{case.reference}/report/start/")
    return client


@pytest.mark.parametrize("snippet", ["abc", "\x00", "", "9" * 5000, "99999999999999999999"])
def test_a_forged_snippet_inserts_nothing(alice, case, snippet):
    response = editor_post(editor(alice, case), case, action="insert_snippet", snippet=snippet)
    assert response.status_code == 302
    assert case.reports.get().understanding == FILLED["report-understanding"]


@pytest.mark.parametrize("total", ["abc", "-1", ""])
def test_a_broken_options_list_says_so_in_plain_words(alice, case, total):
    response = editor_post(editor(alice, case), case, options=[TRIAL], **{"options-TOTAL_FORMS": total})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The list of options reached us incomplete." in body
    assert "ManagementForm" not in body
    assert FILLED["report-understanding"] in html.unescape(body)


def test_a_forged_thousand_options_costs_one_message(alice, case):
    response = editor_post(editor(alice, case), case, **{"options-TOTAL_FORMS": "1000"})
    assert response.status_code == 400
    assert "A report can have at most 30 options." in response.content.decode()
    assert len(response.context["formset"].forms) == 30


# "Before sending" says up front what must happen to the case first, and offers it.


def test_the_editor_says_a_new_case_must_be_triaged_first(carol):
    case = make_case()
    client = client_for(carol)
    client.post(f"/review/cases/{case.reference}/report/start/")
    page = client.get(f"/review/cases/{case.reference}/report/").content.decode()
    assert "The case is “New”: a coordinator triages it" in page
    assert "confirm the suggested urgency" in page and "Or triage it on the case page" in page
    editor_post(client, case, action="start_review")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW and case.urgency == case.suggested_urgency
    assert case.assigned_to == carol
    assert AuditEvent.objects.filter(case=case, action="triaged").exists()


def test_a_reviewer_is_told_a_new_case_needs_a_coordinator(alice):
    case = make_case(assigned_to=alice)  # assigned before triage
    client = client_for(alice)
    start = client.get(f"/review/cases/{case.reference}/report/").content.decode()
    assert "Before it can be sent: The case is “New”" in start
    client.post(f"/review/cases/{case.reference}/report/start/")
    page = client.get(f"/review/cases/{case.reference}/report/").content.decode()
    assert "The case is “New”" in page and 'value="start_review"' not in page
    editor_post(client, case, action="start_review")
    assert Case.objects.get(pk=case.pk).status == Case.Status.NEW


def test_the_editor_offers_to_start_the_review_of_a_triaged_case_and_keeps_the_draft(carol):
    case = make_case(status=Case.Status.TRIAGED)
    client = client_for(carol)
    client.post(f"/review/cases/{case.reference}/report/start/")
    page = client.get(f"/review/cases/{case.reference}/report/").content.decode()
    assert "start the review before sending the report" in page
    assert 'value="start_review"' in page
    response = editor_post(client, case, action="start_review")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW and case.assigned_to == carol
    assert Report.objects.get(case=case).understanding == FILLED["report-understanding"]
    assert AuditEvent.objects.filter(case=case, action="claimed").exists()
    page = client.get(f"/review/cases/{case.reference}/report/").content.decode()
    assert "data-blocker" not in page
    # And now it can be sent.
    editor_post(client, case, action="send")
    assert Case.objects.get(pk=case.pk).status == Case.Status.REPORT_SENT


def test_a_case_in_review_has_no_step_to_take_first(bob):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=bob)
    client = client_for(bob)
    client.post(f"/review/cases/{case.reference}/report/start/")
    assert "data-blocker" not in client.get(f"/review/cases/{case.reference}/report/").content.decode()
