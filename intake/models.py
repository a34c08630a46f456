import secrets
import uuid
from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from intake import clock, diagnoses
from intake.clock import add_business_days
from intake.links import SignedLink

# Reference codes avoid characters that look alike when read aloud or written down (0/O, 1/I/L).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CA-{chars[:4]}-{chars[4:]}"


class Case(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        TRIAGED = "triaged", "Triaged"
        IN_REVIEW = "in_review", "In review"
        WAITING_ON_FAMILY = "waiting_on_family", "Waiting on family"
        REPORT_SENT = "report_sent", "Report sent"
        CLOSED = "closed", "Closed"

    class Urgency(models.IntegerChoices):
        # Integers so that "most urgent first" is a plain ascending sort on an index.
        URGENT = 1, "Urgent"
        HIGH = 2, "High"
        ROUTINE = 3, "Routine"

    class Relationship(models.TextChoices):
        SELF = "self", _("I am the patient")
        PARENT = "parent", _("Parent")
        SPOUSE = "spouse", _("Spouse or partner")
        ADULT_CHILD = "adult_child", _("Adult child")
        RELATIVE = "relative", _("Other relative")
        FRIEND = "friend", _("Friend")
        OTHER = "other", _("Other")

    class ContactPreference(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone call")
        TEXT = "text", _("Text message")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish (Español)")
        CHINESE = "zh", _("Chinese (中文)")
        VIETNAMESE = "vi", _("Vietnamese (Tiếng Việt)")
        ARABIC = "ar", _("Arabic (العربية)")
        FRENCH = "fr", _("French (Français)")
        PORTUGUESE = "pt", _("Portuguese (Português)")
        RUSSIAN = "ru", _("Russian (Русский)")
        OTHER = "other", _("Another language")

    class WrittenLanguage(models.TextChoices):
        # The languages our pages and emails are written in (settings.LANGUAGES), named for staff.
        ENGLISH = "en", "English"
        SPANISH = "es", "Spanish"

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        INTERSEX = "intersex", _("Intersex")
        UNKNOWN = "unknown", _("Prefer not to say")

    class Travel(models.TextChoices):
        LOCAL = "local", _("Only close to home")
        REGION = "region", _("Within our region or state")
        COUNTRY = "country", _("Anywhere in the country")
        ABROAD = "abroad", _("Abroad too")

    class DiseaseStatus(models.TextChoices):
        NEW = "new", _("Newly diagnosed")
        IN_TREATMENT = "in_treatment", _("In treatment now")
        REMISSION = "remission", _("In remission (no signs of disease)")
        RELAPSED = "relapsed", _("It came back (relapsed)")
        REFRACTORY = "refractory", _("It is not responding to treatment (refractory)")
        UNSURE = "unsure", _("Not sure")

    class Condition(models.IntegerChoices):
        # The ECOG performance scale, 0 to 4, in words a family would use.
        ECOG_0 = 0, _("Fully active, able to do everything as before the illness")
        ECOG_1 = 1, _("Cannot do hard physical work, but is up and about and can do light work")
        ECOG_2 = (
            2,
            _("Up and about more than half of the day and can take care of themselves, but cannot work"),
        )
        ECOG_3 = 3, _("In bed or a chair more than half of the day and needs some help with self-care")
        ECOG_4 = 4, _("In bed or a chair all day and needs help with all self-care")

    class Goal(models.TextChoices):
        TRIALS = "trials", _("Clinical trials")
        EXPANDED_ACCESS = "expanded_access", _("Expanded access or compassionate use")
        SECOND_OPINION = "second_opinion", _("A second opinion")
        UNDERSTAND = "understand", _("Help understanding the options")
        OTHER = "other", _("Something else")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "Answered (a report was sent)"
        DUPLICATE = "duplicate", "Closed as a duplicate"
        UNANSWERED = "unanswered", "Closed without a report"

    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    # The draft this case was submitted from. Unique, so a retried submit cannot make a second case.
    submission_key = models.UUIDField(unique=True, editable=False)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)

    # About the person writing to us
    contact_name = models.CharField("name", max_length=200)
    contact_email = models.EmailField("email")
    contact_phone = models.CharField("phone", max_length=40, blank=True)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    contact_preference = models.CharField(max_length=10, choices=ContactPreference.choices)
    preferred_language = models.CharField(max_length=10, choices=Language.choices, default=Language.ENGLISH)
    # The language of our emails and of their private page, set when the case is submitted (see
    # intake/languages.py): their preferred language when we write in it, else the form's language.
    language = models.CharField(
        "language we write in", max_length=5, choices=WrittenLanguage.choices, default=WrittenLanguage.ENGLISH
    )

    # The patient: first name or initials only, by design
    patient_name = models.CharField("patient's first name or initials", max_length=60)
    patient_age = models.PositiveSmallIntegerField(null=True, blank=True)
    patient_birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sex_at_birth = models.CharField(max_length=10, choices=Sex.choices)
    country = CountryField()
    region = models.CharField("state or region", max_length=100, blank=True)
    postal_code = models.CharField("ZIP or postal code", max_length=20, blank=True)
    travel = models.CharField("how far they could travel", max_length=10, choices=Travel.choices)

    # Diagnosis
    diagnosis = models.CharField(max_length=30, choices=diagnoses.grouped_choices())
    diagnosis_other = models.CharField("other diagnosis", max_length=200, blank=True)
    # Null only once a closed case has been purged (assessments/retention.py); the form requires it.
    diagnosed_on = models.DateField(
        "month of diagnosis", null=True, blank=True, help_text="Stored as the first of the month."
    )
    disease_status = models.CharField(max_length=20, choices=DiseaseStatus.choices)
    genetic_results = models.TextField("genetic or molecular test results", blank=True)
    treating_center = models.CharField("treating hospital or doctor", max_length=200, blank=True)

    # Now and what the family hopes for
    condition = models.PositiveSmallIntegerField(
        "day-to-day condition", choices=Condition.choices, null=True, blank=True
    )
    goals = ArrayField(models.CharField(max_length=20, choices=Goal.choices), default=list)
    goals_other = models.CharField("other goal", max_length=200, blank=True)
    urgency_in_own_words = models.TextField(blank=True)
    anything_else = models.TextField(blank=True)

    # Triage and workflow (changed only through assessments.actions)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    status_changed_at = models.DateTimeField(default=timezone.now)
    suggested_urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    urgency_reasons = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    triaged_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    # The response clock (intake/clock.py): first answer due by urgency, in working days, paused while
    # we wait on the family; paused_seconds is the working time it stood still.
    response_due_at = models.DateTimeField()
    clock_paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    first_response_at = models.DateTimeField(null=True, blank=True)
    # Working days it took, counted by the clock when it happened (the dashboard sums these).
    triage_working_days = models.FloatField(null=True, blank=True, editable=False)
    first_answer_working_days = models.FloatField(null=True, blank=True, editable=False)
    first_answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Set when a family message or answer has not been read by a reviewer yet.
    family_replied_at = models.DateTimeField(null=True, blank=True)

    search_document = SearchVectorField(null=True, editable=False)

    # Retention (assessments/retention.py): when a closed case's personal and health details were
    # removed, and how it ended, kept for the statistics with the dates, diagnosis and urgency.
    purged_at = models.DateTimeField(null=True, blank=True, editable=False)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, editable=False)

    class Meta:
        ordering = ["urgency", "submitted_at"]
        indexes = [
            models.Index(fields=["urgency", "submitted_at"], name="case_queue_order"),
            models.Index(fields=["status", "urgency", "submitted_at"], name="case_status_queue"),
            models.Index(fields=["assigned_to", "urgency", "submitted_at"], name="case_assignee_queue"),
            models.Index(fields=["response_due_at"], name="case_response_due"),
            # Covers the queue's tab counts, so they are read from the index without the table.
            models.Index(fields=["status", "assigned_to"], name="case_status_assignee"),
            models.Index(fields=["diagnosis"], name="case_diagnosis"),
            # The dashboard's figures for a period, each read from an index alone (no table rows).
            models.Index(
                fields=["submitted_at"],
                include=["urgency", "preferred_language", "diagnosis"],
                name="case_intake",
            ),
            models.Index(
                fields=["triaged_at"],
                include=["urgency", "triage_working_days"],
                condition=Q(triaged_at__isnull=False),
                name="case_triaged",
            ),
            models.Index(
                fields=["first_response_at"],
                include=["urgency", "response_due_at", "first_answer_working_days", "first_answered_by"],
                condition=Q(first_response_at__isnull=False),
                name="case_first_answer",
            ),
            models.Index(
                fields=["status_changed_at"],
                condition=Q(status="waiting_on_family"),
                name="case_waiting_since",
            ),
            # Cases whose clock is running: "overdue" and "due soon" are ranges of this index.
            models.Index(
                fields=["response_due_at"],
                condition=Q(first_response_at__isnull=True, clock_paused_at__isnull=True)
                & ~Q(status="closed"),
                name="case_clock_running",
            ),
            GinIndex(fields=["search_document"], name="case_search"),
            # Duplicate checks at submission look cases up by contact email, whatever its case.
            models.Index(Lower("contact_email"), name="case_contact_email"),
            # Closed cases still to purge, oldest closing first.
            models.Index(
                fields=["status_changed_at"],
                condition=Q(status="closed", purged_at__isnull=True),
                name="case_purge_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(patient_age__isnull=False)
                | Q(patient_birth_year__isnull=False)
                | Q(purged_at__isnull=False),
                name="case_patient_age_or_birth_year",
            ),
            models.CheckConstraint(condition=Q(condition__lte=4), name="case_condition_is_ecog"),
        ]
        permissions = [
            ("work_queue", "Can work the review queue"),
            ("triage_case", "Can triage cases"),
            ("assign_case", "Can assign cases to anyone"),
            ("view_all_cases", "Can open every case"),
            ("export_cases", "Can export case data"),
            ("approve_report", "Can approve reports"),
            ("erase_case", "Can carry out deletion requests"),
            ("view_dashboard", "Can see the service dashboard"),
            ("hold_case", "Can put cases on legal hold and see upcoming purges"),
        ]

    def __str__(self) -> str:
        return self.reference

    def validate_constraints(self, exclude=None):
        # The forms state these rules in plain words; the database enforces them on save. Checking
        # them here as well would cost a query per rule on every page of the form.
        pass

    @property
    def diagnosis_label(self) -> str:
        if self.diagnosis == "other" and self.diagnosis_other:
            return _("Other: %(diagnosis)s") % {"diagnosis": self.diagnosis_other}
        return str(diagnoses.LABELS.get(self.diagnosis, self.diagnosis))

    @property
    def diagnosis_group(self) -> str:
        return diagnoses.GROUP_OF.get(self.diagnosis, diagnoses.DiagnosisGroup.OTHER)

    @property
    def age(self) -> int | None:
        if self.patient_age is not None:
            return self.patient_age
        if self.patient_birth_year:
            return timezone.localdate(self.submitted_at).year - self.patient_birth_year
        return None

    def goal_labels(self) -> list[str]:
        labels = dict(self.Goal.choices)
        return [str(labels.get(goal, goal)) for goal in self.goals]

    def suggest_urgency(self) -> tuple[int, list[str]]:
        """Urgency from the answers, with the reasons a coordinator sees when triaging."""
        # The reasons are kept for staff, who read English, whatever language the family used.
        with translation.override("en"):
            return self._suggest_urgency()

    def _suggest_urgency(self) -> tuple[int, list[str]]:
        score, reasons = 0, []
        if self.disease_status in (self.DiseaseStatus.RELAPSED, self.DiseaseStatus.REFRACTORY):
            score += 2
            reasons.append(f"Disease status: {self.get_disease_status_display()}")
        if self.diagnosis in diagnoses.AGGRESSIVE:
            score += 1
            reasons.append("Usually fast-moving diagnosis")
        condition = self.condition or 0  # none only once a closed case has been purged
        if condition >= 3:
            score += 2
            reasons.append("Poor day-to-day condition (ECOG 3-4)")
        elif condition == 2:
            score += 1
            reasons.append("Limited day-to-day condition (ECOG 2)")
        age = self.age
        if age is not None and age < 18:
            score += 1
            reasons.append("Child or teenager")
        words = f"{self.urgency_in_own_words} {self.anything_else}".lower()
        if any(phrase in words for phrase in URGENT_PHRASES):
            score += 2
            reasons.append("The family's own words describe an urgent situation")
        if score >= 4:
            return self.Urgency.URGENT, reasons
        if score >= 2:
            return self.Urgency.HIGH, reasons
        return self.Urgency.ROUTINE, reasons or ["No urgent signs in the answers"]

    def measure_response_clock(self) -> None:
        """Keep the working days to triage and to the first answer, once those have happened."""
        if self.triaged_at:
            self.triage_working_days = clock.days_between(self.submitted_at, self.triaged_at)
        if self.first_response_at:
            self.first_answer_working_days = clock.days_between(
                self.submitted_at, self.first_response_at, paused_seconds=self.paused_seconds
            )

    def reset_response_clock(self) -> None:
        days = settings.RESPONSE_BUSINESS_DAYS[self.Urgency(self.urgency).name.lower()]
        self.response_due_at = add_business_days(self.submitted_at, days, paused_seconds=self.paused_seconds)


