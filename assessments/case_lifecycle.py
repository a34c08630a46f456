"""What the reviewer's case page shows of the case's lifecycle: consents and shares, a possible
duplicate, legal hold and the day of its purge."""

from assessments import retention
from assessments.duplicates import open_flag
from assessments.forms import LegalHoldForm, ShareProposalForm
from intake.lifecycle import consents
from intake.models import Case, PossibleDuplicate


def case_panel(user, case: Case, **forms) -> dict:
    State = PossibleDuplicate.State
    merged_into = case.duplicate_flags.filter(state=State.MERGED).select_related("earlier").first()
    legal_hold = getattr(case, "legal_hold", None)
    return {
        "consents": consents.current(case),
        "shares": list(case.share_requests.select_related("proposed_by")),
        "share_form": forms.get("share_form") or ShareProposalForm(),
        "duplicate_flag": open_flag(case),
        "merged_into": merged_into,
        "later_duplicates": list(
            case.later_duplicates.filter(state=State.OPEN).select_related("case").only("case__reference")
        ),
        "legal_hold": legal_hold,
        "can_hold": user.has_perm("intake.hold_case"),
        "hold_form": forms.get("hold_form") or LegalHoldForm(releasing=legal_hold is not None),
        "purge_on": retention.purge_on(case)
        if case.status == Case.Status.CLOSED and not case.purged_at
        else None,
    }
