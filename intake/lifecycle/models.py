"""Rows for the lifecycle of a family's data. They belong to the intake app (intake.models imports
them), beside the code that uses them in this package."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from intake.links import SignedLink


class DraftLink(SignedLink, models.Model):
    """A private link that opens an unfinished case form in any browser, after a one-time code sent
    to the same address. The URL carries a signed token naming this row; it works while the draft
    lives (drafts expire INTAKE_DRAFT_EXPIRY_DAYS after their last change, taking their links along)."""

    SALT = "intake.resume-link"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    draft = models.ForeignKey("intake.Draft", on_delete=models.CASCADE, related_name="links")
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "intake"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Resume link {self.id}"

    @classmethod
    def from_token(cls, token: str) -> "DraftLink | None":
        link_id = cls.id_from_token(token)
        if link_id is None:
            return None
        return cls.objects.select_related("draft").filter(id=link_id).first()


class ShareRequest(models.Model):
    """A reviewer's proposal to share a summary without names or contact details with one named
    partner (a hospital or a trial team). Nothing is shared unless the family says yes to this one."""

    class State(models.TextChoices):
        ASKED = "asked", "Waiting for the family's answer"
        AGREED = "agreed", "The family agreed"
        DECLINED = "declined", "The family said no"
        WITHDRAWN = "withdrawn", "The family withdrew their consent"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("intake.Case", on_delete=models.CASCADE, related_name="share_requests")
    partner = models.CharField("partner hospital or trial team", max_length=200)
    purpose = models.CharField("why we would share", max_length=500)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ASKED)
    answered_at = models.DateTimeField(null=True, blank=True)
    # When a reviewer first took the summary to send, which only the family's yes allows.
    shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "intake"
        ordering = ["case", "proposed_at"]

    def __str__(self) -> str:
        return f"Share request {self.id}"

    @property
    def may_share(self) -> bool:
        return self.state == self.State.AGREED


class ConsentRecord(models.Model):
    """One consent decision for one purpose: given or withdrawn, with the version of the words the
    person saw, when, and from which address. Every change adds a row; the newest row of a purpose
    (of a share, for shares) is the consent in force. See intake/lifecycle/consents.py."""

    class Purpose(models.TextChoices):
        STORE_CASE = "store_case", "Storing the case"
        REVIEWERS_READ = "reviewers_read", "Reviewers reading it"
        RESEARCH_CONTACT = "research_contact", "Contact about research studies"
        SHARE_SUMMARY = "share_summary", "Sharing a summary without names"

    class Via(models.TextChoices):
        CASE_FORM = "case_form", "On the case form"
        FAMILY_PAGE = "family_page", "On the family's private page"
        DELETION_REQUEST = "deletion_request", "By asking for the case to be deleted"
        DELETION_CANCELLED = "deletion_cancelled", "By cancelling the deletion request"

    case = models.ForeignKey("intake.Case", on_delete=models.CASCADE, related_name="consent_records")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    share = models.ForeignKey(
        ShareRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="consent_records"
    )
    given = models.BooleanField()
    text_version = models.CharField(max_length=20)
    via = models.CharField(max_length=20, choices=Via.choices)
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    class Meta:
        app_label = "intake"
        ordering = ["case", "at", "pk"]
        indexes = [models.Index(fields=["case", "purpose", "at"], name="consent_record_current")]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose="share_summary", share__isnull=False)
                | (~Q(purpose="share_summary") & Q(share__isnull=True)),
                name="consent_record_share_only_for_sharing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({'given' if self.given else 'withdrawn'}) for {self.case_id}"


class PossibleDuplicate(models.Model):
    """A newer case that looks like an earlier open one (same contact email, or the same patient).

    Found at submission; never a reason to refuse a case. A coordinator merges the two or says they
    are different; either way the row stays as the record of that decision."""

    class State(models.TextChoices):
        OPEN = "open", "Possible duplicate"
        MERGED = "merged", "Merged into the earlier case"
        NOT_DUPLICATE = "not_duplicate", "Not a duplicate"

    class Reason(models.TextChoices):
        SAME_EMAIL = "same_email", "the same contact email"
        SAME_PATIENT = "same_patient", "the same patient (name or initials, age, diagnosis, postal code)"

    case = models.ForeignKey("intake.Case", on_delete=models.CASCADE, related_name="duplicate_flags")
    earlier = models.ForeignKey("intake.Case", on_delete=models.CASCADE, related_name="later_duplicates")
    reasons = ArrayField(models.CharField(max_length=20, choices=Reason.choices))
    found_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=15, choices=State.choices, default=State.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        app_label = "intake"
        ordering = ["-found_at"]
        constraints = [
            # The queue shows one "possible duplicate of …" per case.
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="open"), name="duplicate_one_open_per_case"
            ),
            models.CheckConstraint(condition=~Q(case=F("earlier")), name="duplicate_not_itself"),
        ]

    def __str__(self) -> str:
        return f"Possible duplicate {self.pk}"

    def reason_labels(self) -> list[str]:
        labels = dict(self.Reason.choices)
        return [labels.get(reason, reason) for reason in self.reasons]
