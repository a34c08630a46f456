"""The dashboard's figures, computed for a small hand-made service whose numbers are written out here.

The period is four weeks, Monday 7 to Friday 2 October 2026, seen on Friday 2 October at 17:00 in
New York. Targets: urgent 2, high 5, routine 10 working days. The nine cases:

 1 urgent   in Fri 11 Sep 15:00 (a weekend follows), triaged Mon 14 Sep 12:00 (0.875 working days),
            first report by alice Mon 14 Sep 15:00: 1 working day, due Tue 15 Sep 15:00, on time.
 2 high     in Mon 7 Sep 09:00, triaged 21:00 (0.5), waited on the family Thu 10 Sep 09:00 to
            Mon 14 Sep 09:00 (two working days paused), first report by bob Tue 15 Sep 09:00:
            6 working days less 2 paused = 4, due Wed 16 Sep 09:00, on time. Breast cancer.
 3 routine  in Tue 8 Sep 10:00, triaged Wed 9 Sep 10:00 (1), first report by alice Wed 23 Sep 10:00:
            11 working days, due Tue 22 Sep 10:00, late. Closed, reopened, version 2 sent by alice
            Wed 30 Sep. Hodgkin lymphoma.
 4 urgent   in Mon 28 Sep 09:00, triaged 16:00 (0.2917), in review with bob, due Wed 30 Sep 09:00:
            overdue by 2.33 working days.
 5 high     in Wed 16 Sep 11:00, triaged Thu 17 Sep 14:00 (1.125), waiting on the family since
            Fri 18 Sep 11:00 (14 days), with alice.
 6 routine  in Thu 1 Oct 16:00, new (not triaged), Spanish.
 7 high     in Mon 3 Aug 10:00, before the period; triaged then, unassigned, due Mon 10 Aug 10:00:
            overdue by 39.29 working days.
 8 routine  in Mon 21 Sep 10:00, triaged Tue 22 Sep 16:00 (1.25), closed without a report. French.
 9 urgent   in Tue 22 Sep 10:00, triaged 13:00 (0.125), first report by bob Fri 25 Sep 10:00:
            3 working days, due Thu 24 Sep 10:00, late. Closed.
"""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper
from django.test.utils import CaptureQueriesContext

from assessments import dashboard
from assessments.models import AuditEvent
from intake import clock
from intake.clock import add_business_days
from intake.models import Case, Report
from tests.conftest import client_for, make_case, make_user

pytestmark = pytest.mark.django_db
Status, Urgency = Case.Status, Case.Urgency
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 10, 2, 17, 0, tzinfo=NEW_YORK)
PERIOD = dashboard.Period("custom", date(2026, 9, 7), date(2026, 10, 2))
TARGET_DAYS = {Urgency.URGENT: 2, Urgency.HIGH: 5, Urgency.ROUTINE: 10}


def at(month, day, hour, minute=0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK)


def a_case(urgency, submitted, due, *, paused_seconds=0, **fields) -> Case:
    # The due date is written out, and must be what the response clock says.
    assert add_business_days(submitted, TARGET_DAYS[urgency], paused_seconds=paused_seconds) == due
    case = make_case()
    Case.objects.filter(pk=case.pk).update(
        urgency=urgency, submitted_at=submitted, response_due_at=due, paused_seconds=paused_seconds, **fields
    )
    case.refresh_from_db()
    # What triaging and sending the first report keep on the case, as the actions do.
    case.measure_response_clock()
    case.save(update_fields=["triage_working_days", "first_answer_working_days"])
    return case


def sent(case, version, by, when) -> None:
    Report.objects.create(case=case, version=version, sent_by=by, sent_at=when, created_at=when)
    if version == 1:  # the first answer, as sending it records on the case
        Case.objects.filter(pk=case.pk).update(first_answered_by=by)


