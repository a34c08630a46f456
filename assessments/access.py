"""The one access funnel: every reviewer view gets its cases through these functions.

A reviewer may open a case that is unassigned or assigned to them; coordinators and supervisors may
open any case. Anyone else gets a 404, never a hint that the case exists.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from intake import clock
from intake.models import Case


def can_work_queue(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("intake.work_queue")


def sees_every_case(user) -> bool:
    return user.has_perm("intake.view_all_cases")


def visible_cases(user) -> QuerySet[Case]:
    if not can_work_queue(user):
        return Case.objects.none()
    if sees_every_case(user):
        return Case.objects.all()
    return Case.objects.filter(Q(assigned_to__isnull=True) | Q(assigned_to=user))


def get_case_for_user(user, reference: str, *, for_update: bool = False) -> Case:
    cases = visible_cases(user)
    if for_update:
        # Lock the row for the length of the action's transaction, so two people acting on the
        # same case at once are applied one after the other, each seeing the other's change.
        cases = cases.select_for_update(of=("self",))
    try:
        # The response clock's state comes along, computed by the one definition in intake/clock.py.
        return (
            cases.select_related("assigned_to")
            .annotate(clock_state=clock.response_state(timezone.now()))
            .get(reference=reference)
        )
    except Case.DoesNotExist:
        raise Http404("No such case") from None


def can_change(user, case: Case) -> bool:
    """Working on a case (status, notes, messages) is for its assignee, coordinators and supervisors."""
    return sees_every_case(user) or (case.assigned_to_id is not None and case.assigned_to_id == user.pk)
