"""The service dashboard: how the service is doing over a period, for supervisors and coordinators.

Every figure is counted by PostgreSQL (GROUP BY, FILTER, percentile_cont), never by looping over
cases in Python, and each source below is one query (the reviewers' two), whatever the number of
cases or the length of the period. Each reads an index alone, not the table: see the indexes on
Case and Report. The response clock is the one in intake/clock.py, shared with the queue; the
working days to triage and to the first answer are kept on the case by the clock when they happen.
Figures hold counts, diagnosis groups and languages only: no names and no other health details. The
two lists (waiting on the family, overdue) show reference codes, so a supervisor can open the case.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from assessments import charts
from assessments.charts import Series
from assessments.queue import staff_who_work_cases
from intake import clock, diagnoses
from intake.models import Case, Report

Status = Case.Status
Urgency = Case.Urgency
URGENCIES = list(Urgency)
# Cases someone still has to work on. "Report sent" cases have had their answer; closed ones are done.
OPEN = [Status.NEW, Status.TRIAGED, Status.IN_REVIEW, Status.WAITING_ON_FAMILY]
LIST_LENGTH = 20
MAX_DAYS = 731

PERIODS = [
    ("4w", "Last 4 weeks"),
    ("12w", "Last 12 weeks"),
    ("year", "This year"),
    ("custom", "Between two dates"),
]
DEFAULT_PERIOD = "4w"

# How long open cases have been with us, in calendar days since they came in: (label, from, to).
AGE_BUCKETS = [
    ("Under 1 week", 0, 7),
    ("1 to 2 weeks", 7, 14),
    ("2 to 4 weeks", 14, 28),
    ("4 to 12 weeks", 28, 84),
    ("12 weeks or more", 84, None),
]


@dataclass(frozen=True)
class Period:
    choice: str
    start: date  # first day, included
    end: date  # last day, included

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def weeks(self) -> list[date]:
        """The Mondays of the weeks the period touches; the first and last week may be partial."""
        monday = self.start - timedelta(days=self.start.weekday())
        return [monday + timedelta(weeks=i) for i in range((self.end - monday).days // 7 + 1)]

    def week_label(self, monday: date) -> str:
        return dateformat.format(monday, "j M" if self.start.year == self.end.year else "j M Y")

    @property
    def span(self) -> str:
        return f"{dateformat.format(self.start, 'j M Y')} to {dateformat.format(self.end, 'j M Y')}"

    @property
    def label(self) -> str:
        return f"{dict(PERIODS)[self.choice]}: {self.span}" if self.choice != "custom" else self.span

    def query(self) -> dict[str, str]:
        if self.choice == "custom":
            return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}
        return {"period": self.choice}

    def contains(self, field_name: str) -> Q:
        return Q(**{f"{field_name}__gte": self.start_at, f"{field_name}__lt": self.end_at})


def preset(choice: str, today: date) -> Period:
    monday = today - timedelta(days=today.weekday())
    if choice == "12w":
        return Period(choice, monday - timedelta(weeks=11), today)
    if choice == "year":
        return Period(choice, today.replace(month=1, day=1), today)
    return Period("4w", monday - timedelta(weeks=3), today)


class PeriodForm(forms.Form):
    """The period, held in the URL: a preset, or any two dates (both included)."""

    period = forms.ChoiceField(choices=PERIODS, required=False)
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, today: date):
        super().__init__(data)
        self.today = today

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        choice = data.get("period") or ("custom" if start or end else DEFAULT_PERIOD)
        if choice != "custom":
            data["result"] = preset(choice, self.today)
            return data
        if self.errors:
            return data  # a date that could not be read already has its message
        if not start:
            self.add_error("start", "Choose the first day of the period.")
        if not end:
            self.add_error("end", "Choose the last day of the period.")
        if start and end:
            if start > end:
                self.add_error("end", "The last day must be on or after the first day.")
            elif end > self.today:
                self.add_error("end", "The last day cannot be in the future.")
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error(None, f"Choose a period of at most {MAX_DAYS} days (two years).")
        if not self.errors:
            data["result"] = Period("custom", start, end)
        return data

    @property
    def result(self) -> Period:
        return self.cleaned_data["result"]


@dataclass
class Figure:
    """One figure: a table of numbers (also its CSV), usually drawn as a chart as well."""

    key: str
    title: str
    summary: str  # the chart's text alternative, also shown under it
    headers: list[str]
    rows: list[list]
    chart: SafeString | None = None
    references: bool = False  # the first column holds case reference codes
    notes: list[str] = field(default_factory=list)

    def table(self) -> SafeString:
        """The numbers as an HTML table. Built here rather than in the template: a year of weeks is
        over a thousand cells, and a template tag per cell would take longer than the queries."""
        head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in self.headers))
        body = []
        for row in self.rows:
            first = row[0]
            if self.references:
                url = reverse("assessments:case", kwargs={"reference": first})
                first = format_html('<a class="font-monospace" href="{}">{}</a>', url, first)
            cells = format_html_join("", "<td>{}</td>", ((_cell(c),) for c in row[1:]))
            body.append(format_html('<tr><th scope="row">{}</th>{}</tr>', first, cells))
        if not body:
            body.append(format_html('<tr><td colspan="{}">None.</td></tr>', len(self.headers)))
        return format_html(
            '<table class="table table-sm dashboard-table"><caption class="visually-hidden">{}</caption>'
            "<thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            self.title,
            head,
            mark_safe("".join(body)),  # noqa: S308 - every row went through format_html
        )


def _cell(value) -> str:
    return "—" if value is None else str(value)


class Percentiles(Aggregate):
    """percentile_cont for several fractions at once (one sort): the values below which those shares
    of the numbers lie, interpolated. Returns a list, one value per fraction."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = ArrayField(FloatField())

    def __init__(self, expression, fractions: tuple[float, ...], **extra):
        super().__init__(expression, fractions=", ".join(str(float(f)) for f in fractions), **extra)


