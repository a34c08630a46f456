from django.conf import settings
from django.db import models
from django.utils import timezone

from intake.models import Case, ReportOption


class AuditEvent(models.Model):
    """Who did what to which case, and when. Append-only: the application never updates or deletes
    these rows, and a database trigger refuses it (see migration 0002). Links to users and cases are
    kept without foreign-key constraints so that erasing a case leaves its trail in place."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Case submitted"
        VIEWED_CASE = "viewed_case", "Case viewed"
        VIEWED_DOCUMENT = "viewed_document", "Document opened"
        DOCUMENT_HELD_BACK = "document_held_back", "Document not opened: not scanned clean"
        UPLOAD_REFUSED = "upload_refused", "File refused: the virus scanner found something harmful"
        TRIAGED = "triaged", "Triaged"
        CLAIMED = "claimed", "Claimed"
        ASSIGNED = "assigned", "Assigned"
        RELEASED = "released", "Released to the queue"
        STATUS_CHANGED = "status_changed", "Status changed"
        NOTE_ADDED = "note_added", "Internal note added"
        INFO_REQUESTED = "info_requested", "Question sent to the family"
        MESSAGE_SENT = "message_sent", "Message sent to the family"
        REPORT_SAVED = "report_saved", "Report draft saved"
        REPORT_SUBMITTED = "report_submitted", "Report sent for approval"
        REPORT_APPROVED = "report_approved", "Report approved"
        REPORT_SENT = "report_sent", "Report sent to the family"
        EXPORTED = "exported", "Exported"
        FAMILY_VIEWED = "family_viewed", "Family opened their case page"
        FAMILY_CODE_SENT = "family_code_sent", "One-time code sent to the family"
        FAMILY_REPLIED = "family_replied", "Family sent a message"
        FAMILY_ANSWERED = "family_answered", "Family answered a question"
        FAMILY_UPLOADED = "family_uploaded", "Family added documents"
        FAMILY_VIEWED_REPORT = "family_viewed_report", "Family downloaded the report"
        LINK_REISSUED = "link_reissued", "New private link sent"
        DELETION_REQUESTED = "deletion_requested", "Family asked for deletion"
        DELETION_CANCELLED = "deletion_cancelled", "Family cancelled the deletion request"
        ERASED = "erased", "Case and files deleted"
        ELIGIBILITY_JUDGED = "eligibility_judged", "Eligibility for a study judged"
        OPTION_ADDED = "option_added", "Study added to the report"
        # A family's data from first answer to deletion (issue 15).
        RESUME_LINK_SENT = "resume_link_sent", "Link to finish the form later sent"
        DRAFT_CODE_SENT = "draft_code_sent", "One-time code sent to finish the form"
        DRAFT_RESUMED = "draft_resumed", "Unfinished form opened with a resume link"
        CONSENT_CHANGED = "consent_changed", "Consent given or withdrawn"
        SHARE_PROPOSED = "share_proposed", "Family asked to agree to share a summary"
        SUMMARY_SHARED = "summary_shared", "Summary without names made for a partner (family agreed)"
        DUPLICATE_FLAGGED = "duplicate_flagged", "Flagged as a possible duplicate"
        DUPLICATE_MERGED = "duplicate_merged", "Duplicate case merged in"
        CLOSED_AS_DUPLICATE = "closed_as_duplicate", "Closed as a duplicate"
        NOT_DUPLICATE = "not_duplicate", "Marked as not a duplicate"
        LEGAL_HOLD_PLACED = "legal_hold_placed", "Legal hold placed"
        LEGAL_HOLD_RELEASED = "legal_hold_released", "Legal hold released"
        PURGED = "purged", "Personal and health details removed (retention period over)"
        # Staff sign-in: security events, not tied to a case.
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        LOCKED_OUT = "locked_out", "Locked out after wrong passwords"
        SECOND_FACTOR_LOCKED = "second_factor_locked", "Second factor locked after wrong codes"
        UNLOCKED = "unlocked", "Lockout lifted"
        SECOND_FACTOR_ENROLLED = "second_factor_enrolled", "Second factor set up"
        SECOND_FACTOR_RESET = "second_factor_reset", "Second factor reset"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", "New recovery codes made"
        REAUTHENTICATED = "reauthenticated", "Identity confirmed for a sensitive action"
        SIGNED_OUT = "signed_out", "Signed out"
        SESSION_EXPIRED = "session_expired", "Signed out by the session time limit"
        SESSIONS_ENDED = "sessions_ended", "All sessions of an account ended"

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Who it was in words, kept as it was then: a username, "family" or "system".
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=30, choices=Action.choices)
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_events",
    )
    case_reference = models.CharField(max_length=12, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["case", "at"], name="audit_case_time"),
            models.Index(fields=["at"], name="audit_time"),
            models.Index(fields=["actor", "at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_label}"


class Note(models.Model):
    """An internal note on a case. Never shown to the family."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note on {self.case_id}"


class Snippet(models.Model):
    """Reusable text for reports: a paragraph for one section, or a whole option block."""

    class Kind(models.TextChoices):
        PARAGRAPH = "paragraph", "Paragraph"
        OPTION = "option", "Option block"

    class Section(models.TextChoices):
        UNDERSTANDING = "understanding", "What we understood"
        QUESTIONS = "questions", "Questions to ask your care team"
        NEXT_STEPS = "next_steps", "Next steps"

    title = models.CharField(max_length=120, help_text="What reviewers see in the list.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PARAGRAPH)
    section = models.CharField(
        max_length=20, choices=Section.choices, blank=True, help_text="For paragraphs: where the text goes."
    )
    body = models.TextField(blank=True, help_text="For paragraphs: the text.")
    option_kind = models.CharField(max_length=20, choices=ReportOption.Kind.choices, blank=True)
    option_title = models.CharField(max_length=200, blank=True)
    what_it_is = models.TextField(blank=True)
    why_it_may_fit = models.TextField(blank=True)
    what_to_ask = models.TextField(blank=True)
    identifier = models.CharField(max_length=60, blank=True)
    link = models.URLField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="paragraph") | ~models.Q(section=""),
                name="snippet_paragraph_has_section",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def as_option(self) -> dict:
        return {
            "kind": self.option_kind or ReportOption.Kind.OTHER,
            "title": self.option_title,
            "what_it_is": self.what_it_is,
            "why_it_may_fit": self.why_it_may_fit,
            "what_to_ask": self.what_to_ask,
            "identifier": self.identifier,
            "link": self.link,
        }


class LegalHold(models.Model):
    """A supervisor's hold on a case: while it stands, retention never purges the case, and a
    deletion request waits. Placing and releasing it are in the audit trail with the reason."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="legal_hold")
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Legal hold on {self.case_id}"


class HousekeepingRun(models.Model):
    """When a housekeeping task that runs less often than housekeeping itself (daily) last finished."""

    task = models.CharField(max_length=60, unique=True)
    finished_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.task


class UpcomingPurge(Case):
    """Closed cases waiting for the end of their retention period, for supervisors in the admin."""

    class Meta:
        proxy = True
        verbose_name = "upcoming purge"
        verbose_name_plural = "upcoming purges"
