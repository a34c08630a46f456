"""The reviewers' queue: tabs, filters and search, all held in the URL so a view can be shared."""

import re
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django import forms
from django.contrib.auth.models import User
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from assessments.access import sees_every_case, visible_cases
from intake import clock
from intake.diagnoses import DiagnosisGroup, codes_in_group
from intake.models import Case, PossibleDuplicate

Status = Case.Status

TABS = [
    ("needs_triage", "Needs triage"),
    ("mine", "My cases"),
    ("unassigned", "Unassigned"),
    ("waiting", "Waiting on family"),
    ("report_sent", "Report sent"),
    ("closed", "Closed"),
    ("all", "All"),
]

# What the "Response time" filter offers: the clock's states (intake/clock.py), closed cases aside.
RESPONSE_STATES = [
    ("overdue", "Overdue"),
    ("due_soon", "Due soon"),
    ("on_time", "On time"),
    ("paused", "Paused (waiting on family)"),
    ("answered", "Answered"),
]

REFERENCE = re.compile(r"^(CA-)?[2-9A-Z]{4}-[2-9A-Z]{4}$", re.IGNORECASE)


def tab_filter(tab: str, user) -> Q:
    return {
        "needs_triage": Q(status=Status.NEW),
        "mine": Q(assigned_to=user) & ~Q(status=Status.CLOSED),
        "unassigned": Q(assigned_to__isnull=True) & ~Q(status__in=[Status.NEW, Status.CLOSED]),
        "waiting": Q(status=Status.WAITING_ON_FAMILY),
        "report_sent": Q(status=Status.REPORT_SENT),
        "closed": Q(status=Status.CLOSED),
        "all": Q(),
    }[tab]


FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(9998, 12, 31)


def staff_who_work_cases() -> QuerySet[User]:
    has_role = Q(groups__permissions__codename="work_queue") | Q(user_permissions__codename="work_queue")
    return (
        User.objects.filter(has_role | Q(is_superuser=True), is_active=True).distinct().order_by("username")
    )


