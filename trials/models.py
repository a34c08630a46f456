"""The catalogue of clinical trials and expanded-access programs, and reviewers' eligibility judgements.

Studies come from ClinicalTrials.gov records (API v2 JSON) through `manage.py import_trials`; nothing
here is typed in by hand. What the options search filters or sorts on is a column; the rest of the
record is not kept.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from intake.models import Case


class Study(models.Model):
    class Status(models.TextChoices):
        # The API's own values, kept as they are so records compare without translation.
        RECRUITING = "RECRUITING", "Recruiting"
        NOT_YET_RECRUITING = "NOT_YET_RECRUITING", "Not yet recruiting"
        ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION", "Enrolling by invitation"
        ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING", "Active, not recruiting"
        SUSPENDED = "SUSPENDED", "Suspended"
        TERMINATED = "TERMINATED", "Terminated"
        COMPLETED = "COMPLETED", "Completed"
        WITHDRAWN = "WITHDRAWN", "Withdrawn"
        UNKNOWN = "UNKNOWN", "Unknown"
        AVAILABLE = "AVAILABLE", "Available (expanded access)"
        NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE", "No longer available"
        TEMPORARILY_NOT_AVAILABLE = "TEMPORARILY_NOT_AVAILABLE", "Temporarily not available"
        APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING", "Approved for marketing"
        WITHHELD = "WITHHELD", "Withheld"
        NOT_GIVEN = "", "Not given"

    class StudyType(models.TextChoices):
        INTERVENTIONAL = "INTERVENTIONAL", "Interventional"
        OBSERVATIONAL = "OBSERVATIONAL", "Observational"
        EXPANDED_ACCESS = "EXPANDED_ACCESS", "Expanded access"
        NOT_GIVEN = "", "Not given"

    class Sex(models.TextChoices):
        ALL = "ALL", "All"
        FEMALE = "FEMALE", "Female"
        MALE = "MALE", "Male"

    nct_id = models.CharField("NCT number", max_length=11, unique=True)
    title = models.TextField(blank=True)
    brief_title = models.TextField(blank=True)
    acronym = models.CharField(max_length=100, blank=True)
    brief_summary = models.TextField(blank=True)
    conditions = ArrayField(models.TextField(), default=list, blank=True)
    keywords = ArrayField(models.TextField(), default=list, blank=True)
    interventions = ArrayField(models.TextField(), default=list, blank=True)
    phases = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    overall_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    study_type = models.CharField(max_length=20, choices=StudyType.choices, blank=True)
    # For expanded-access records: individual, intermediate (size population), treatment.
    expanded_access_types = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    # A trial record saying the drug is also available through an expanded-access program.
    has_expanded_access = models.BooleanField(default=False)
    sponsor = models.TextField(blank=True)
    minimum_age = models.CharField(max_length=30, blank=True, help_text="As the record says it.")
    maximum_age = models.CharField(max_length=30, blank=True, help_text="As the record says it.")
    min_age_years = models.FloatField(null=True, blank=True)
    max_age_years = models.FloatField(null=True, blank=True)
    sex = models.CharField(max_length=6, choices=Sex.choices, default=Sex.ALL)
    healthy_volunteers = models.BooleanField(null=True, blank=True)
    criteria_text = models.TextField(blank=True)
    inclusion = ArrayField(models.TextField(), default=list, blank=True)
    exclusion = ArrayField(models.TextField(), default=list, blank=True)
    # [{"name", "role", "phone", "email"}], as the record lists them.
    central_contacts = models.JSONField(default=list, blank=True)
    source_updated_on = models.DateField("last update at the source", null=True, blank=True)
    record_hash = models.CharField(max_length=64)
    first_imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Title, conditions, keywords and interventions, stemmed (english) and as written (simple); see
    # trials.importer.SEARCH_DOCUMENT_SQL.
    search_document = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["nct_id"]
        verbose_name_plural = "studies"
        indexes = [
            GinIndex(fields=["search_document"], name="study_search"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(nct_id__regex=r"^NCT[0-9]{8}$"), name="study_nct_id_format"),
            models.CheckConstraint(
                condition=Q(min_age_years__isnull=True)
                | Q(max_age_years__isnull=True)
                | Q(max_age_years__gte=models.F("min_age_years")),
                name="study_age_range_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.nct_id

    @property
    def name(self) -> str:
        return self.brief_title or self.title or self.nct_id

    @property
    def url(self) -> str:
        return f"https://clinicaltrials.gov/study/{self.nct_id}"

    @property
    def phase_words(self) -> str:
        return "/".join(
            p.replace("EARLY_PHASE", "Early phase ").replace("PHASE", "Phase ") for p in self.phases
        )

    @property
    def is_expanded_access(self) -> bool:
        return self.study_type == self.StudyType.EXPANDED_ACCESS


class StudyFacts(models.Model):
    """What the matching query filters and ranks on, one narrow row per study, written with it at import.

    Matching a case reads thousands of these for a common diagnosis; kept apart from the studies'
    long texts they stay a few dozen to a page, so that takes milliseconds (see bench/trials.py).
    The diagnosis codes, tags and site places are worked out by trials.index_terms.
    """

    study = models.OneToOneField(Study, primary_key=True, on_delete=models.CASCADE, related_name="facts")
    nct_id = models.CharField(max_length=11)
    overall_status = models.CharField(max_length=30, blank=True)
    study_type = models.CharField(max_length=20, blank=True)
    has_expanded_access = models.BooleanField(default=False)
    min_age_years = models.FloatField(null=True, blank=True)
    max_age_years = models.FloatField(null=True, blank=True)
    sex = models.CharField(max_length=6, default=Study.Sex.ALL)
    source_updated_on = models.DateField(null=True, blank=True)
    diagnosis_codes = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    site_count = models.PositiveIntegerField(default=0)
    site_countries = ArrayField(models.CharField(max_length=2), default=list, blank=True)
    site_regions = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    site_cells = ArrayField(models.CharField(max_length=9), default=list, blank=True)

    class Meta:
        verbose_name_plural = "study facts"
        indexes = [
            models.Index(fields=["overall_status", "min_age_years", "max_age_years"], name="facts_open_ages"),
            GinIndex(fields=["diagnosis_codes"], name="facts_diagnoses"),
            GinIndex(fields=["site_countries"], name="facts_site_countries"),
            GinIndex(fields=["site_regions"], name="facts_site_regions"),
            GinIndex(fields=["site_cells"], name="facts_site_cells"),
        ]

    def __str__(self) -> str:
        return f"Facts of {self.nct_id}"


class Site(models.Model):
    """One place a study runs, as the record lists it."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sites")
    position = models.PositiveIntegerField(default=0)
    facility = models.TextField(blank=True)
    city = models.TextField(blank=True)
    state = models.TextField(blank=True)
    zip = models.CharField(max_length=30, blank=True)
    country = models.TextField(blank=True)
    # ISO 3166 code for `country`, blank when the name is not one we know.
    country_code = models.CharField(max_length=2, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # The site's own recruiting status; many records leave it out.
    status = models.CharField(max_length=30, blank=True)
    contacts = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["study", "position"]
        indexes = [models.Index(fields=["study", "country_code"], name="site_study_country")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="site_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="site_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Site {self.position} of {self.study_id}"

    @property
    def status_words(self) -> str:
        return self.status.replace("_", " ").lower()

    @property
    def place(self) -> str:
        return ", ".join(p for p in (self.city, self.state, self.country) if p)


class ApiImport(models.Model):
    """Where a paged download from the ClinicalTrials.gov API got to, so an interrupted one resumes."""

    query_key = models.CharField(max_length=64, unique=True)
    query = models.JSONField()
    next_page_token = models.TextField(blank=True)
    pages_done = models.PositiveIntegerField(default=0)
    studies_seen = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"API import {self.query}"


class Verdict(models.TextChoices):
    MEETS = "meets", "Meets"
    DOES_NOT_MEET = "does_not_meet", "Does not meet"
    UNKNOWN = "unknown", "Unknown"


class EligibilityReview(models.Model):
    """A reviewer's criterion-by-criterion judgement of one study for one case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="eligibility_reviews")
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="eligibility_reviews")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["case", "-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "study"], name="eligibility_review_once_per_study"),
        ]

    def __str__(self) -> str:
        return f"Eligibility of case {self.case_id} for {self.study_id}"


class CriterionJudgement(models.Model):
    class Kind(models.TextChoices):
        INCLUSION = "inclusion", "Inclusion"
        EXCLUSION = "exclusion", "Exclusion"

    review = models.ForeignKey(EligibilityReview, on_delete=models.CASCADE, related_name="judgements")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField()
    # The criterion as it read when judged: a later import may reword the study.
    text = models.TextField()
    suggested = models.CharField(max_length=15, choices=Verdict.choices, default=Verdict.UNKNOWN)
    fact = models.TextField("what the suggestion is based on", blank=True)
    verdict = models.CharField(max_length=15, choices=Verdict.choices, default=Verdict.UNKNOWN)
    note = models.TextField(blank=True)
    # Set once a reviewer has confirmed or changed the line; until then it is only a suggestion.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "kind", "position"], name="criterion_judgement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.position} of review {self.review_id}"
