from django.dispatch import receiver

from assessments.models import AuditEvent
from config.client import client_ip
from intake.models import Case
from intake.signals import case_event


def record(
    action: str,
    *,
    case: Case | None = None,
    actor=None,
    actor_label: str = "",
    request=None,
    ip: str | None = None,
    detail=None,
) -> AuditEvent:
    """Append one event to the audit trail. Call it inside the transaction of the change it records.

    actor_label names who it was when there is no account to point to (the username someone tried)."""
    if request is not None:
        actor = actor or (request.user if request.user.is_authenticated else None)
        ip = ip or client_ip(request)
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=(actor.get_username() if actor else actor_label or "family")[:150],
        case=case,
        case_reference=case.reference if case else "",
        ip_address=ip,
        detail=_storable(detail or {}),
    )


def _storable(value):
    """`value` as JSON that PostgreSQL can keep: jsonb has no room for NUL characters, and details
    may quote what someone typed (the filters of an export, say). A visible U+FFFD marks the spot."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


FAMILY_WROTE = {
    AuditEvent.Action.FAMILY_REPLIED,
    AuditEvent.Action.FAMILY_ANSWERED,
    AuditEvent.Action.FAMILY_UPLOADED,
}


@receiver(case_event, dispatch_uid="assessments.audit.family_event")
def record_family_event(sender, *, case, action, ip=None, detail=None, **kwargs):
    """Family-side events, sent inside the family's transaction: record them, and bring news to staff."""
    record(action, case=case, ip=ip, detail=detail)
    if action in FAMILY_WROTE:
        from assessments.actions import family_wrote

        family_wrote(case=case, action=action)
