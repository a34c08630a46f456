"""Sharing a summary without names with a named partner. A reviewer proposes it; the family answers
each proposal on their private page (intake/lifecycle/consents.py); the summary can be made only while
the family's yes to that share stands. Nothing is assumed."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from assessments.actions import ActionRefused, _email_family_update, _lock
from assessments.audit import record
from assessments.models import AuditEvent
from config.pdf import render_pdf
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
        _email_family_update(case, kind="share_request")
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


def make_shared_summary(*, share: ShareRequest, by: User, request=None) -> bytes:
    """The summary without names for this share's partner, as a PDF, recorded; refused without the
    family's consent in force."""
    with transaction.atomic():
        share = ShareRequest.objects.select_for_update().select_related("case").get(pk=share.pk)
        if not share.may_share:
            raise ActionRefused(f"The family has not agreed to share a summary with {share.partner}.")
        if share.shared_at is None:
            share.shared_at = timezone.now()
            share.save(update_fields=["shared_at"])
        record(
            AuditEvent.Action.SUMMARY_SHARED,
            case=share.case,
            actor=by,
            request=request,
            detail={"share": str(share.id)},
        )
    case = share.case
    context = {
        "case": case,
        "share": share,
        "treatments": case.treatments.all(),
        "generated_at": timezone.now(),
    }
    return render_pdf("assessments/share_summary_pdf.html", context, request=request)
