"""Finding a case the family may have sent before. At submission the new case is compared with the
open cases: the same contact email, or the same patient (first name or initials, age or year of
birth, diagnosis and postal code). A likely duplicate is never refused: it is linked to the earliest
such case and flagged for a coordinator, who merges the two or says they are different
(assessments/duplicates.py)."""

from django.db.models import Func, Q, Value
from django.db.models.functions import Lower

from intake.models import Case, PossibleDuplicate
from intake.signals import case_event

Reason = PossibleDuplicate.Reason


def _squeezed(value: str) -> str:
    """Letters and digits only: "J.L.", "j l" and "JL" are the same initials, "43 210" is "43210"."""
    return "".join(c for c in (value or "").lower() if c.isalnum())


def _same_age(a: Case, b: Case) -> bool:
    if a.patient_age is not None and b.patient_age is not None:
        return a.patient_age == b.patient_age
    if a.patient_birth_year and b.patient_birth_year:
        return a.patient_birth_year == b.patient_birth_year
    # An age beside a year of birth: a birthday may fall between, so a year either way matches.
    age_a, age_b = a.age, b.age
    return age_a is not None and age_b is not None and abs(age_a - age_b) <= 1


def same_patient(a: Case, b: Case) -> bool:
    return (
        bool(_squeezed(a.patient_name))
        and _squeezed(a.patient_name) == _squeezed(b.patient_name)
        and _same_age(a, b)
        and a.diagnosis == b.diagnosis
        and bool(_squeezed(a.postal_code))
        and _squeezed(a.postal_code) == _squeezed(b.postal_code)
    )


def reasons_for(case: Case, other: Case) -> list[str]:
    reasons = []
    if case.contact_email and case.contact_email.lower() == (other.contact_email or "").lower():
        reasons.append(Reason.SAME_EMAIL)
    if same_patient(case, other):
        reasons.append(Reason.SAME_PATIENT)
    return reasons


def find_earlier(case: Case) -> tuple[Case, list[str]] | None:
    """The earliest open case this one may repeat, with the reasons, or None. One query: by the
    contact email's index, or by diagnosis and postal code; the patient is compared here."""
    same_email = Q(email=(case.contact_email or "").lower())
    same_place = Q(diagnosis=case.diagnosis, postal=_squeezed(case.postal_code))
    squeezed_postal = Func(
        Lower("postal_code"), Value("[^a-z0-9]"), Value(""), Value("g"), function="regexp_replace"
    )
    candidates = (
        Case.objects.alias(email=Lower("contact_email"), postal=squeezed_postal)
        .filter(same_email | same_place if _squeezed(case.postal_code) else same_email)
        .exclude(status=Case.Status.CLOSED)
        .exclude(pk=case.pk)
        .filter(purged_at__isnull=True, submitted_at__lte=case.submitted_at)
        .order_by("submitted_at", "pk")
    )
    for other in candidates:
        reasons = reasons_for(case, other)
        if reasons:
            return other, reasons
    return None


def flag_if_duplicate(case: Case, *, ip: str | None = None) -> PossibleDuplicate | None:
    """Link a new case to the earlier one it may repeat. Call it inside the submission's transaction."""
    found = find_earlier(case)
    if found is None:
        return None
    earlier, reasons = found
    flag = PossibleDuplicate.objects.create(case=case, earlier=earlier, reasons=reasons)
    detail = {"earlier": earlier.reference, "reasons": reasons}
    case_event.send(sender=Case, case=case, action="duplicate_flagged", ip=ip, detail=detail)
    return flag