@pytest.fixture
def service(alice, bob, carol, sam):
    cases = {}
    cases[1] = a_case(
        Urgency.URGENT,
        at(9, 11, 15),
        at(9, 15, 15),
        triaged_at=at(9, 14, 12),
        first_response_at=at(9, 14, 15),
        status=Status.REPORT_SENT,
        assigned_to=alice,
    )
    sent(cases[1], 1, alice, at(9, 14, 15))
    cases[2] = a_case(
        Urgency.HIGH,
        at(9, 7, 9),
        at(9, 16, 9),
        paused_seconds=2 * 86400,
        triaged_at=at(9, 7, 21),
        first_response_at=at(9, 15, 9),
        status=Status.REPORT_SENT,
        assigned_to=bob,
        diagnosis="breast",
    )
    sent(cases[2], 1, bob, at(9, 15, 9))
    cases[3] = a_case(
        Urgency.ROUTINE,
        at(9, 8, 10),
        at(9, 22, 10),
        triaged_at=at(9, 9, 10),
        first_response_at=at(9, 23, 10),
        status=Status.REPORT_SENT,
        assigned_to=alice,
        diagnosis="hodgkin",
    )
    sent(cases[3], 1, alice, at(9, 23, 10))
    sent(cases[3], 2, alice, at(9, 30, 10))  # after it was closed and reopened
    cases[4] = a_case(
        Urgency.URGENT,
        at(9, 28, 9),
        at(9, 30, 9),
        triaged_at=at(9, 28, 16),
        status=Status.IN_REVIEW,
        assigned_to=bob,
    )
    cases[5] = a_case(
        Urgency.HIGH,
        at(9, 16, 11),
        at(9, 23, 11),
        triaged_at=at(9, 17, 14),
        status=Status.WAITING_ON_FAMILY,
        status_changed_at=at(9, 18, 11),
        clock_paused_at=at(9, 18, 11),
        assigned_to=alice,
    )
    cases[6] = a_case(Urgency.ROUTINE, at(10, 1, 16), at(10, 15, 16), preferred_language="es")
    cases[7] = a_case(
        Urgency.HIGH, at(8, 3, 10), at(8, 10, 10), triaged_at=at(8, 3, 11), status=Status.TRIAGED
    )
    cases[8] = a_case(
        Urgency.ROUTINE,
        at(9, 21, 10),
        at(10, 5, 10),
        triaged_at=at(9, 22, 16),
        status=Status.CLOSED,
        preferred_language="fr",
    )
    cases[9] = a_case(
        Urgency.URGENT,
        at(9, 22, 10),
        at(9, 24, 10),
        triaged_at=at(9, 22, 13),
        first_response_at=at(9, 25, 10),
        status=Status.CLOSED,
        assigned_to=bob,
    )
    sent(cases[9], 1, bob, at(9, 25, 10))
    return cases


def figure(key):
    return dashboard.one_figure(key, PERIOD, NOW)


def test_new_cases_per_week_by_urgency(service):
    intake = figure("intake")
    assert intake.headers == ["Week starting", "Urgent", "High", "Routine", "All"]
    assert intake.rows == [
        ["2026-09-07", 1, 1, 1, 3],  # cases 2, 3 and 1
        ["2026-09-14", 0, 1, 0, 1],  # 5
        ["2026-09-21", 1, 0, 1, 2],  # 9 and 8
        ["2026-09-28", 1, 0, 1, 2],  # 4 and 6; case 7 came in before the period
    ]
    assert intake.summary.startswith(
        "8 new cases from 7 Sep 2026 to 2 Oct 2026: 3 urgent, 2 high, 3 routine."
    )


def test_the_backlog_today_by_status_urgency_and_age(service):
    backlog = dashboard.backlog_figures(PERIOD, NOW)
    assert backlog[0].rows == [
        ["New", 0, 0, 1, 1],  # 6
        ["Triaged", 0, 1, 0, 1],  # 7
        ["In review", 1, 0, 0, 1],  # 4
        ["Waiting on family", 0, 1, 0, 1],  # 5; report sent (1, 2, 3) and closed (8, 9) are not open
    ]
    assert backlog[1].rows == [
        ["Under 1 week", 1, 0, 1, 2],  # 4 (4 days), 6 (1 day)
        ["1 to 2 weeks", 0, 0, 0, 0],
        ["2 to 4 weeks", 0, 1, 0, 1],  # 5 (16 days)
        ["4 to 12 weeks", 0, 1, 0, 1],  # 7 (60 days)
        ["12 weeks or more", 0, 0, 0, 0],
    ]


