"""Finding the studies that could take a patient, best first, with the reasons and what is unknown.

Hard filters never let a wrong option through: the study is open to patients, the patient's age
today is in its range, their sex is allowed, and it has an open site where the family can travel.
Relevance then orders what is left: the diagnosis and its synonyms, the disease status, and the
treatments the patient already had. The reviewer can widen or narrow every filter (`Filters`).

The diagnosis, the tags and the places of open sites are columns worked out at import
(trials.index_terms); PostgreSQL full-text search (GIN-indexed) serves the words of a family's
unlisted diagnosis and the reviewer's own search.

One query ranks the candidates (with the total, through a window function), one reads the page's
studies and one their sites; the number of queries does not grow with the catalogue or the page.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, Value, When, Window
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt
from django.utils import timezone

from intake import diagnoses
from intake.models import Case
from trials import geo, index_terms, synonyms
from trials.geo import Point
from trials.models import Site, Study, StudyFacts

OPEN_STATUSES = index_terms.OPEN_STATUSES
OPEN_SITE_STATUSES = index_terms.OPEN_SITE_STATUSES
RELAPSED = {Case.DiseaseStatus.RELAPSED, Case.DiseaseStatus.REFRACTORY}
PAGE_SIZE = 20
LIST_DEFERRED = [
    "search_document",
    "criteria_text",
    "brief_summary",
    "inclusion",
    "exclusion",
    "central_contacts",
]
NEAREST_SITES = 3


class Scope:
    DIAGNOSIS = "diagnosis"
    GROUP = "group"
    ANY = "any"
    CHOICES = [
        (DIAGNOSIS, "The diagnosis and its other names"),
        (GROUP, "Anything in the diagnosis group"),
        (ANY, "Any diagnosis"),
    ]


class Place:
    TRAVEL = "travel"
    LOCAL = "local"
    REGION = "region"
    COUNTRY = "country"
    ANYWHERE = "anywhere"
    CHOICES = [
        (TRAVEL, "As far as the family can travel"),
        (LOCAL, "Within the distance below"),
        (REGION, "In their state or region"),
        (COUNTRY, "In their country"),
        (ANYWHERE, "Anywhere"),
    ]
    FROM_TRAVEL = {
        Case.Travel.LOCAL: LOCAL,
        Case.Travel.REGION: REGION,
        Case.Travel.COUNTRY: COUNTRY,
        Case.Travel.ABROAD: ANYWHERE,
    }


class Kinds:
    ALL = "all"
    TRIALS = "trials"
    EXPANDED_ACCESS = "expanded_access"
    CHOICES = [
        (ALL, "Trials and expanded access"),
        (TRIALS, "Trials only"),
        (EXPANDED_ACCESS, "Expanded access only"),
    ]


@dataclass(frozen=True)
class Filters:
    scope: str = Scope.DIAGNOSIS
    open_only: bool = True
    age: bool = True
    sex: bool = True
    place: str = Place.TRAVEL
    miles: int = 0  # 0: settings.TRIALS_LOCAL_MILES
    kinds: str = Kinds.ALL
    text: str = ""

    @property
    def reach(self) -> int:
        return self.miles or settings.TRIALS_LOCAL_MILES

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if v != getattr(DEFAULT_FILTERS, k)}


DEFAULT_FILTERS = Filters()


@dataclass(frozen=True)
class Patient:
    """What matching needs to know about a case, and nothing else (no names, no contact details)."""

    age: int | None
    # Only a birth year was given: the patient may be a year younger than `age`.
    age_from_birth_year: bool
    # The day the family gave the age, when a birthday since may have made the patient a year older
    # than `age` (whole years since then are counted in; the months after them cannot be).
    may_be_older_since: date | None
    sex: str
    country: str
    region: str
    home: Point | None
    travel: str
    diagnosis: str
    diagnosis_label: str
    diagnosis_other: str
    group: str
    disease_status: str
    treatment_kinds: frozenset[str]
    ecog: int | None

    @classmethod
    def from_case(cls, case: Case, treatment_kinds=None, today: date | None = None) -> "Patient":
        today = today or timezone.localdate()
        may_be_older_since = None
        if case.patient_age is not None:
            submitted = timezone.localdate(case.submitted_at)
            years = (
                today.year - submitted.year - ((today.month, today.day) < (submitted.month, submitted.day))
            )
            age = case.patient_age + max(0, years)
            # Only on an anniversary of the day they gave it is the age certain.
            if (today.month, today.day) != (submitted.month, submitted.day):
                may_be_older_since = submitted
        elif case.patient_birth_year:
            age = today.year - case.patient_birth_year
        else:
            age = None
        if treatment_kinds is None:
            treatment_kinds = case.treatments.values_list("kind", flat=True)
        country = str(case.country or "")
        return cls(
            age=age,
            age_from_birth_year=case.patient_age is None,
            may_be_older_since=may_be_older_since,
            sex=case.sex_at_birth,
            country=country,
            region=case.region.strip(),
            home=geo.zip_centroid(case.postal_code) if country in ("US", "PR") else None,
            travel=case.travel,
            diagnosis=case.diagnosis,
            diagnosis_label=case.diagnosis_label,
            diagnosis_other=case.diagnosis_other,
            group=case.diagnosis_group,
            disease_status=case.disease_status,
            treatment_kinds=frozenset(treatment_kinds),
            ecog=case.condition,
        )

    @property
    def relapsed(self) -> bool:
        return self.disease_status in RELAPSED

    def diagnosis_phrases(self) -> list[str]:
        phrases = synonyms.for_diagnosis(self.diagnosis)
        if not phrases and self.diagnosis_other:
            code = synonyms.diagnosis_named_in(self.diagnosis_other)
            phrases = synonyms.for_diagnosis(code) if code else [self.diagnosis_other]
        return phrases


@dataclass
class Option:
    study: Study
    score: float
    reasons: list[str] = field(default_factory=list)
    unknowns: list[str] = field(default_factory=list)
    nearest: list[tuple[Site, float | None]] = field(default_factory=list)


@dataclass
class Results:
    options: list[Option]
    total: int
    filters: Filters
    place: str  # the place filter in force, after following the travel answer
    notes: list[str]


def _miles_from(point: Point):
    """Haversine distance from `point` to a site, in SQL."""
    lat = Radians(F("latitude"))
    h = Power(Sin((lat - Value(math.radians(point.latitude))) / 2), 2) + Value(
        math.cos(math.radians(point.latitude))
    ) * Cos(lat) * Power(Sin((Radians(F("longitude")) - Value(math.radians(point.longitude))) / 2), 2)
    return 2 * geo.EARTH_RADIUS_MILES * ASin(Sqrt(Least(Value(1.0), h, output_field=FloatField())))


def effective_place(patient: Patient, filters: Filters) -> tuple[str, list[str]]:
    """The place filter to apply, and notes when the answers do not allow the one asked for."""
    place = (
        Place.FROM_TRAVEL.get(patient.travel, Place.COUNTRY)
        if filters.place == Place.TRAVEL
        else filters.place
    )
    notes = []
    if place == Place.LOCAL and patient.home is None:
        notes.append(
            "No US ZIP code to measure distance from: sites in the family's state or region are shown."
        )
        place = Place.REGION
    if place == Place.REGION and not patient.region:
        notes.append("No state or region in the answers: sites in the family's country are shown.")
        place = Place.COUNTRY
    if place == Place.COUNTRY and not patient.country:
        place = Place.ANYWHERE
    return place, notes


def _nearby(patient: Patient, miles: int) -> Q:
    """An open site within `miles` of the family's ZIP code: first the map cells (an index lookup),
    then the exact distance, for the few studies with a site in those cells."""
    south, north, west, east = geo.bounding_box(patient.home, miles)
    near = (
        Site.objects.filter(study=OuterRef("pk"), status__in=index_terms.OPEN_SITE_STATUSES)
        .filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
        .annotate(miles=_miles_from(patient.home))
        .filter(miles__lte=miles)
    )
    cells = index_terms.cells_around(patient.home, miles)
    return (Q(site_cells__overlap=cells) & Q(Exists(near))) if cells is not None else Q(Exists(near))


def _place_filter(patient: Patient, place: str, filters: Filters) -> Q | None:
    if place == Place.ANYWHERE:
        return None
    if place == Place.LOCAL:
        where = _nearby(patient, filters.reach)
    elif place == Place.REGION:
        where = Q(site_regions__contains=[f"{patient.country}:{geo.region_key(patient.region)}"])
        if patient.home:
            where |= _nearby(patient, filters.reach)  # across a state line but close by
    else:
        where = Q(site_countries__contains=[patient.country])
    # An expanded-access program without sites is reached through the family's own doctor.
    return where | Q(study_type=Study.StudyType.EXPANDED_ACCESS, site_count=0)


def _age_filter(age: int) -> Q:
    return (Q(min_age_years__isnull=True) | Q(min_age_years__lte=age)) & (
        Q(max_age_years__isnull=True) | Q(max_age_years__gte=age)
    )


def _sexes(patient: Patient) -> list[str]:
    if patient.sex == Case.Sex.FEMALE:
        return [Study.Sex.ALL, Study.Sex.FEMALE]
    if patient.sex == Case.Sex.MALE:
        return [Study.Sex.ALL, Study.Sex.MALE]
    return [Study.Sex.ALL]  # intersex or not given: only studies open to everyone are certain


def _diagnosis_codes(patient: Patient, scope: str) -> list[str]:
    if scope == Scope.ANY:
        return []
    code = patient.diagnosis if synonyms.for_diagnosis(patient.diagnosis) else None
    if code is None and patient.diagnosis_other:
        code = synonyms.diagnosis_named_in(patient.diagnosis_other)
    codes = [code] if code else []
    if scope == Scope.GROUP:
        codes += [*diagnoses.codes_in_group(patient.group), f"group:{patient.group}"]
    return codes


def _match_query(patient: Patient, filters: Filters) -> tuple[SearchQuery | None, list[str]]:
    """Full-text queries (the family's own words for an unlisted diagnosis, the reviewer's words) and
    the phrases the reasons look for."""
    phrases: list[str] = []
    query = None
    if filters.scope != Scope.ANY:
        phrases = patient.diagnosis_phrases()
        if not _diagnosis_codes(patient, Scope.DIAGNOSIS) and patient.diagnosis_other:
            # Every word of the family's own, in any order, as written ("NK-cell" and "NK cell" alike).
            query = SearchQuery(
                patient.diagnosis_other.replace("-", " "), search_type="plain", config="simple"
            )
        if filters.scope == Scope.GROUP:
            phrases = phrases + synonyms.for_group(patient.group)
    text = filters.text.strip()
    if text:
        words = SearchQuery(text, search_type="websearch", config="english")
        query = words if query is None else query & words
    return query, phrases


def candidates(patient: Patient, filters: Filters = DEFAULT_FILTERS):
    """The facts of studies passing the filters, annotated with `score` and `total`, best first."""
    place, _ = effective_place(patient, filters)
    studies = StudyFacts.objects.all()
    if filters.open_only:
        # The flat list first, for the (overall_status, ages) index; then the status of its own kind.
        expanded_access = Q(study_type=Study.StudyType.EXPANDED_ACCESS)
        studies = studies.filter(overall_status__in=OPEN_STATUSES).filter(
            (expanded_access & Q(overall_status__in=index_terms.EXPANDED_ACCESS_OPEN_STATUSES))
            | (~expanded_access & Q(overall_status__in=index_terms.TRIAL_OPEN_STATUSES))
        )
    if filters.kinds == Kinds.TRIALS:
        studies = studies.exclude(study_type=Study.StudyType.EXPANDED_ACCESS)
    elif filters.kinds == Kinds.EXPANDED_ACCESS:
        studies = studies.filter(Q(study_type=Study.StudyType.EXPANDED_ACCESS) | Q(has_expanded_access=True))
    if filters.age and patient.age is not None:
        studies = studies.filter(_age_filter(patient.age))
    if filters.sex:
        studies = studies.filter(sex__in=_sexes(patient))
    place_q = _place_filter(patient, place, filters)
    if place_q is not None:
        studies = studies.filter(place_q)

    score = Value(0.0)
    codes = _diagnosis_codes(patient, filters.scope)
    if codes:
        studies = studies.filter(diagnosis_codes__overlap=codes)
        specific = codes[:1] if filters.scope == Scope.GROUP and synonyms.for_diagnosis(codes[0]) else codes
        score = score + _bonus(Q(diagnosis_codes__overlap=specific), 1.0)
    query, _ = _match_query(patient, filters)
    if query is not None:
        # Through the GIN index on the studies' search document, as a semi-join: the facts of the
        # studies whose text matches, without reading any text for the others.
        matching_text = Q(pk__in=Study.objects.filter(search_document=query).values("pk"))
        text = filters.text.strip()
        named = synonyms.diagnosis_named_in(text) if text else None
        if named:  # "T-lymphoblastic lymphoma" finds the studies that call it T-ALL
            matching_text |= Q(diagnosis_codes__contains=[named])
        studies = studies.filter(matching_text)
    if patient.relapsed:
        score = score + _bonus(Q(tags__contains=["relapsed"]), 1.0)
        score = score - _bonus(Q(tags__contains=["newly_diagnosed"]), 0.5)
    elif patient.disease_status == Case.DiseaseStatus.NEW:
        score = score + _bonus(Q(tags__contains=["newly_diagnosed"]), 1.0)
    for kind in sorted(patient.treatment_kinds & synonyms.AFTER_TREATMENT.keys()):
        score = score + _bonus(Q(tags__contains=[f"after:{kind}"]), 0.8)
    return studies.annotate(score=score, total=Window(Count("pk"))).order_by(
        "-score", "-source_updated_on", "nct_id"
    )


def _bonus(condition: Q, weight: float):
    return SqlCase(When(condition, then=Value(weight)), default=Value(0.0), output_field=FloatField())


def find_options(
    patient: Patient, filters: Filters = DEFAULT_FILTERS, *, limit: int = PAGE_SIZE, offset: int = 0
) -> Results:
    place, notes = effective_place(patient, filters)
    # First the ranking alone, narrow: thousands of candidates may be counted and sorted, and none of
    # their texts is read. Then the page's studies, without the long texts the list does not show.
    ranked = _ranked(candidates(patient, filters), limit=limit, offset=offset)
    total = ranked[0][2] if ranked else 0
    page = []
    if ranked:
        studies = Study.objects.defer(*LIST_DEFERRED).in_bulk([pk for pk, _, _ in ranked])
        for pk, score, _ in ranked:
            studies[pk].score = score
            page.append(studies[pk])
    sites: dict[int, list[Site]] = {}
    if page:
        for site in Site.objects.filter(study__in=[s.pk for s in page]).order_by("study_id", "position"):
            sites.setdefault(site.study_id, []).append(site)
    _, phrases = _match_query(patient, filters)
    options = [_explain(study, patient, filters, place, phrases, sites.get(study.pk, [])) for study in page]
    return Results(options=options, total=total, filters=filters, place=place, notes=notes)


def _ranked(facts, *, limit: int, offset: int) -> list[tuple[int, float, int]]:
    """(study id, score, total) for one page. The total is counted over the candidates first and only
    then is the page picked, so PostgreSQL keeps the best few (a top-N sort) instead of sorting all."""
    inner = facts.order_by().values_list("pk", "score", "total", "source_updated_on", "nct_id")
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM ({sql}) AS ranked "  # noqa: S608 - the ORM's own SQL, with its parameters
            "ORDER BY score DESC, source_updated_on DESC NULLS LAST, nct_id LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return [row[:3] for row in cursor.fetchall()]


def explain(study: Study, patient: Patient, filters: Filters = DEFAULT_FILTERS) -> Option:
    """Reasons and unknowns for one study, whether or not it passes the filters."""
    place, _ = effective_place(patient, filters)
    _, phrases = _match_query(patient, filters)
    return _explain(study, patient, filters, place, phrases, list(study.sites.all()))


# Reasons and unknowns, in words -----------------------------------------------------------------


def _age_parts(text: str) -> tuple[str, str] | None:
    """("21", "year") from "21 Years"; None for no limit (blank, or a minimum of 0)."""
    parts = text.lower().split()
    if not parts or parts[0] in ("0", "n/a"):
        return None
    return parts[0], parts[1].rstrip("s") if len(parts) > 1 else "year"


def _amount(number: str, unit: str) -> str:
    return f"{number} {unit}{'' if number == '1' else 's'}"


def age_range_words(study: Study) -> str:
    low, high = _age_parts(study.minimum_age), _age_parts(study.maximum_age)
    if low and high:
        if low[1] == high[1] == "year":
            return f"ages {low[0]} to {high[0]}"
        return f"ages {_amount(*low)} to {_amount(*high)}"
    if low:
        return f"ages {low[0]} and over" if low[1] == "year" else f"ages {_amount(*low)} and over"
    if high:
        return f"up to age {high[0]}" if high[1] == "year" else f"up to {_amount(*high)} old"
    return "no age limits"


def _where(texts_by_place: list[tuple[str, list[str]]], phrases: list[str]) -> str | None:
    for where, texts in texts_by_place:
        found = synonyms.first_match(texts, phrases)
        if found:
            return f"“{found[0]}” in {where}"
    return None


def _explain(
    study: Study, patient: Patient, filters: Filters, place: str, phrases, sites: list[Site]
) -> Option:
    option = Option(study=study, score=getattr(study, "score", 0.0))
    reasons, unknowns = option.reasons, option.unknowns
    places = [
        ("conditions", study.conditions),
        ("keywords", study.keywords),
        ("the title", [study.brief_title, study.title]),
        ("interventions", study.interventions),
    ]
    if phrases and (found := _where(places, phrases)):
        reasons.append(found)
    elif phrases and filters.scope != Scope.ANY:
        unknowns.append(f"Named only loosely: check the study is for {patient.diagnosis_label}")
    if filters.text.strip():
        reasons.append(f"matches “{filters.text.strip()}”")

    words = [*study.conditions, *study.keywords, study.brief_title, study.title]
    if patient.relapsed and synonyms.first_match(words, synonyms.RELAPSED_WORDS):
        reasons.append(f"for relapsed or refractory disease: patient's is {patient.disease_status}")
    if patient.relapsed and synonyms.first_match(words, synonyms.NEWLY_DIAGNOSED_WORDS):
        unknowns.append(
            f"Mentions newly diagnosed patients: this patient's disease is {patient.disease_status}"
        )
    if patient.disease_status == Case.DiseaseStatus.NEW and synonyms.first_match(
        words, synonyms.NEWLY_DIAGNOSED_WORDS
    ):
        reasons.append("for newly diagnosed patients: patient is newly diagnosed")
    for kind in sorted(patient.treatment_kinds & synonyms.AFTER_TREATMENT.keys()):
        if synonyms.first_match(words, synonyms.AFTER_TREATMENT[kind]):
            name = synonyms.TREATMENT_NAMES[kind]
            reasons.append(f"for patients after {name}: patient had {name}")

    if patient.age is not None:
        reasons.append(f"{age_range_words(study)}: patient is {patient.age}")
        if patient.age_from_birth_year and study.min_age_years and study.min_age_years > patient.age - 1:
            unknowns.append(f"Age known from the birth year only: the patient may be {patient.age - 1}")
        since = patient.may_be_older_since
        if since and study.max_age_years is not None and patient.age <= study.max_age_years < patient.age + 1:
            unknowns.append(
                f"May have turned {patient.age + 1} since the case came in on {since.day} {since:%B %Y}: "
                "check the date of birth"
            )
    if study.sex != Study.Sex.ALL:
        reasons.append(f"{study.get_sex_display().lower()}s only: patient is {patient.sex}")
    reasons.append(study.get_overall_status_display() or "status not given")

    option.nearest = _nearest_sites(patient, place, sites)
    _place_reason(option, patient, place, sites)
    stale_before = timezone.localdate() - timedelta(days=settings.TRIALS_STALE_DAYS)
    if study.source_updated_on and study.source_updated_on < stale_before:
        unknowns.append(
            f"Record last updated {study.source_updated_on:%B %Y}: check it is still open with the contact"
        )
    return option


def _is_open(site: Site) -> bool:
    return site.status in OPEN_SITE_STATUSES


def nearest_open_sites(patient: Patient, sites: list[Site]) -> list[tuple[Site, float | None]]:
    """The open sites nearest the family: measured from their ZIP code, in their country first."""
    return _nearest_sites(patient, Place.COUNTRY, sites)


def _nearest_sites(patient: Patient, place: str, sites: list[Site]) -> list[tuple[Site, float | None]]:
    open_sites = [s for s in sites if _is_open(s)]
    measured = []
    for site in open_sites:
        miles = None
        if patient.home and site.latitude is not None:
            miles = geo.miles_between(patient.home, Point(site.latitude, site.longitude))
        measured.append((site, miles))
    in_country = [(s, m) for s, m in measured if s.country_code == patient.country]
    if place != Place.ANYWHERE and in_country:
        measured = in_country
    measured.sort(key=lambda pair: (pair[1] is None, pair[1] or 0, pair[0].country_code != patient.country))
    return measured[:NEAREST_SITES]


def miles_words(miles: float) -> str:
    return "1 mile" if round(miles) == 1 else f"{miles:,.0f} miles"


def _place_reason(option: Option, patient: Patient, place: str, sites: list[Site]) -> None:
    if not sites:
        if option.study.is_expanded_access:
            option.unknowns.append("No sites listed: the treating doctor asks the sponsor for access")
        else:
            option.unknowns.append("No sites listed")
        return
    if not option.nearest:
        option.unknowns.append("No open site listed")
        return
    site, miles = option.nearest[0]
    kind = f"{site.status_words} site" if site.status else "site"
    if miles is not None and (place in (Place.LOCAL, Place.REGION) or site.country_code == patient.country):
        option.reasons.append(f"{kind} {miles_words(miles)} away ({site.place})")
    elif place == Place.REGION:
        option.reasons.append(f"{kind} in {site.state or patient.region} ({site.place})")
    else:
        open_in_country = sum(1 for s in sites if _is_open(s) and s.country_code == patient.country)
        if open_in_country:
            option.reasons.append(
                f"{open_in_country} open site{'s' if open_in_country != 1 else ''} in {site.country}"
            )
        else:
            option.reasons.append(f"{kind} in {site.place}")
    if not site.status:
        option.unknowns.append("The nearest site does not list its own recruiting status")


def for_case(case: Case, filters: Filters = DEFAULT_FILTERS, **kwargs) -> Results:
    return find_options(Patient.from_case(case), filters, **kwargs)
