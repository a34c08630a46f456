from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import actions
from intake.models import Case
from tests.conftest import client_for, make_case

pytestmark = pytest.mark.django_db
Status = Case.Status


def references(response) -> list[str]:
    return [case.reference for case in response.context["page"].object_list]


def test_the_queue_lists_cases_most_urgent_then_oldest_first(carol):
    routine = make_case(status=Status.TRIAGED, urgency=Case.Urgency.ROUTINE)
    urgent = make_case(status=Status.TRIAGED, urgency=Case.Urgency.URGENT)
    older_urgent = make_case(status=Status.TRIAGED, urgency=Case.Urgency.URGENT)
    Case.objects.filter(pk=older_urgent.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    response = client_for(carol).get("/review/?tab=all")
    assert references(response) == [older_urgent.reference, urgent.reference, routine.reference]


def test_rows_show_no_names_emails_or_phone_numbers(carol):
    make_case(
        about_you={"contact_phone": "555 123 4567", "contact_preference": "phone"},
        patient={"patient_name": "Zebedee"},
    )
    body = client_for(carol).get("/review/?tab=all").content.decode()
    for personal in ("Maria", "Lopez", "maria.lopez@example.com", "555 123 4567", "Zebedee"):
        assert personal not in body
    assert "T-cell acute lymphoblastic leukemia" in body


def test_tabs_count_live(carol, alice):
    make_case()  # needs triage
    make_case(status=Status.IN_REVIEW, assigned_to=alice)
    make_case(status=Status.TRIAGED)
    make_case(status=Status.WAITING_ON_FAMILY, assigned_to=alice)
    make_case(status=Status.REPORT_SENT, assigned_to=alice)
    make_case(status=Status.CLOSED)
    tabs = {key: str(count) for key, _, count in client_for(alice).get("/review/").context["tabs"]}
    assert tabs == {
        "needs_triage": "1",
        "mine": "3",
        "unassigned": "1",
        "waiting": "1",
        "report_sent": "1",
        "closed": "1",
        "all": "6",
    }


def test_big_tabs_say_more_than_and_page_up_to_the_limit(carol, monkeypatch):
    # Exact counts read every matching row; past a limit a tab says "more than" instead.
    monkeypatch.setattr("assessments.queue.COUNT_LIMIT", 60)
    monkeypatch.setattr("assessments.queue.FILTERED_COUNT_LIMIT", 40)
    from assessments.demo import seed

    seed(70)
    client = client_for(carol)
    response = client.get("/review/?tab=all")
    tabs = {key: str(count) for key, _, count in response.context["tabs"]}
    closed = Case.objects.filter(status=Status.CLOSED).count()
    assert tabs["all"] == "60+" and tabs["closed"] == str(closed)
    body = " ".join(response.content.decode().split())
    assert "Page 1 of 2+ (60+ cases)" in body
    assert "Only the first 60 cases of this view are listed" in body
    assert len(references(client.get("/review/?tab=all&page=2"))) == 10
    exact = client.get("/review/?tab=closed")
    assert "Only the first" not in exact.content.decode()

    # Under filters, a view within the limit has every tab counted exactly...
    urgent = Case.objects.filter(urgency=Case.Urgency.URGENT)
    response = client.get("/review/?tab=all&urgency=1")
    tabs = {key: str(count) for key, _, count in response.context["tabs"]}
    assert tabs["all"] == str(urgent.count())
    assert tabs["closed"] == str(urgent.filter(status=Status.CLOSED).count())
    # ...and a bigger one counts only the tab shown, as the others could take long.
    response = client.get("/review/?tab=needs_triage&submitted_from=2000-01-01")
    tabs = {key: count for key, _, count in response.context["tabs"]}
    assert str(tabs["needs_triage"]) == str(Case.objects.filter(status=Status.NEW).count())
    assert str(client.get("/review/?tab=all&submitted_from=2000-01-01").context["tally"]) == "40+"
    assert [key for key, count in tabs.items() if count is None] == [
        "mine",
        "unassigned",
        "waiting",
        "report_sent",
        "closed",
        "all",
    ]
    assert 'data-count="all"' not in response.content.decode()


def test_a_reviewer_sees_only_unassigned_cases_and_their_own(alice, bob):
    mine = make_case(status=Status.IN_REVIEW, assigned_to=alice)
    free = make_case(status=Status.TRIAGED)
    make_case(status=Status.IN_REVIEW, assigned_to=bob)
    response = client_for(alice).get("/review/?tab=all")
    assert set(references(response)) == {mine.reference, free.reference}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("urgency=3", "routine"),
        ("group=solid", "lung"),
        ("status=closed", "closed"),
        ("assignee=alice", "alices"),
        ("assignee=none", "unassigned"),
        ("response=overdue", "overdue"),
        ("q=osimertinib", "lung"),
        ("q=daratumumab", "noted"),
    ],
)
def test_filters_and_search(carol, alice, query, expected):
    now = timezone.now()
    cases = {
        "routine": make_case(status=Status.TRIAGED, urgency=Case.Urgency.ROUTINE, assigned_to=alice),
        "lung": make_case(
            status=Status.IN_REVIEW,
            assigned_to=alice,
            diagnosis={"diagnosis": "lung_nsclc"},
            treatments={"treatments-0-kind": "targeted", "treatments-0-name": "Osimertinib"},
        ),
        "closed": make_case(status=Status.CLOSED, assigned_to=alice),
        "alices": make_case(status=Status.IN_REVIEW, assigned_to=alice),
        "unassigned": make_case(status=Status.TRIAGED),
        "overdue": make_case(status=Status.IN_REVIEW, assigned_to=alice),
        "noted": make_case(status=Status.IN_REVIEW, assigned_to=alice),
    }
    Case.objects.exclude(pk=cases["overdue"].pk).update(response_due_at=now + timedelta(days=5))
    Case.objects.filter(pk=cases["overdue"].pk).update(response_due_at=now - timedelta(hours=1))
    actions.add_note(case=cases["noted"], author=alice, body="Daratumumab program contacted")
    Case.objects.exclude(pk=cases["routine"].pk).update(urgency=Case.Urgency.URGENT)
    response = client_for(carol).get(f"/review/?tab=all&{query}")
    found = set(references(response))
    assert cases[expected].reference in found
    if query.startswith(("q=", "response=", "group=", "urgency=", "status=closed", "assignee=none")):
        assert found == {cases[expected].reference}, query