URGENT_PHRASES = (
    "urgent",
    "emergency",
    "hospice",
    "icu",
    "intensive care",
    "days to live",
    "weeks to live",
    "running out of time",
    "no time",
    "palliative",
    "end of life",
    "dying",
)


def search_text(case: Case, treatment_names: list[str], extra: list[str] | tuple = ()) -> str:
    """What the reviewers' free-text search looks through. Never names or contact details."""
    with translation.override("en"):  # indexed as English, whatever language the family used
        parts = [case.reference, case.diagnosis_label, case.diagnosis_other, case.genetic_results]
    return " ".join(p for p in [*parts, *treatment_names, *extra] if p)


def refresh_search_documents(texts: dict[int, str]) -> None:
    """Store the full-text search vectors for several cases in one statement."""
    if not texts:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE intake_case AS c SET search_document = to_tsvector('english', d.txt) "
            "FROM unnest(%s::bigint[], %s::text[]) AS d(id, txt) WHERE c.id = d.id",
            [list(texts.keys()), list(texts.values())],
        )


class Treatment(models.Model):
    class Kind(models.TextChoices):
        CHEMOTHERAPY = "chemotherapy", _("Chemotherapy")
        IMMUNOTHERAPY = "immunotherapy", _("Immunotherapy")
        CAR_T = "car_t", _("CAR-T cell therapy")
        TRANSPLANT = "transplant", _("Stem cell or bone marrow transplant")
        RADIATION = "radiation", _("Radiation")
        SURGERY = "surgery", _("Surgery")
        TARGETED = "targeted", _("Targeted therapy")
        TRIAL = "trial", _("Clinical trial")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        WORKED = "worked", _("It worked")
        PARTLY = "partly", _("It partly worked")
        DID_NOT_WORK = "did_not_work", _("It did not work")
        TOO_EARLY = "too_early", _("Too early to tell")
        UNSURE = "unsure", _("Not sure")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="treatments")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField("name, if known", max_length=200, blank=True)
    started_on = models.DateField("start month", null=True, blank=True)
    ended_on = models.DateField("end month", null=True, blank=True)
    outcome = models.CharField("how it went", max_length=20, choices=Outcome.choices)

    class Meta:
        ordering = ["case", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="treatment_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_kind_display()}"

    def validate_constraints(self, exclude=None):
        pass  # as for Case: the form says it in words, the database enforces it


class Draft(models.Model):
    """A case being filled in. Its answers live here, keyed by step, until it is submitted.

    The draft's id is kept in the family's session, so a reload, the back button or a closed tab in
    the same browser picks it up again; a resume link (DraftLink) opens it in another browser.
    Unsubmitted drafts expire INTAKE_DRAFT_EXPIRY_DAYS after their last change (see expire_drafts).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    answers = models.JSONField(default=dict, blank=True)
    # Per page: how many times it was saved, by which browser and when, so a browser that saves a
    # page someone changed elsewhere since it was shown can say so (intake/lifecycle/resume.py).
    page_saves = models.JSONField(default=dict, blank=True, editable=False)
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="draft")

    def __str__(self) -> str:
        return f"Draft {self.id}"


class Consent(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="consent")
    version = models.CharField(max_length=20)
    privacy_notice = models.BooleanField()
    reviewers_may_read = models.BooleanField()
    research_contact = models.BooleanField(default=False)
    agreed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["ip_address", "agreed_at"], name="consent_rate_limit")]
        constraints = [
            models.CheckConstraint(
                condition=Q(privacy_notice=True, reviewers_may_read=True), name="consent_required_parts_given"
            ),
        ]

    def __str__(self) -> str:
        return f"Consent {self.version} for case {self.case_id}"


class FamilyLink(SignedLink, models.Model):
    """The family's private link. The URL carries a signed token naming this row; revoking the row
    kills the link, and a new row is a fresh link."""

    SALT = "intake.family-link"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="family_links")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Link {self.id}"

    @classmethod
    def from_token(cls, token: str) -> "FamilyLink | None":
        link_id = cls.id_from_token(token)
        if link_id is None:
            return None
        return cls.objects.select_related("case").filter(id=link_id, revoked_at__isnull=True).first()


class OutboundEmail(models.Model):
    """The email outbox. Rows are written in the same transaction as the change that causes them and
    delivered by `manage.py send_outbox`, so a mail server that is down loses nothing."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    created_at = models.DateTimeField(default=timezone.now)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails")
    # Emails about an unfinished form (its resume link and codes): they go with the draft when it
    # expires, and pass to the case when it is sent, so they are erased or purged with it.
    draft = models.ForeignKey(Draft, null=True, blank=True, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=40)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="outbox_pending_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} email {self.pk}"


