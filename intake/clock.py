"""The response clock, defined once: the queue, the case page, the exports and the dashboard all use it.

A family is owed a first answer within a number of working days that depends on urgency. Working
time is Monday to Friday in the site's time zone; weekends do not count, so a case that comes in on
a Saturday starts its clock on Monday morning. While the case waits on the family before that first
answer, the clock is paused and the deadline moves on by the time paused (`Case.paused_seconds`).

Two things are computed here. Deadlines are written when a case is triaged, in Python
(`add_business_days`). Everything read afterwards (a case's state, whether a first answer came on
time, how many working days it took) is a SQL expression, so a page of cases, a filter and a
dashboard figure over 100,000 cases are all answered by PostgreSQL with the same rules.
`working_days(start, add_business_days(start, n))` is `n` exactly; the tests hold the two to that.

This module is a leaf: intake.models imports it, so it names model fields but imports no model.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    DurationField,
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


def add_business_days(start: datetime, days: int) -> datetime:
    """Move forward by working days (Monday to Friday), in the site's time zone.

    From a weekday the time of day is kept: Friday 10:00 plus one working day is Monday 10:00. From a
    weekend the clock starts at Monday 00:00, so Saturday plus one working day is Tuesday 00:00.
    """
    moment = timezone.localtime(start)
    if moment.weekday() >= 5:
        monday = moment.date() + timedelta(days=7 - moment.weekday())
        moment = timezone.make_aware(datetime.combine(monday, datetime.min.time()))
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


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
    """How many working days lie between a fixed Monday (5 January 1970) and a moment, as a real
    number: whole weekdays before the moment's local date, plus the part of its own day gone by when
    that is a weekday. A weekend moment counts as Monday 00:00, so weekends add nothing."""

    output_field = FloatField()
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        moment, params = compiler.compile(self.source_expressions[0])
        tz = timezone.get_current_timezone_name()
        local = f"(({moment}) AT TIME ZONE %s)"
        days = f"(({local})::date - DATE '1970-01-05')"
        sql = (
            f"(5 * ({days} / 7) + LEAST(MOD({days}, 7), 5) + CASE WHEN MOD({days}, 7) < 5 "
            f"THEN EXTRACT(EPOCH FROM ({local})::time) / 86400.0 ELSE 0 END)::double precision"
        )
        # `local` appears four times in the SQL, and each copy carries the moment's params and the zone.
        return sql, [*params, tz] * 4


def working_days(start, end) -> ExpressionWrapper:
    """Working days from `start` to `end` (two expressions), as a real number."""
    return ExpressionWrapper(WorkingDayPosition(end) - WorkingDayPosition(start), output_field=FloatField())


def _paused():
    return ExpressionWrapper(F("paused_seconds") * timedelta(seconds=1), output_field=DurationField())


def days_to_first_answer() -> ExpressionWrapper:
    """Working days from submission to the first answer, less the time the clock was paused. A first
    answer took at most its target number of days exactly when it came on time."""
    answered = ExpressionWrapper(F("first_response_at") - _paused(), output_field=DateTimeField())
    return working_days(F("submitted_at"), answered)


def days_to_triage() -> ExpressionWrapper:
    """Working days from submission to triage (the clock cannot be paused before triage)."""
    return working_days(F("submitted_at"), F("triaged_at"))
