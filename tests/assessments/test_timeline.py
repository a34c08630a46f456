"""The case page's timeline folds repeated views into one line; the audit trail keeps every event."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from assessments.models import AuditEvent
from intake.models import Case
from tests.conftest import client_for, make_case

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action
NEW_YORK = ZoneInfo("America/New_York")


def at(hour, minute) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=NEW_YORK)


def event(case, action, when, actor=None):
    AuditEvent.objects.create(
        case=case,
        case_reference=case.reference,
        action=action,
        at=when,
        actor=actor,
        actor_label=actor.username if actor else "family",
    )


def test_repeated_views_by_the_same_person_within_an_hour_are_one_line(carol, alice, bob):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    for minute in (0, 20, 50):
        event(case, Action.FAMILY_VIEWED, at(10, minute))
    event(case, Action.FAMILY_REPLIED, at(10, 30))
    event(case, Action.FAMILY_VIEWED, at(11, 10))  # more than an hour after the first: a new line
    event(case, Action.FAMILY_VIEWED_REPORT, at(10, 40))  # another kind of view
    event(case, Action.VIEWED_DOCUMENT, at(10, 5), alice)
    event(case, Action.VIEWED_DOCUMENT, at(10, 10), alice)
    event(case, Action.VIEWED_DOCUMENT, at(10, 15), bob)  # another person
    trail = AuditEvent.objects.filter(case=case).count()

    response = client_for(carol).get(f"/review/cases/{case.reference}/")
    lines = [
        (e.event.action, e.event.actor_label, e.count)
        for e in response.context["timeline"]
        if e.event.at.date() == at(10, 0).date()
    ]
    assert lines == [
        (Action.FAMILY_VIEWED, "family", 3),
        (Action.VIEWED_DOCUMENT, "alice", 2),
        (Action.VIEWED_DOCUMENT, "bob", 1),
        (Action.FAMILY_REPLIED, "family", 1),
        (Action.FAMILY_VIEWED_REPORT, "family", 1),
        (Action.FAMILY_VIEWED, "family", 1),
    ]
    body = response.content.decode()
    assert (
        'Family opened their case page</strong> <span class="badge text-bg-secondary" data-count>3 times'
        in body
    )
    assert 'datetime="2026-11-24T10:50:00-05:00">10:50</time>' in body
    # Opening the case page added its own view to the trail; nothing was taken out of it.
    assert AuditEvent.objects.filter(case=case).count() == trail + 1