def test_first_answers_on_time_per_week_and_urgency(service):
    on_time = figure("on-time")
    # Per urgency and for all: first answers, on time, % on time.
    assert on_time.rows == [
        ["2026-09-07", 0, 0, None, 0, 0, None, 0, 0, None, 0, 0, None],
        ["2026-09-14", 1, 1, 100.0, 1, 1, 100.0, 0, 0, None, 2, 2, 100.0],  # 1 (weekend), 2 (paused)
        ["2026-09-21", 1, 0, 0.0, 0, 0, None, 1, 0, 0.0, 2, 0, 0.0],  # 9 and 3, both late
        ["2026-09-28", 0, 0, None, 0, 0, None, 0, 0, None, 0, 0, None],  # 3's second report is no first
    ]
    assert "50% of 4 overall" in on_time.summary and "The target is 90%." in on_time.summary


def test_working_days_to_triage_and_to_the_first_report(service):
    triage, first_report = figure("time-to-triage"), figure("time-to-first-report")
    assert triage.rows == [
        # Urgent: 0.125 (9), 0.2917 (4), 0.875 (1, over a weekend); case 7 was triaged before the period.
        ["Urgent", 3, 0.3, 0.8],
        ["High", 2, 0.8, 1.1],  # 0.5 (2) and 1.125 (5)
        ["Routine", 2, 1.1, 1.2],  # 1 (3) and 1.25 (8)
    ]
    assert first_report.rows == [
        ["Urgent", 2, 2.0, 2.8, 2],  # 1 working day over the weekend (1), 3 (9)
        ["High", 1, 4.0, 4.0, 5],  # 6 working days less 2 paused (2)
        ["Routine", 1, 11.0, 11.0, 10],  # the first report of the reopened case 3, not its second
    ]


def test_a_first_answer_took_fewer_working_days_than_its_target_exactly_when_it_was_on_time(service):
    answered = Case.objects.filter(first_response_at__isnull=False).annotate(
        on_time=ExpressionWrapper(clock.ANSWERED_ON_TIME, output_field=BooleanField())
    )
    found = {
        c.reference: (round(c.first_answer_working_days, 3), TARGET_DAYS[c.urgency], c.on_time)
        for c in answered
    }
    assert found == {
        service[1].reference: (1.0, 2, True),
        service[2].reference: (4.0, 5, True),
        service[3].reference: (11.0, 10, False),
        service[9].reference: (3.0, 2, False),
    }


def test_each_reviewers_workload(service):
    assert figure("reviewers").rows == [
        # Open cases today, reports sent in the period, median working days to their first reports.
        ["alice", 1, 3, 6.0],  # 5 open; reports 1, 3 and 3's second version; first reports 1 and 11 days
        ["bob", 1, 2, 3.5],  # 4 open; reports 2 and 9; 4 and 3 days
        ["carol", 0, 0, None],
        ["sam", 0, 0, None],
    ]


def test_cases_waiting_on_the_family_and_overdue_cases_link_by_reference(service):
    assert figure("waiting").rows == [[service[5].reference, "High", "2026-09-18", 14, "alice"]]
    assert figure("overdue").rows == [
        [service[7].reference, "High", "Triaged", "2026-08-10 10:00", 39.3, ""],
        [service[4].reference, "Urgent", "In review", "2026-09-30 09:00", 2.3, "bob"],
    ]


def test_families_languages_and_diagnosis_groups(service):
    languages = {row[0]: row[1:] for row in figure("languages").rows}
    assert languages["English"] == [6, 75.0]
    assert languages["Spanish (Español)"] == [1, 12.5]
    assert languages["French (Français)"] == [1, 12.5]
    assert sum(n for n, _ in languages.values()) == 8
    groups = {row[0]: row[1] for row in figure("diagnosis-groups").rows if row[1]}
    assert groups == {"Acute leukemia and lymphoblastic lymphoma": 6, "Lymphoma": 1, "Solid tumours": 1}


