"""The response clock, defined once: the queue, the case page, the exports and the dashboard all use it.

A family is owed a first answer within a number of working days that depends on urgency. The clock
runs on working time only: Monday to Friday in the site's time zone, so a case that comes in on a
Saturday starts its clock on Monday at midnight. It stops while the case waits on the family before
that first answer; `Case.paused_seconds` holds the working time it stood still.

Every moment has a position on the working-time line (working days since a fixed Monday). The due
date is the moment at position(submitted) + target days + days paused; the working days a first
answer took are position(answer) - position(submitted) - days paused. So a first answer took fewer
working days than its target exactly when it came before its due date.

Due dates are written in Python when a case is triaged or its clock restarts (`position`,
`moment_at`). Everything read afterwards (a case's state, whether a first answer came on time, how
many working days it took) is a SQL expression, so a page of the queue, a filter and a dashboard
figure over 100,000 cases are all answered by PostgreSQL with the same rules. `WorkingDayPosition`
is `position` in SQL; the tests hold the two to each other.

This module is a leaf: intake.models imports it, so it names model fields but imports no model.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    Value,
    When,
)
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


class WorkingDayPosition(Func):
    """`position` in SQL, in days as a real number."""

    output_field = FloatField()
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        moment, params = compiler.compile(self.source_expressions[0])
        tz = timezone.get_current_timezone_name()
        local = f"(({moment}) AT TIME ZONE %s)"
        days = f"(({local})::date - DATE '{EPOCH.isoformat()}')"
        sql = (
            f"(5 * ({days} / 7) + LEAST(MOD({days}, 7), 5) + CASE WHEN MOD({days}, 7) < 5 "
            f"THEN EXTRACT(EPOCH FROM ({local})::time) / {DAY}.0 ELSE 0 END)::double precision"
        )
        # `local` appears four times in the SQL, and each copy carries the moment's params and the zone.
        return sql, [*params, tz] * 4


def working_days(start, end) -> ExpressionWrapper:
    """Working days from `start` to `end` (two expressions), as a real number."""
    return ExpressionWrapper(WorkingDayPosition(end) - WorkingDayPosition(start), output_field=FloatField())


def days_to_first_answer(prefix: str = "") -> ExpressionWrapper:
    """Working days from submission to the first answer, less the working time the clock was paused.
    `prefix` reaches the case through a relation, for example "case__" from a report."""
    elapsed = working_days(F(f"{prefix}submitted_at"), F(f"{prefix}first_response_at"))
    return ExpressionWrapper(elapsed - F(f"{prefix}paused_seconds") / float(DAY), output_field=FloatField())


def days_to_triage() -> ExpressionWrapper:
    """Working days from submission to triage (the clock cannot be paused before triage)."""
    return working_days(F("submitted_at"), F("triaged_at"))