def month_start(value: date | None) -> date | None:
    return value.replace(day=1) if value else None


class Report(models.Model):
    """One version of the plain-language report for a case.

    Reviewers edit the one unsent version; sending freezes it. Later edits start a new version, so the
    family always sees exactly the versions they were sent.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    version = models.PositiveSmallIntegerField()
    understanding = models.TextField("what we understood about the situation", blank=True)
    questions = models.TextField("questions to ask your care team", blank=True)
    next_steps = models.TextField("next steps", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_for_approval_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "-version"]
        indexes = [models.Index(fields=["sent_by", "sent_at"], name="report_sender_time")]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="report_version_unique"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(sent_at__isnull=True), name="report_one_draft_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"Report v{self.version} for case {self.case_id}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class ReportOption(models.Model):
    class Kind(models.TextChoices):
        TRIAL = "trial", _("Clinical trial")
        EXPANDED_ACCESS = "expanded_access", _("Expanded access or compassionate use program")
        APPROVED = "approved", _("Approved treatment")
        SECOND_OPINION = "second_opinion", _("Second opinion")
        SUPPORTIVE = "supportive", _("Supportive care")
        OTHER = "other", _("Other")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRIAL)
    title = models.CharField(max_length=200, blank=True)
    what_it_is = models.TextField("what it is, in plain words", blank=True)
    why_it_may_fit = models.TextField("why it may fit", blank=True)
    what_to_ask = models.TextField("what to ask the doctor", blank=True)
    where = models.TextField("where it is offered", blank=True, help_text="Nearest sites, with distance.")
    contact = models.TextField("who to contact", blank=True)
    identifier = models.CharField("identifier (NCT number or program ID)", max_length=60, blank=True)
    link = models.URLField(blank=True)

    class Meta:
        ordering = ["report", "position", "pk"]

    def __str__(self) -> str:
        return f"Option {self.position} of report {self.report_id}"


class Message(models.Model):
    """The thread between the family and the reviewers. Internal notes are elsewhere, never here."""

    class Sender(models.TextChoices):
        FAMILY = "family", "Family"
        REVIEWER = "reviewer", "Reviewer"

    class Kind(models.TextChoices):
        MESSAGE = "message", "Message"
        QUESTION = "question", "Request for more information"
        ANSWER = "answer", "Answer to a request"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=10, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    body = models.TextField()
    answers = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # For family messages: when a reviewer first saw it; until then it is highlighted for them.
    seen_by_staff_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="message_case_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.sender} on case {self.case_id}"


class AccessCode(models.Model):
    """A one-time code emailed to the family before their case page shows anything personal."""

    # A code opens either a case's family link or an unfinished form's resume link.
    link = models.ForeignKey(
        FamilyLink, null=True, blank=True, on_delete=models.CASCADE, related_name="codes"
    )
    draft_link = models.ForeignKey(
        "intake.DraftLink", null=True, blank=True, on_delete=models.CASCADE, related_name="codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["link", "created_at"], name="access_code_link_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(link__isnull=False, draft_link__isnull=True)
                | Q(link__isnull=True, draft_link__isnull=False),
                name="access_code_for_one_link",
            ),
        ]

    def __str__(self) -> str:
        return f"Code for link {self.link_id or self.draft_link_id}"


class DeletionRequest(models.Model):
    """A family's request to delete their case and files. The case may be gone; this record stays."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for the grace period"
        DONE = "done", "Case deleted"
        CANCELLED = "cancelled", "Cancelled"

    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="deletion_request"
    )
    case_reference = models.CharField(max_length=12)
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    carried_out_at = models.DateTimeField(null=True, blank=True)
    carried_out_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["state", "due_at"], name="deletion_due")]

    def __str__(self) -> str:
        return f"Deletion request for {self.case_reference}"


class RateLimitHit(models.Model):
    """One attempt at something we limit (codes, lost-link requests). Keys are hashed."""

    bucket = models.CharField(max_length=30)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["bucket", "key", "at"], name="rate_limit_lookup")]

    def __str__(self) -> str:
        return f"{self.bucket} at {self.at}"


# Documents have their own module beside the storage and encryption code; they belong to this app.
from intake.documents.models import Document  # noqa: E402, F401
from intake.lifecycle.models import ConsentRecord, DraftLink, PossibleDuplicate, ShareRequest  # noqa: E402, F401