class QueueFilters(forms.Form):
    tab = forms.ChoiceField(choices=TABS, required=False)
    q = forms.CharField(label="Search", required=False, max_length=200)
    urgency = forms.TypedChoiceField(
        choices=[("", "Any urgency"), *Case.Urgency.choices], coerce=int, required=False, empty_value=None
    )
    group = forms.ChoiceField(
        label="Diagnosis group", choices=[("", "Any diagnosis"), *DiagnosisGroup.choices], required=False
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    # The language we write to the family in (their reports are written in it too).
    language = forms.ChoiceField(
        label="Language", choices=[("", "Any language"), *Case.WrittenLanguage.choices], required=False
    )
    assignee = forms.ChoiceField(required=False)
    response = forms.ChoiceField(
        label="Response time", choices=[("", "Any"), *RESPONSE_STATES], required=False
    )
    submitted_from = forms.DateField(
        label="Submitted from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(label="to", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, user, staff):
        super().__init__(data)
        self.user = user
        self.fields["assignee"].choices = [
            ("", "Anyone"),
            ("none", "Nobody"),
            *[(u.get_username(), u.get_username()) for u in staff],
        ]
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )

    def default_tab(self) -> str:
        return "needs_triage" if self.user.has_perm("intake.triage_case") else "mine"

    def clean_tab(self):
        return self.cleaned_data["tab"] or self.default_tab()

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())

    def _clean_date(self, name: str) -> date | None:
        # Dates far outside any case's life would overflow when turned into moments in time.
        value = self.cleaned_data[name]
        if value is not None and not (FIRST_DATE <= value <= LAST_DATE):
            raise forms.ValidationError(f"Please enter a date like {timezone.localdate().isoformat()}.")
        return value

    def clean_submitted_from(self):
        return self._clean_date("submitted_from")

    def clean_submitted_to(self):
        return self._clean_date("submitted_to")

    def filtered(self, now: datetime) -> QuerySet[Case]:
        """The visible cases under every filter but the tab. A filter that was not understood is
        left out (the page says which); the others still apply."""
        cases = visible_cases(self.user)
        self.is_valid()
        data = self.cleaned_data
        if data.get("urgency"):
            cases = cases.filter(urgency=data["urgency"])
        if data.get("group"):
            cases = cases.filter(diagnosis__in=codes_in_group(data["group"]))
        if data.get("status"):
            cases = cases.filter(status=data["status"])
        if data.get("language"):
            cases = cases.filter(language=data["language"])
        if data.get("assignee") == "none":
            cases = cases.filter(assigned_to__isnull=True)
        elif data.get("assignee"):
            cases = cases.filter(assigned_to__username=data["assignee"])
        if data.get("response"):
            cases = cases.filter(clock.in_state(data["response"], now))
        tz = timezone.get_current_timezone()
        if data.get("submitted_from"):
            cases = cases.filter(submitted_at__gte=datetime.combine(data["submitted_from"], time.min, tz))
        if data.get("submitted_to"):
            end = datetime.combine(data["submitted_to"] + timedelta(days=1), time.min, tz)
            cases = cases.filter(submitted_at__lt=end)
        if data.get("q"):
            q = data["q"]
            if REFERENCE.match(q):
                reference = q.upper() if q.upper().startswith("CA-") else f"CA-{q.upper()}"
                cases = cases.filter(reference=reference)
            else:
                cases = cases.filter(
                    search_document=SearchQuery(q, search_type="websearch", config="english")
                )
        return cases

    def narrows(self) -> bool:
        """Whether any filter or search applies beyond the tab."""
        self.is_valid()
        return any(value not in (None, "") for name, value in self.cleaned_data.items() if name != "tab")

    @property
    def current_tab(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("tab") or self.default_tab()


# An exact count reads every matching row: with a million cases that takes longer than the rest of
# the page. So a tab counts up to a limit and then says "10,000+"; nobody pages past 200 pages
# rather than narrowing the view. Filtered views count less far ("1,000+"): their rows are read
# from the table rather than from an index.
COUNT_LIMIT = 10_000
FILTERED_COUNT_LIMIT = 1_000


class Tally(NamedTuple):
    """A tab's count: exact up to the limit, "more than" beyond it."""

    number: int
    limit: int

    @property
    def beyond_limit(self) -> bool:
        return self.number > self.limit

    def __str__(self) -> str:
        return f"{self.limit:,}+" if self.beyond_limit else f"{self.number:,}"


def tab_counts(cases: QuerySet[Case], user, current_tab: str, *, narrowed: bool) -> dict[str, Tally]:
    """The tabs' counts. A tab missing from the answer has no count shown.

    Unfiltered, each tab counts along its own index and stops one past the limit. Under filters,
    those per-tab scans can be slow (a tab the filters rule out, such as overdue cases waiting on
    the family, is read to the end), so the first rows of the filtered view are counted instead:
    exact for every tab when the view is within the limit, and otherwise only the current tab is
    counted, for its pages."""
    if narrowed:
        limit = FILTERED_COUNT_LIMIT
        first_rows = cases.order_by()[: limit + 1]
        numbers = first_rows.aggregate(**{key: Count("pk", filter=tab_filter(key, user)) for key, _ in TABS})
        if numbers["all"] <= limit:
            return {key: Tally(number, limit) for key, number in numbers.items()}
        if current_tab == "all":
            return {"all": Tally(numbers["all"], limit)}
        tabs = [current_tab]
    else:
        limit = COUNT_LIMIT
        tabs = [key for key, _ in TABS]
    # One query for all the tabs, each its own bounded count.
    parts, params = [], []
    for key in tabs:
        rows = cases.filter(tab_filter(key, user)).order_by().values("pk")[: limit + 1]
        sql, row_params = rows.query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({sql}) AS rows) AS {key}")  # noqa: S608 - Django's SQL
        params.extend(row_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return {key: Tally(number, limit) for key, number in zip(tabs, cursor.fetchone(), strict=True)}


def queue_cases(filters: QueueFilters, now: datetime) -> QuerySet[Case]:
    return (
        filters.filtered(now)
        .filter(tab_filter(filters.current_tab, filters.user))
        .select_related("assigned_to")
        .only(*ROW_FIELDS)
        .annotate(clock_state=clock.response_state(now), duplicate_of=duplicate_of())
        .order_by("urgency", "submitted_at", "pk")
    )


def duplicate_of() -> Subquery:
    """The reference of the earlier case a row may repeat, for "possible duplicate of CA-…"."""
    open_flags = PossibleDuplicate.objects.filter(case=OuterRef("pk"), state=PossibleDuplicate.State.OPEN)
    return Subquery(open_flags.values("earlier__reference")[:1])


# What a queue row shows: no names, emails or phone numbers, and none of the long free text.
ROW_FIELDS = [
    "reference",
    "diagnosis",
    "diagnosis_other",
    "disease_status",
    "language",
    "urgency",
    "submitted_at",
    "status",
    "response_due_at",
    "clock_paused_at",
    "first_response_at",
    "family_replied_at",
    "assigned_to__username",
]


def shows_assignee_filter(user) -> bool:
    return sees_every_case(user)