def test_search_by_reference_code(carol):
    case = make_case()
    make_case()
    for query in (case.reference, case.reference.lower(), case.reference[3:]):
        assert references(client_for(carol).get("/review/", {"tab": "all", "q": query})) == [case.reference]


def test_submitted_between_two_dates(carol):
    old = make_case()
    new = make_case()
    Case.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=40))
    today = timezone.localdate()
    response = client_for(carol).get(
        "/review/",
        {"tab": "all", "submitted_from": str(today - timedelta(days=1)), "submitted_to": str(today)},
    )
    assert references(response) == [new.reference]


def test_the_url_holds_the_filters(carol):
    make_case(status=Status.TRIAGED)
    body = client_for(carol).get("/review/?tab=all&urgency=1&q=leukemia").content.decode()
    assert "?tab=needs_triage&amp;urgency=1&amp;q=leukemia" in body


def test_overdue_and_due_soon_cases_stand_out(carol):
    late = make_case(status=Status.TRIAGED)
    soon = make_case(status=Status.TRIAGED)
    Case.objects.filter(pk=late.pk).update(response_due_at=timezone.now() - timedelta(hours=3))
    Case.objects.filter(pk=soon.pk).update(response_due_at=timezone.now() + timedelta(hours=3))
    body = client_for(carol).get("/review/?tab=all").content.decode()
    assert f'class="row-overdue" data-reference="{late.reference}"' in body
    assert f'class="row-due-soon" data-reference="{soon.reference}"' in body


def test_the_queue_pages_through_many_cases(carol):
    from assessments.demo import seed

    seed(120)
    client = client_for(carol)
    first = client.get("/review/?tab=all")
    assert len(references(first)) == 50
    assert first.context["page"].paginator.count == 120
    third = client.get("/review/?tab=all&page=3")
    assert len(references(third)) == 20
    assert not set(references(first)) & set(references(third))


def test_the_queue_query_count_does_not_grow_with_rows(carol, alice):
    from assessments.demo import seed

    client = client_for(carol)
    client.get("/review/")  # warm the session
    seed(5, reviewers=[alice])
    with CaptureQueriesContext(connection) as few:
        client.get("/review/?tab=all")
    seed(100, reviewers=[alice])
    with CaptureQueriesContext(connection) as many:
        response = client.get("/review/?tab=all")
    assert len(response.context["page"].object_list) == 50
    # 1. the session, 2. the user, 3. the authenticator that verified the session, 4.-5. the user's
    # and their groups' permissions, 6. staff for the assignee filter, 7. every tab's count in one
    # aggregate, 8. the page of rows with their assignees joined.
    assert len(few) == len(many) == 8, [q["sql"][:120] for q in many.captured_queries]


def test_claim_next_from_the_queue(alice):
    case = make_case(status=Status.TRIAGED)
    client = client_for(alice)
    response = client.post("/review/claim-next/")
    assert response["Location"] == f"/review/cases/{case.reference}/"
    response = client.post("/review/claim-next/", follow=True)
    assert "There are no triaged cases waiting" in response.content.decode()


# Found by the fuzz tests (tests/fuzz/).


@pytest.mark.parametrize("field", ["submitted_from", "submitted_to"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_at_the_end_of_the_calendar_is_a_filter_not_understood(carol, field, day):
    triaged, new = make_case(status=Status.TRIAGED), make_case()
    response = client_for(carol).get("/review/", {"tab": "all", "status": "new", field: day})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'aria-describedby="id_{field}_error"' in body
    assert "Please enter a date like" in body.split(f'id="id_{field}_error"')[1]
    # The filters that were understood still apply.
    assert references(response) == [new.reference]
    assert triaged.reference not in references(response)
    csv = client_for(carol).get("/review/export.csv", {"tab": "all", field: day})
    assert csv.status_code in (200, 403)
