"""The response clock: working days, weekends, pauses, and the SQL and Python halves agreeing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Value
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


MOMENTS = [
    at(2026, 9, 7, 0, 0),
    at(2026, 9, 11, 23, 59, 59),
    at(2026, 9, 12, 12, 0),
    at(2026, 9, 14, 9, 15),
    at(2026, 3, 8, 3, 30),  # the first hour of summer time
    at(2026, 11, 2, 17, 45),
    datetime(2026, 9, 14, 2, 0, tzinfo=ZoneInfo("UTC")),  # Sunday evening in New York
]


@pytest.mark.django_db
def test_the_sql_clock_and_the_python_clock_agree():
    case = make_case()
    positions = (
        Case.objects.filter(pk=case.pk)
        .annotate(**{f"m{i}": clock.WorkingDayPosition(Value(m)) for i, m in enumerate(MOMENTS)})
        .values(*[f"m{i}" for i in range(len(MOMENTS))])
        .get()
    )
    for i, moment in enumerate(MOMENTS):
        assert positions[f"m{i}"] == pytest.approx(clock.position(moment) / 1e6 / 86400, abs=1e-9), moment
        assert clock.position(clock.moment_at(clock.position(moment))) == clock.position(moment)


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
