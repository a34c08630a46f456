"""The Options panel on the reviewer's case page: matches with reasons, widening and narrowing,
eligibility judged line by line, and "Add to report" through to the family's page and the PDF."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from assessments import actions
from assessments.models import AuditEvent
from intake.models import Case, ReportOption
from tests.conftest import client_for, make_case
from tests.intake.test_family_page import page_url, verified_client
from trials.models import CriterionJudgement, EligibilityReview, Study

pytestmark = pytest.mark.django_db

CAR_T = {
    "treatments-TOTAL_FORMS": "2",
    "treatments-1-kind": "car_t",
    "treatments-1-name": "Tisagenlecleucel",
    "treatments-1-outcome": "did_not_work",
}


@pytest.fixture
def case(alice, catalogue):
    """Alice's case: a 14-year-old boy near Columbus, Ohio, whose T-ALL came back after CAR-T."""
    return make_case(
        status=Case.Status.IN_REVIEW,
        assigned_to=alice,
        patient={"patient_age": "14", "travel": "region"},
        diagnosis={"diagnosis": "t_all", "disease_status": "relapsed"},
        treatments=CAR_T,
    )


def options_url(case, suffix=""):
    return f"/review/cases/{case.reference}/options/{suffix}"


def judge_all(client, case, nct_id, **changes):
    """Post the study's form as shown, with some lines changed: {"inclusion-2": ("meets", "note")}."""
    response = client.get(options_url(case, f"{nct_id}/"))
    data = {}
    for line in response.context["lines"]:
        key = f"{line['kind']}-{line['position']}"
        verdict, note = changes.get(key.replace("-", "_"), (line["verdict"], line["note"]))
        data[f"{key}-verdict"], data[f"{key}-note"] = verdict, note
    return client.post(options_url(case, f"{nct_id}/"), data)


def test_the_case_page_lists_the_options_with_reasons_and_unknowns(alice, case):
    html = client_for(alice).get(f"/review/cases/{case.reference}/").content.decode()
    panel = html[html.index('id="options"') :]
    assert "3 studies fit the filters" in panel
    assert panel.index("NCT09000102") < panel.index("NCT09000101") < panel.index("NCT09000103")
    assert "for patients after CAR-T: patient had CAR-T" in panel
    assert "recruiting site 3 miles away (Columbus, Ohio, United States)" in panel
    assert "No sites listed: the treating doctor asks the sponsor for access" in panel
    for excluded in ("NCT09000104", "NCT09000105", "NCT09000106", "NCT09000108"):
        assert excluded not in panel


def test_the_reviewer_widens_narrows_and_searches_from_the_panel(alice, case):
    client = client_for(alice)
    anywhere = client.get(options_url(case), {"place": "anywhere"}).content.decode()
    assert "NCT09000106" in anywhere and "recruiting site in Paris, France" in anywhere
    assert "NCT09000108" in client.get(options_url(case), {"place": "country", "sex": "any"}).content.decode()
    narrowed = client.get(options_url(case), {"q": "CD7"}).content.decode()
    assert "1 study fits" in narrowed and "NCT09000101" in narrowed and "NCT09000102" not in narrowed
    free = client.get(
        options_url(case), {"q": "T-lymphoblastic lymphoma", "scope": "any", "place": "anywhere"}
    )
    assert "NCT09000107" in free.content.decode()
    # Every search is in the audit trail, with the filters that differ from the family's answers.
    viewed = AuditEvent.objects.filter(case=case, action="viewed_case", detail__page="options")
    assert viewed.count() == 4
    assert viewed.filter(detail__filters={"place": "anywhere"}, detail__results=5).exists()


def test_the_options_page_takes_the_same_number_of_queries_whatever_it_finds(
    alice, case, django_assert_num_queries
):
    client = client_for(alice)
    client.get(options_url(case))
    for params in ({}, {"place": "anywhere", "scope": "any", "status": "any"}, {"q": "nothing like this"}):
        # 1 session, 2 user, 3 the authenticator that verified the session, 4-5 the user's and their
        # groups' permissions, 6 the case (access funnel), 7 its treatments, 8 the ranking with the
        # total, 9 the page's studies, 10 their sites, 11 judgements already made on them (9-11
        # skipped when nothing fits), 12 the audit row.
        expected = 12 if params != {"q": "nothing like this"} else 9
        with django_assert_num_queries(expected):
            assert client.get(options_url(case), params).status_code == 200


def test_eligibility_is_prefilled_judged_saved_audited_and_seen_by_others(alice, carol, case):
    client = client_for(alice)
    page = client.get(options_url(case, "NCT09000101/")).content.decode()
    assert "Not saved yet" in page and "Patient is 14 today" in page
    assert "Day-to-day condition is ECOG 2, about Karnofsky/Lansky 50-60" in page

    response = judge_all(client, case, "NCT09000101", inclusion_2=("meets", "CD7 on 98% of blasts"))
    assert response.status_code == 302
    review = EligibilityReview.objects.get(case=case, study__nct_id="NCT09000101")
    cd7 = review.judgements.get(kind="inclusion", position=2)
    assert (cd7.suggested, cd7.verdict, cd7.note, cd7.decided_by) == (
        "unknown",
        "meets",
        "CD7 on 98% of blasts",
        alice,
    )
    assert not review.judgements.filter(decided_by__isnull=True).exists()
    event = AuditEvent.objects.get(case=case, action="eligibility_judged")
    assert event.detail["study"] == "NCT09000101" and event.detail["changed"] == 9

    # Carol, a coordinator, sees Alice's judgement, on the study and in the panel.
    seen = client_for(carol).get(options_url(case, "NCT09000101/")).content.decode()
    assert "Last saved by <strong>alice</strong>" in seen and "CD7 on 98% of blasts" in seen
    assert "confirmed by alice" in seen
    panel = client_for(carol).get(f"/review/cases/{case.reference}/").content.decode()
    assert "Judged: " in panel

    # Saving again changes only what changed.
    judge_all(client, case, "NCT09000101", exclusion_1=("does_not_meet", "CNS3 on the last tap"))
    assert AuditEvent.objects.filter(case=case, action="eligibility_judged").first().detail["changed"] == 1


