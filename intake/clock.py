"""The response clock, defined once: the queue, the case page, the exports and the dashboard all use it.

A family is owed a first answer within a number of working days that depends on urgency. The clock
runs on working time only: Monday to Friday in the site's time zone, so a case that comes in on a
Saturday starts its clock on Monday at midnight. It stops while the case waits on the family before
that first answer; `Case.paused_seconds` holds the working time it stood still.

Every moment has a position on the working-time line (working time since a fixed Monday). The due
date is the moment at position(submitted) + target days + time paused; the working days a first
answer took are position(answer) - position(submitted) - time paused. So a first answer took fewer
working days than its target exactly when it came before its due date.

Working time is counted here, in Python, when things happen: the due date when a case is triaged
or its clock restarts, the working days to triage and to the first answer when those happen (kept
on the case, so that a year of them is summed by PostgreSQL from an index). A case's state at a
moment (answered, closed, paused, overdue, due soon, on time) is decided by SQL rules written once
below, so a page of the queue, its filters and the dashboard over 100,000 cases agree.

This module is a leaf: intake.models imports it, so it names model fields but imports no model.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone

CLOSED = "closed"  # Case.Status.CLOSED; named here so that this module need not import the model
EPOCH = date(1970, 1, 5)  # a Monday
DAY = 86_400  # seconds
MICROSECONDS = 1_000_000


def position(moment: datetime) -> int:
    """Working time from EPOCH to `moment`, in microseconds (whole numbers keep the sums exact).

    Whole weekdays before the moment's local date, plus the part of its own day gone by (on the wall
    clock) when that day is a weekday. A weekend moment is at the same place as Monday 00:00.
    """
    local = timezone.localtime(moment)
    weeks, rest = divmod((local.date() - EPOCH).days, 7)
    days = 5 * weeks + min(rest, 5)
    into_day = 0
    if rest < 5:
        into_day = ((local.hour * 60 + local.minute) * 60 + local.second) * MICROSECONDS + local.microsecond
    return days * DAY * MICROSECONDS + into_day


def moment_at(place: int) -> datetime:
    """The moment at a position on the working-time line: always on a weekday."""
    days, into_day = divmod(place, DAY * MICROSECONDS)
    weeks, rest = divmod(days, 5)
    day = EPOCH + timedelta(days=7 * weeks + rest)
    return timezone.make_aware(datetime.combine(day, time.min) + timedelta(microseconds=into_day))


def add_business_days(start: datetime, days: int, *, paused_seconds: int = 0) -> datetime:
    """Move forward by working days (and paused working seconds), in the site's time zone.

    From a weekday the time of day is kept: Friday 10:00 plus one working day is Monday 10:00. From a
    weekend the clock starts on Monday at midnight: Saturday plus one working day is Tuesday 00:00.
    """
    return moment_at(position(start) + (days * DAY + paused_seconds) * MICROSECONDS)


def working_seconds(start: datetime, end: datetime) -> int:
    """Working time between two moments, in whole seconds: what a pause from `start` to `end` costs."""
    return (position(end) - position(start)) // MICROSECONDS


# States, in the order they are decided: the first that holds is the case's state.
STATES = [
    ("answered", "Answered"),
    ("closed", "Closed"),
    ("paused", "Paused (waiting on family)"),
    ("overdue", "Overdue"),
    ("due_soon", "Due soon"),
    ("on_time", "On time"),
]


def _rules(now: datetime) -> list[tuple[str, Q]]:
    soon = now + timedelta(hours=settings.RESPONSE_DUE_SOON_HOURS)
    return [
        ("answered", Q(first_response_at__isnull=False)),
        ("closed", Q(status=CLOSED)),
        ("paused", Q(clock_paused_at__isnull=False)),
        ("overdue", Q(response_due_at__lte=now)),
        ("due_soon", Q(response_due_at__lte=soon)),
        ("on_time", Q()),
    ]


def response_state(now: datetime) -> Case:
    """The state of each case at `now`, as an annotation: answered, closed, paused, overdue, due_soon
    or on_time."""
    rules = _rules(now)
    return Case(
        *[When(condition, then=Value(state)) for state, condition in rules[:-1]],
        default=Value(rules[-1][0]),
        output_field=CharField(),
    )


def in_state(state: str, now: datetime) -> Q:
    """The cases in one state at `now`, as a filter that PostgreSQL can answer from its indexes."""
    earlier = Q()
    for name, condition in _rules(now):
        if name == state:
            return earlier & condition
        earlier &= ~condition
    raise ValueError(f"No response state {state!r}")


# A first answer came on time if, at the moment it was sent, the case was not yet overdue.
ANSWERED_ON_TIME = Q(first_response_at__isnull=False, first_response_at__lt=F("response_due_at"))


def days_between(start: datetime, end: datetime, *, paused_seconds: int = 0) -> float:
    """Working days from `start` to `end`, less the working time the clock stood still."""
    return (position(end) - position(start) - paused_seconds * MICROSECONDS) / (DAY * MICROSECONDS)
