"""The response clock: working days, weekends, pauses, and the SQL and Python halves agreeing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from intake import clock
from intake.models import Case
from tests.conftest import make_case

NEW_YORK = ZoneInfo("America/New_York")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (at(2026, 9, 11, 15, 0), 1, at(2026, 9, 14, 15, 0)),  # Friday to Monday, same time
        (at(2026, 9, 11, 15, 0), 2, at(2026, 9, 15, 15, 0)),
        (at(2026, 9, 9, 9, 30), 10, at(2026, 9, 23, 9, 30)),  # two weeks on a Wednesday
        (at(2026, 9, 12, 10, 0), 1, at(2026, 9, 15, 0, 0)),  # Saturday: the clock starts Monday 00:00
        (at(2026, 9, 13, 23, 0), 2, at(2026, 9, 16, 0, 0)),  # Sunday night likewise
        (at(2026, 10, 30, 10, 0), 1, at(2026, 11, 2, 10, 0)),  # over the end of summer time: wall clock
    ],
)
def test_working_days_skip_weekends(start, days, due):
    assert clock.add_business_days(start, days) == due


def test_paused_working_time_moves_the_due_date_in_working_time():
    thursday = at(2026, 9, 10, 10, 0)
    monday = at(2026, 9, 14, 10, 0)
    assert clock.working_seconds(thursday, monday) == 2 * 86400  # Thursday 10:00 to Monday 10:00
    assert clock.working_seconds(at(2026, 9, 12, 9, 0), at(2026, 9, 13, 18, 0)) == 0  # a weekend
    assert clock.add_business_days(thursday, 1, paused_seconds=86400) == monday


@pytest.mark.parametrize(
    ("start", "end", "paused", "days"),
    [
        (at(2026, 9, 11, 15, 0), at(2026, 9, 14, 15, 0), 0, 1.0),  # Friday to Monday: the weekend is free
        (at(2026, 9, 12, 10, 0), at(2026, 9, 14, 6, 0), 0, 0.25),  # from a Saturday: Monday 00:00 on
        (at(2026, 9, 7, 9, 0), at(2026, 9, 15, 9, 0), 2 * 86400, 4.0),  # six working days, two paused
        (at(2026, 3, 6, 12, 0), at(2026, 3, 9, 12, 0), 0, 1.0),  # over the start of summer time
    ],
)
def test_working_days_between_two_moments(start, end, paused, days):
    assert clock.days_between(start, end, paused_seconds=paused) == pytest.approx(days)
    # The way back: the due date of a target in working days is exactly that far on.
    assert clock.days_between(start, clock.add_business_days(start, 3, paused_seconds=paused)) == (
        pytest.approx(3 + paused / 86400)
    )


@pytest.mark.django_db
def test_every_case_is_in_exactly_one_state_and_the_filter_agrees_with_the_annotation(alice):
    now = timezone.now()
    Status = Case.Status
    made = {
        "answered": make_case(status=Status.REPORT_SENT),
        "closed": make_case(status=Status.CLOSED),
        "paused": make_case(status=Status.WAITING_ON_FAMILY),
        "overdue": make_case(status=Status.IN_REVIEW),
        "due_soon": make_case(status=Status.TRIAGED),
        "on_time": make_case(status=Status.TRIAGED),
    }
    Case.objects.filter(pk=made["answered"].pk).update(first_response_at=now)
    Case.objects.filter(pk=made["paused"].pk).update(clock_paused_at=now)
    Case.objects.filter(pk=made["overdue"].pk).update(response_due_at=now - timedelta(hours=1))
    Case.objects.filter(pk=made["due_soon"].pk).update(response_due_at=now + timedelta(hours=3))
    Case.objects.filter(pk=made["on_time"].pk).update(response_due_at=now + timedelta(days=3))
    states = dict(Case.objects.annotate(state=clock.response_state(now)).values_list("reference", "state"))
    assert states == {case.reference: state for state, case in made.items()}
    for state, case in made.items():
        assert list(Case.objects.filter(clock.in_state(state, now)).values_list("reference", flat=True)) == [
            case.reference
        ], state