def test_only_those_working_the_case_may_judge_it(bob, catalogue):
    unassigned = make_case(status=Case.Status.TRIAGED)
    client = client_for(bob)
    assert client.get(options_url(unassigned, "NCT09000101/")).status_code == 200
    assert judge_all(client, unassigned, "NCT09000101").status_code == 404
    assert client.post(options_url(unassigned, "NCT09000101/add-to-report/")).status_code == 404
    assert not CriterionJudgement.objects.exists()
    assert client.get(options_url(unassigned, "NCT00000000/")).status_code == 404


def test_add_to_report_writes_the_option_for_the_reviewer_to_edit(alice, case):
    client = client_for(alice)
    judge_all(client, case, "NCT09000102")
    response = client.post(options_url(case, "NCT09000102/add-to-report/"))
    assert response.status_code == 302
    assert response["Location"] == f"/review/cases/{case.reference}/report/#option-1"
    option = ReportOption.objects.get(report__case=case)
    assert option.kind == "trial" and option.identifier == "NCT09000102"
    assert option.title.startswith("[Example] Nelarabine and Venetoclax for T-ALL")
    assert option.link == "https://clinicaltrials.gov/study/NCT09000102"
    assert option.what_it_is.startswith(
        "A phase 2 clinical trial testing Nelarabine, Venetoclax and Navitoclax."
    )
    assert "It is for people who already had CAR-T, as your child did." in option.why_it_may_fit
    assert "It takes patients of ages 12 to 39." in option.why_it_may_fit
    assert "“Able to swallow tablets”?" in option.what_to_ask
    assert option.where.splitlines()[0] == (
        "Example Nationwide Children's Hospital, Columbus, Ohio, United States (3 miles from home)"
    )
    assert option.contact == "Study coordinator (example), 555-0100, nct09000102@example.org"
    event = AuditEvent.objects.get(case=case, action="option_added")
    assert event.detail == {"study": "NCT09000102", "version": 1, "judged": True}
    editor = client.get(f"/review/cases/{case.reference}/report/").content.decode()
    assert "Example Nationwide Children&#x27;s Hospital" in editor

    again = client.post(options_url(case, "NCT09000102/add-to-report/"), follow=True)
    assert "NCT09000102 is already in the report draft." in again.content.decode()
    assert ReportOption.objects.filter(report__case=case).count() == 1


def test_what_matching_could_not_settle_is_asked_in_the_report(alice, case):
    # The record has not changed at the source for years; the program lists no sites.
    Study.objects.filter(nct_id="NCT09000102").update(source_updated_on=date(2024, 3, 1))
    client = client_for(alice)
    judge_all(client, case, "NCT09000102")
    client.post(options_url(case, "NCT09000102/add-to-report/"))
    client.post(options_url(case, "NCT09000103/add-to-report/"))
    trial, program = ReportOption.objects.filter(report__case=case).order_by("position")
    asked = trial.what_to_ask.splitlines()
    assert "- Is the study still open at the nearest site?" in asked
    stale = "Record last updated March 2024: check it is still open with the contact"
    assert asked[-1] == f"- Please check: {stale}."
    assert program.what_to_ask.splitlines() == [
        "- Could my child take part?",
        "- Is the study still open at the nearest site?",
        "- Please check: No sites listed: the treating doctor asks the sponsor for access.",
    ]


def test_adding_an_option_needs_the_report_approved_again(alice, sam, case, settings):
    settings.REPORT_REQUIRES_APPROVAL = True
    report = actions.start_report(case=case, by=alice)
    report.approved_by, report.approved_at = sam, report.created_at
    report.save()
    client_for(alice).post(options_url(case, "NCT09000103/add-to-report/"))
    report.refresh_from_db()
    assert report.approved_at is None
    assert report.options.get().kind == "expanded_access"


def test_the_family_reads_the_option_and_the_summary_pdf_shows_it(alice, sam, case):
    client_for(alice).post(options_url(case, "NCT09000102/add-to-report/"))
    report = actions.draft_report(case)
    options = [{f: getattr(o, f) for f in actions.OPTION_FIELDS} for o in report.options.all()]
    fields = {
        "understanding": "The leukemia came back after CAR-T.",
        "questions": "",
        "next_steps": "Call them.",
    }
    actions.save_report(report=report, by=alice, fields=fields, options=options)
    actions.send_report(report=report, by=alice)

    family = verified_client(case).get(page_url(case)).content.decode()
    assert "Nelarabine and Venetoclax for T-ALL That Relapsed After CAR-T Cell Therapy" in family
    assert "Where it is offered" in family and "Columbus, Ohio, United States (3 miles from home)" in family
    assert "Who to contact" in family and "555-0100" in family
    assert 'href="https://clinicaltrials.gov/study/NCT09000102"' in family

    pdf = client_for(sam).get(f"/review/cases/{case.reference}/summary.pdf", {"version": "family"})
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Nelarabine and Venetoclax" in text and "NCT09000102" in text and "555-0100" in text
