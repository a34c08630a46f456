"""Proposing to share a summary without names with a named partner. The family answers each proposal
on their private page (intake/lifecycle/consents.py); nothing is assumed."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.actions import ActionRefused, _email_family_update, _lock
from assessments.audit import record
from assessments.models import AuditEvent
from intake.models import Case, ShareRequest


def propose_share(*, case: Case, by: User, partner: str, purpose: str, request=None) -> ShareRequest:
    partner, purpose = partner.strip(), purpose.strip()
    if not partner or not purpose:
        raise ActionRefused("Name the partner and say why we would share the summary.")
    with transaction.atomic():
        case = _lock(case)
        if case.status == Case.Status.CLOSED:
            raise ActionRefused("Reopen the case before asking the family about sharing.")
        share = ShareRequest.objects.create(case=case, partner=partner, purpose=purpose, proposed_by=by)
        _email_family_update(
            case,
            kind="share_request",
            subject=_("A question for you about case %(reference)s") % {"reference": case.reference},
            what=_("a request for your permission"),
        )
        # The trail outlives the case (retention keeps it): the partner and the reason stay on the row,
        # which goes with the case; the trail names the share only.
        record(
            AuditEvent.Action.SHARE_PROPOSED,
            case=case,
            actor=by,
            request=request,
            detail={"share": str(share.id)},
        )
    return share