def week_number(field_name: str, period: "Period") -> Func:
    """Which week of the period a moment falls in, 1 for the first: a binary search over the first
    moments of the weeks in local time (width_bucket), cheaper than a time zone conversion per row."""
    starts = [timezone.make_aware(datetime.combine(monday, time.min)) for monday in period.weeks()]
    return Func(
        F(field_name),
        Value(starts, output_field=ArrayField(DateTimeField())),
        function="width_bucket",
        output_field=IntegerField(),
    )


def count_of(cases: QuerySet) -> Subquery:
    """How many cases, as a subquery PostgreSQL runs once beside a short list of some of them."""
    # COUNT(*) rather than COUNT(id): the count can then come from an index without the table.
    return Subquery(
        cases.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values("n")
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _urgency_series(table: dict[int, list[int]]) -> list[Series]:
    return [Series(u.label, table[u.value]) for u in URGENCIES]


def _urgency_counts(rows, key: str, keys: list, count="n") -> dict[int, list[int]]:
    """{urgency: [count per key]} from rows of (key, urgency, count)."""
    position = {k: i for i, k in enumerate(keys)}
    table = {u.value: [0] * len(keys) for u in URGENCIES}
    for row in rows:
        if row[key] in position:
            table[row["urgency"]][position[row[key]]] += row[count]
    return table


def _urgency_figure(
    key: str,
    title: str,
    summary: str,
    *,
    first_header: str,
    row_labels: list[str],
    table: dict[int, list[int]],
    x_label: str,
    y_label: str,
    chart_labels: list[str] | None = None,
) -> Figure:
    """A count per category and urgency: a table with a total per row, drawn as stacked bars."""
    totals = [sum(col) for col in zip(*table.values(), strict=True)]
    return Figure(
        key=key,
        title=title,
        summary=summary,
        headers=[first_header, *[u.label for u in URGENCIES], "All"],
        rows=[
            [label, *[table[u.value][i] for u in URGENCIES], totals[i]] for i, label in enumerate(row_labels)
        ],
        chart=charts.bar_chart(
            chart_id=f"chart-{key}",
            title=title,
            summary=summary,
            x_label=x_label,
            y_label=y_label,
            categories=chart_labels or row_labels,
            series=_urgency_series(table),
        ),
    )


# The sources: one query each. ------------------------------------------------------------------


def intake_figures(period: Period, now: datetime) -> list[Figure]:
    """Query: new cases in the period, counted by week and urgency."""
    rows = (
        Case.objects.filter(period.contains("submitted_at"))
        .annotate(week=week_number("submitted_at", period))
        .values("week", "urgency")
        .annotate(n=Count("*"))
        .order_by()
    )
    weeks = period.weeks()
    table = _urgency_counts(rows, "week", list(range(1, len(weeks) + 1)))
    totals = [sum(col) for col in zip(*table.values(), strict=True)]
    labels = [period.week_label(w) for w in weeks]
    total = sum(totals)
    by_urgency = ", ".join(f"{sum(table[u.value])} {u.label.lower()}" for u in URGENCIES)
    summary = f"{_count(total, 'new case')} from {period.span}: {by_urgency}."
    if total:
        busiest = max(range(len(weeks)), key=lambda i: totals[i])
        summary += f" The busiest week began {labels[busiest]}, with {totals[busiest]}."
    return [
        _urgency_figure(
            "intake",
            "New cases per week, by urgency",
            summary,
            first_header="Week starting",
            row_labels=[w.isoformat() for w in weeks],
            chart_labels=labels,
            table=table,
            x_label="Week starting (Monday)",
            y_label="New cases",
        )
    ]


def backlog_figures(period: Period, now: datetime) -> list[Figure]:
    """Query: open cases today, counted by status and urgency, with a count per age bucket."""
    buckets = {}
    for i, (_, low, high) in enumerate(AGE_BUCKETS):
        condition = Q(submitted_at__lte=now - timedelta(days=low))
        if high is not None:
            condition &= Q(submitted_at__gt=now - timedelta(days=high))
        # Counting a column of the (status, urgency, submitted_at) index keeps this on the index.
        buckets[f"age{i}"] = Count("submitted_at", filter=condition)
    rows = list(
        Case.objects.filter(status__in=OPEN)
        .values("status", "urgency")
        .annotate(n=Count("*"), **buckets)
        .order_by()
    )
    by_status = _urgency_counts(rows, "status", OPEN)
    by_age = {u.value: [0] * len(AGE_BUCKETS) for u in URGENCIES}
    for row in rows:
        for i in range(len(AGE_BUCKETS)):
            by_age[row["urgency"]][i] += row[f"age{i}"]
    status_labels = [Status(s).label for s in OPEN]
    age_labels = [label for label, _, _ in AGE_BUCKETS]
    status_totals = [sum(col) for col in zip(*by_status.values(), strict=True)]
    age_totals = [sum(col) for col in zip(*by_age.values(), strict=True)]
    total = sum(status_totals)
    status_summary = f"{_count(total, 'open case')} today: " + ", ".join(
        f"{n} {label.lower()}" for n, label in zip(status_totals, status_labels, strict=True)
    )
    age_summary = f"How long the {_count(total, 'open case')} have been with us: " + ", ".join(
        f"{n} {label.lower()}" for n, label in zip(age_totals, age_labels, strict=True)
    )
    return [
        _urgency_figure(
            "backlog",
            "Open cases today, by status and urgency",
            status_summary + ".",
            first_header="Status",
            row_labels=status_labels,
            table=by_status,
            x_label="Status",
            y_label="Open cases",
        ),
        _urgency_figure(
            "backlog-age",
            "How long open cases have been waiting",
            age_summary + ".",
            first_header="Time since the case came in",
            row_labels=age_labels,
            table=by_age,
            x_label="Time since the case came in",
            y_label="Open cases",
        ),
    ]


def on_time_figures(period: Period, now: datetime) -> list[Figure]:
    """Query: first answers sent in the period, by week and urgency, and how many came on time."""
    rows = (
        Case.objects.filter(period.contains("first_response_at"))
        .annotate(week=week_number("first_response_at", period))
        .values("week", "urgency")
        .annotate(n=Count("*"), on_time=Count("first_response_at", filter=clock.ANSWERED_ON_TIME))
        .order_by()
    )
    weeks = period.weeks()
    numbers = list(range(1, len(weeks) + 1))
    answered = _urgency_counts(rows, "week", numbers)
    on_time = _urgency_counts(rows, "week", numbers, count="on_time")
    target = settings.RESPONSE_ON_TIME_TARGET_PERCENT
    shares = {
        u.value: [_share(on_time[u.value][i], answered[u.value][i]) for i in range(len(weeks))]
        for u in URGENCIES
    }
    all_answered = [sum(answered[u.value][i] for u in URGENCIES) for i in range(len(weeks))]
    all_on_time = [sum(on_time[u.value][i] for u in URGENCIES) for i in range(len(weeks))]
    headers = ["Week starting"]
    for label in [*[u.label for u in URGENCIES], "All"]:
        headers += [f"{label}: first answers", f"{label}: on time", f"{label}: % on time"]
    table_rows = []
    for i, w in enumerate(weeks):
        row = [w.isoformat()]
        for u in URGENCIES:
            row += [answered[u.value][i], on_time[u.value][i], shares[u.value][i]]
        row += [all_answered[i], all_on_time[i], _share(all_on_time[i], all_answered[i])]
        table_rows.append(row)
    parts = []
    for u in URGENCIES:
        n, ok = sum(answered[u.value]), sum(on_time[u.value])
        parts.append(f"{u.label.lower()} {_percent(_share(ok, n))} of {n}")
    summary = (
        f"Share of first answers sent on time, {period.span}: "
        f"{_percent(_share(sum(all_on_time), sum(all_answered)))} of {sum(all_answered)} overall; "
        f"{', '.join(parts)}. The target is {target}%."
    )
    return [
        Figure(
            key="on-time",
            title="First answers sent on time, per week and urgency",
            summary=summary,
            headers=headers,
            rows=table_rows,
            chart=charts.line_chart(
                chart_id="chart-on-time",
                title="First answers sent on time, per week and urgency",
                summary=summary,
                x_label="Week starting (Monday) in which the first answer was sent",
                y_label="% on time",
                categories=[period.week_label(w) for w in weeks],
                series=[Series(u.label, shares[u.value]) for u in URGENCIES],
                y_max=100,
                target=target,
                target_label="Target",
                unit="%",
            ),
            notes=["A week without a first answer for an urgency leaves a gap in its line."],
        )
    ]


def _percent(value: float | None) -> str:
    return "no answers" if value is None else f"{value:g}%"


def _percentiles_by_urgency(moment: str, days: str, period: Period) -> dict[int, tuple]:
    """{urgency: (count, median, 90th percentile)} of the working days kept in `days`, for the cases
    whose `moment` falls in the period. One row with a filtered aggregate per urgency, rather than a
    GROUP BY: each aggregate then sorts only its own urgency's numbers."""
    cases = Case.objects.filter(period.contains(moment)).order_by()
    found = cases.aggregate(
        **{
            f"{name}{u.value}": aggregate
            for u in URGENCIES
            for name, aggregate in [
                ("n", Count(moment, filter=Q(urgency=u.value))),
                ("p", Percentiles(F(days), (0.5, 0.9), filter=Q(urgency=u.value))),
            ]
        }
    )
    return {u.value: (found[f"n{u.value}"], *(found[f"p{u.value}"] or [None, None])) for u in URGENCIES}


def _timing_figure(key: str, title: str, count_label: str, found: dict, period: Period, targets=None):
    counts = [found.get(u.value, (0, None, None))[0] for u in URGENCIES]
    medians = [_round(found.get(u.value, (0, None, None))[1]) for u in URGENCIES]
    p90s = [_round(found.get(u.value, (0, None, None))[2]) for u in URGENCIES]
    described = "; ".join(
        f"{u.label.lower()}: median {_days(m)}, 90th percentile {_days(p)} ({_count(n, 'case')}"
        + (f", target {targets[i]})" if targets else ")")
        for i, (u, m, p, n) in enumerate(zip(URGENCIES, medians, p90s, counts, strict=True))
    )
    summary = f"{title}, {period.span}. {described}."
    headers = ["Urgency", count_label, "Median (working days)", "90th percentile (working days)"]
    rows = [[u.label, counts[i], medians[i], p90s[i]] for i, u in enumerate(URGENCIES)]
    if targets:
        headers.append("Target (working days)")
        rows = [[*row, target] for row, target in zip(rows, targets, strict=True)]
    return Figure(
        key=key,
        title=title + ", by urgency",
        summary=summary,
        headers=headers,
        rows=rows,
        chart=charts.bar_chart(
            chart_id=f"chart-{key}",
            title=title + ", by urgency",
            summary=summary,
            x_label="Urgency",
            y_label="Working days",
            categories=[u.label for u in URGENCIES],
            series=[Series("Median", medians), Series("90th percentile", p90s)],
            stacked=False,
            targets=targets,
            target_label="Target for the first answer",
            whole=False,
            colours=charts.CALM,
        ),
        notes=["Weekends do not count, nor the time a case waited on the family for an answer."],
    )


def triage_figures(period: Period, now: datetime) -> list[Figure]:
    """Query: per urgency, the median and 90th percentile of working days to triage, for the cases
    triaged in the period."""
    found = _percentiles_by_urgency("triaged_at", "triage_working_days", period)
    title = "Working days from submission to triage"
    return [_timing_figure("time-to-triage", title, "Cases triaged", found, period)]


def first_report_figures(period: Period, now: datetime) -> list[Figure]:
    """Query: per urgency, the median and 90th percentile of working days to the first answer (the
    clock's pauses left out), for the first answers sent in the period."""
    found = _percentiles_by_urgency("first_response_at", "first_answer_working_days", period)
    targets = [settings.RESPONSE_BUSINESS_DAYS[u.name.lower()] for u in URGENCIES]
    title = "Working days from submission to the first report"
    return [_timing_figure("time-to-first-report", title, "First answers sent", found, period, targets)]


def _days(value: float | None) -> str:
    return "none" if value is None else f"{value:g} day{'' if value == 1 else 's'}"


def reviewer_figures(period: Period, now: datetime) -> list[Figure]:
    """Two queries. First, each person who works cases, with their open cases today and the reports
    they sent in the period (two subqueries, each read from an index). Then the median working days
    to the first answers sent in the period, by who sent them."""
    open_cases = (
        Case.objects.filter(assigned_to=OuterRef("pk"), status__in=OPEN)
        .order_by()
        .values("assigned_to")
        .annotate(n=Count("*"))
        .values("n")
    )
    reports = (
        Report.objects.filter(period.contains("sent_at"), sent_by=OuterRef("pk"))
        .order_by()
        .values("sent_by")
        .annotate(n=Count("*"))
        .values("n")
    )
    people = list(
        staff_who_work_cases()
        .annotate(open_cases=Subquery(open_cases), reports=Subquery(reports))
        .values("pk", "username", "open_cases", "reports")
    )
    medians_by_sender = dict(
        Case.objects.filter(period.contains("first_response_at"))
        .values("first_answered_by")
        .annotate(m=Percentiles(F("first_answer_working_days"), (0.5,)))
        .order_by()
        .values_list("first_answered_by", "m")
    )
    for person in people:
        person["median"] = (medians_by_sender.get(person["pk"]) or [None])[0]
    names = [p["username"] for p in people]
    open_counts = [p["open_cases"] or 0 for p in people]
    report_counts = [p["reports"] or 0 for p in people]
    medians = [_round(p["median"]) for p in people]
    busiest = max(people, key=lambda p: p["open_cases"] or 0, default=None)
    summary = (
        f"{_count(len(people), 'person', 'people')} work cases; {_count(sum(open_counts), 'open case')} "
        "assigned, and "
        f"{_count(sum(report_counts), 'report')} sent from {period.span}."
    )
    if busiest and busiest["open_cases"]:
        summary += f" Most open cases: {busiest['username']}, with {busiest['open_cases']}."
    return [
        Figure(
            key="reviewers",
            title="Each reviewer's workload",
            summary=summary,
            headers=[
                "Reviewer",
                "Open cases today",
                "Reports sent in the period",
                "Median working days to the first report",
            ],
            rows=[list(row) for row in zip(names, open_counts, report_counts, medians, strict=True)],
            chart=charts.bar_chart(
                chart_id="chart-reviewers",
                title="Each reviewer's open cases and reports sent",
                summary=summary,
                x_label="Reviewer",
                y_label="Cases or reports",
                categories=names,
                series=[
                    Series("Open cases today", open_counts),
                    Series("Reports sent in the period", report_counts),
                ],
                stacked=False,
                colours=charts.CALM,
            ),
        )
    ]


def waiting_figures(period: Period, now: datetime) -> list[Figure]:
    """Query: the cases waiting on the family the longest, and how many wait in all."""
    waiting = Case.objects.filter(status=Status.WAITING_ON_FAMILY)
    rows = list(
        waiting.annotate(total=count_of(waiting))
        .order_by("status_changed_at", "pk")
        .values("reference", "urgency", "status_changed_at", "assigned_to__username", "total")[:LIST_LENGTH]
    )
    total = rows[0]["total"] if rows else 0
    summary = f"Waiting on the family: {_count(total, 'case')}."
    if rows:
        summary += f" Listed: the {len(rows)} waiting the longest, longest first."
    return [
        Figure(
            key="waiting",
            title="Waiting on the family the longest",
            summary=summary,
            headers=["Reference", "Urgency", "Waiting since", "Days waiting", "Assignee"],
            rows=[
                [
                    r["reference"],
                    Urgency(r["urgency"]).label,
                    timezone.localtime(r["status_changed_at"]).date().isoformat(),
                    (now - r["status_changed_at"]).days,
                    r["assigned_to__username"] or "",
                ]
                for r in rows
            ],
            references=True,
        )
    ]


def overdue_figures(period: Period, now: datetime) -> list[Figure]:
    """Query: the overdue cases, most overdue first, and how many in all."""
    overdue = Case.objects.filter(clock.in_state("overdue", now))
    rows = list(
        overdue.annotate(total=count_of(overdue))
        .order_by("response_due_at", "pk")
        .values("reference", "urgency", "status", "response_due_at", "assigned_to__username", "total")[
            :LIST_LENGTH
        ]
    )
    total = rows[0]["total"] if rows else 0
    summary = f"Overdue for their first answer: {_count(total, 'case')}."
    if rows:
        summary += f" Listed: the {len(rows)} most overdue, most overdue first."
    return [
        Figure(
            key="overdue",
            title="Overdue for a first answer",
            summary=summary,
            headers=["Reference", "Urgency", "Status", "Answer was due", "Working days late", "Assignee"],
            rows=[
                [
                    r["reference"],
                    Urgency(r["urgency"]).label,
                    Status(r["status"]).label,
                    timezone.localtime(r["response_due_at"]).strftime("%Y-%m-%d %H:%M"),
                    _round(clock.days_between(r["response_due_at"], now)),
                    r["assigned_to__username"] or "",
                ]
                for r in rows
            ],
            references=True,
        )
    ]


def family_figures(period: Period, now: datetime) -> list[Figure]:
    """Query: new cases in the period by the family's language and the diagnosis (grouped here)."""
    rows = (
        Case.objects.filter(period.contains("submitted_at"))
        .values("preferred_language", "diagnosis")
        .annotate(n=Count("*"))
        .order_by()
    )
    languages: dict[str, int] = defaultdict(int)
    groups: dict[str, int] = defaultdict(int)
    for row in rows:
        languages[row["preferred_language"]] += row["n"]
        groups[diagnoses.GROUP_OF.get(row["diagnosis"], diagnoses.DiagnosisGroup.OTHER)] += row["n"]
    figures = []
    for key, title, x_label, choices, counts in [
        ("languages", "Families' languages", "Preferred language", Case.Language.choices, languages),
        (
            "diagnosis-groups",
            "Diagnosis groups",
            "Diagnosis group",
            diagnoses.DiagnosisGroup.choices,
            groups,
        ),
    ]:
        labels = [str(label) for _, label in choices]  # the family-facing labels are translatable
        values = [counts.get(value, 0) for value, _ in choices]
        total = sum(values)
        ranked = sorted(zip(values, labels, strict=True), key=lambda pair: -pair[0])
        described = ", ".join(f"{label} {n}" for n, label in ranked if n)
        summary = f"{title} of the {_count(total, 'new case')} from {period.span}: {described or 'none'}."
        figures.append(
            Figure(
                key=key,
                title=f"{title} of new cases",
                summary=summary,
                headers=[x_label, "New cases", "% of new cases"],
                rows=[[label, n, _share(n, total)] for n, label in zip(values, labels, strict=True)],
                chart=charts.bar_chart(
                    chart_id=f"chart-{key}",
                    title=f"{title} of new cases",
                    summary=summary,
                    x_label=x_label,
                    y_label="New cases",
                    categories=[_short(label) for label in labels],
                    series=[Series("New cases", values)],
                    colours=charts.CALM,
                ),
            )
        )
    return figures


def _short(label: str) -> str:
    """Axis labels must fit under their bar; the table beside the chart has the full names."""
    label = label.split(" (")[0]
    return label if len(label) <= 14 else label[:13] + "…"


SOURCES: list[Callable[[Period, datetime], list[Figure]]] = [
    intake_figures,
    backlog_figures,
    on_time_figures,
    triage_figures,
    first_report_figures,
    reviewer_figures,
    waiting_figures,
    overdue_figures,
    family_figures,
]
# Which source draws which figure, so a CSV download runs only the one query it needs.
FIGURE_SOURCES = {
    "intake": intake_figures,
    "backlog": backlog_figures,
    "backlog-age": backlog_figures,
    "on-time": on_time_figures,
    "time-to-triage": triage_figures,
    "time-to-first-report": first_report_figures,
    "reviewers": reviewer_figures,
    "waiting": waiting_figures,
    "overdue": overdue_figures,
    "languages": family_figures,
    "diagnosis-groups": family_figures,
}


def all_figures(period: Period, now: datetime) -> dict[str, Figure]:
    return {figure.key: figure for source in SOURCES for figure in source(period, now)}


def one_figure(key: str, period: Period, now: datetime) -> Figure | None:
    source = FIGURE_SOURCES.get(key)
    if source is None:
        return None
    return next(f for f in source(period, now) if f.key == key)