def test_the_dashboard_takes_the_same_number_of_queries_however_many_cases(sam, service):
    client = client_for(sam)
    url = "/review/dashboard/?period=year"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(5):
        make_case(status=Status.TRIAGED)
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    # The session, the user, the authenticator that verified the session, the user's and the groups'
    # permissions; then the figures: intake, backlog (with ages), first answers on time, working days
    # to triage, to the first report, the reviewers with their open cases and reports, the reviewers'
    # median days, waiting, overdue, and families.
    assert len(few) == len(more) == 15


def test_the_page_shows_no_names_and_draws_accessible_charts(sam, service):
    body = client_for(sam).get("/review/dashboard/?period=year").content.decode()
    # Names, contact details and health details beyond the diagnosis group. (The patient's initials,
    # "JL", are too short to look for: a random CSRF token may hold them.)
    for personal in ("Maria", "Lopez", "maria.lopez@example.com", "NOTCH1", "Children", "BFM"):
        assert personal not in body
    assert body.count('role="img"') == 9
    assert body.count("<title id=") == 9 and body.count("<desc id=") == 9
    assert body.count("<details") == 9  # the numbers behind every chart
    assert " style=" not in body and "<script>" not in body  # the CSP allows neither
    assert f'href="/review/cases/{service[4].reference}/"' in body


def test_the_period_is_held_in_the_url(carol):
    client = client_for(carol)
    assert client.get("/review/dashboard/").context["period"].choice == "4w"
    assert client.get("/review/dashboard/?period=12w").context["period"].choice == "12w"
    response = client.get("/review/dashboard/?period=custom&start=2026-01-05&end=2026-02-01")
    period = response.context["period"]
    assert (period.start, period.end) == (date(2026, 1, 5), date(2026, 2, 1))
    assert "period=custom&amp;start=2026-01-05&amp;end=2026-02-01" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=custom&end=2026-02-01", "Choose the first day of the period."),
        ("period=custom&start=2026-02-01", "Choose the last day of the period."),
        ("start=2026-03-01&end=2026-02-01", "The last day must be on or after the first day."),
        ("period=custom&start=2026-01-01&end=2999-01-01", "The last day cannot be in the future."),
        ("period=custom&start=2020-01-01&end=2026-01-01", "Choose a period of at most 731 days (two years)."),
        ("period=custom&start=yesterday&end=2026-01-01", "Enter a valid date."),
        ("period=forever", "Select a valid choice."),
    ],
)
def test_a_period_that_cannot_be_shown_says_why(carol, query, message):
    response = client_for(carol).get(f"/review/dashboard/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_every_figure_downloads_as_csv_recorded_and_safe_in_a_spreadsheet(sam, service):
    make_user("@eve", "Reviewer")  # a username a spreadsheet would read as a formula
    client = client_for(sam)
    for key in dashboard.FIGURE_SOURCES:
        response = client.get(f"/review/dashboard/{key}.csv?period=year")
        assert response.status_code == 200, key
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == dashboard.one_figure(key, dashboard.preset("year", date.today()), NOW).headers
    reviewers = client.get("/review/dashboard/reviewers.csv?period=year").content.decode("utf-8-sig")
    assert "'@eve" in reviewers and "\n@eve" not in reviewers
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED, actor=sam)
    assert events.count() == len(dashboard.FIGURE_SOURCES) + 1
    detail = events.first().detail
    assert detail["format"] == "csv" and detail["figure"] == "reviewers"
    assert detail["filters"] == {"period": ["year"]} and detail["count"] == 5


def test_a_csv_of_an_unknown_figure_or_period_is_refused(sam):
    client = client_for(sam)
    assert client.get("/review/dashboard/secrets.csv").status_code == 404
    assert client.get("/review/dashboard/intake.csv?period=custom").status_code == 400
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()
