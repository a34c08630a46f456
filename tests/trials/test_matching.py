"""Matching cases to studies, with realistic cases written from the real records in ../shared.

For each case the studies that fit appear, with reasons; every study that excludes the patient by
status, age, sex or place never appears (checked against the raw records by an independent reading).
"""

import copy
import json
import math
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.models import Case
from tests.conftest import SHARED_TRIALS, WRITTEN_BY_US, make_case
from trials import geo
from trials.importer import Importer
from trials.matching import DEFAULT_FILTERS, Filters, Patient, Place, Scope, find_options, for_case

pytestmark = pytest.mark.django_db

T_ALL_BOY = {
    "patient": {"patient_age": "14", "sex_at_birth": "male", "region": "Ohio", "postal_code": "43210"},
    "diagnosis": {"diagnosis": "t_all", "disease_status": "relapsed"},
    "treatments": {
        "treatments-TOTAL_FORMS": "2",
        "treatments-1-kind": "car_t",
        "treatments-1-name": "Tisagenlecleucel",
        "treatments-1-started_on_month": "10",
        "treatments-1-started_on_year": "2025",
        "treatments-1-ended_on_month": "11",
        "treatments-1-ended_on_year": "2025",
        "treatments-1-outcome": "did_not_work",
    },
}


def t_all_boy(travel="region", **overrides):
    pages = {k: {**v} for k, v in T_ALL_BOY.items()}
    pages["patient"]["travel"] = travel
    for page, values in overrides.items():
        pages.setdefault(page, {}).update(values)
    return make_case(**pages)


def found(case, filters=DEFAULT_FILTERS, limit=200) -> list[str]:
    return [o.study.nct_id for o in for_case(case, filters, limit=limit).options]


def test_a_relapsed_t_all_boy_after_car_t_sees_the_studies_that_fit(catalogue):
    case = t_all_boy(travel="region")
    results = for_case(case)
    # The post-CAR-T study first, then the other relapsed T-ALL trial in Ohio, and the program.
    assert [o.study.nct_id for o in results.options] == ["NCT09000102", "NCT09000101", "NCT09000103"]
    post_car_t, cd7, program = results.options
    assert "“Recurrent T Acute Lymphoblastic Leukemia” in conditions" in post_car_t.reasons
    assert "for patients after CAR-T: patient had CAR-T" in post_car_t.reasons
    assert "ages 12 to 39: patient is 14" in post_car_t.reasons
    assert "recruiting site 3 miles away (Columbus, Ohio, United States)" in post_car_t.reasons
    assert "“T-cell Acute Lymphoblastic Leukemia” in conditions" in cd7.reasons
    assert "ages 1 to 21: patient is 14" in cd7.reasons
    # Its Columbus site withdrew: the nearest open one is in Cleveland, still in Ohio.
    assert "recruiting site 124 miles away (Cleveland, Ohio, United States)" in cd7.reasons
    assert program.study.is_expanded_access
    assert "No sites listed: the treating doctor asks the sponsor for access" in program.unknowns
    # Excluded: adults only (104), completed (105), France only (106), newly diagnosed but in
    # Tennessee and Washington (107), girls and women only (108).
    for excluded in ("NCT09000104", "NCT09000105", "NCT09000106", "NCT09000107", "NCT09000108"):
        assert excluded not in found(case, Filters(scope=Scope.ANY))


def test_the_travel_answer_sets_the_place(catalogue):
    assert found(t_all_boy(travel="local")) == ["NCT09000102", "NCT09000103"]  # Cleveland is 124 miles
    country = found(t_all_boy(travel="country"))
    assert country == ["NCT09000102", "NCT09000101", "NCT09000103", "NCT09000107"]
    abroad = found(t_all_boy(travel="abroad"))
    assert "NCT09000106" in abroad and abroad.index("NCT09000107") == len(abroad) - 1  # newly diagnosed: last


def test_the_reviewer_can_widen_each_filter(catalogue):
    case = t_all_boy(travel="region")
    assert "NCT09000104" in found(case, Filters(age=False))
    assert "NCT09000108" in found(case, Filters(sex=False, place=Place.COUNTRY))  # Los Angeles
    assert "NCT09000108" not in found(case, Filters(place=Place.COUNTRY))
    assert "NCT09000105" in found(case, Filters(open_only=False))
    assert "NCT09000106" in found(case, Filters(place=Place.ANYWHERE))
    assert found(case, Filters(place=Place.LOCAL, miles=150)) == ["NCT09000102", "NCT09000101", "NCT09000103"]
    assert found(case, Filters(kinds="expanded_access")) == ["NCT09000103"]
    assert "NCT09000103" not in found(case, Filters(kinds="trials"))
    # Narrowing with words: only the CD7 study says CD7.
    assert found(case, Filters(text="CD7")) == ["NCT09000101"]


def test_the_age_is_the_patients_age_today(catalogue):
    case = t_all_boy(travel="region", patient={"patient_age": "16"})
    Case.objects.filter(pk=case.pk).update(submitted_at=timezone.now() - timedelta(days=2 * 365 + 3))
    case.refresh_from_db()
    assert Patient.from_case(case).age == 18
    assert "NCT09000104" in found(case)  # 18 to 75 now


def test_a_patient_who_may_have_outgrown_the_age_limit_since_the_case_came_in_is_flagged(catalogue):
    case = t_all_boy(travel="region", patient={"patient_age": "21"})
    submitted = timezone.now() - timedelta(days=240)
    Case.objects.filter(pk=case.pk).update(submitted_at=submitted)
    case.refresh_from_db()
    results = {o.study.nct_id: o for o in for_case(case).options}
    # 21 when the family wrote, eight months ago: a birthday since would make them 22.
    cd7 = results["NCT09000101"]  # ages 1 to 21
    came_in = timezone.localdate(submitted)
    assert "ages 1 to 21: patient is 21" in cd7.reasons
    assert (
        f"May have turned 22 since the case came in on {came_in.day} {came_in:%B %Y}: check the date of birth"
        in cd7.unknowns
    )
    assert not any("May have turned" in u for u in results["NCT09000102"].unknowns)  # ages 12 to 39

    # On an anniversary of the day they wrote, the age is certain.
    case.submitted_at = timezone.make_aware(datetime(2025, 3, 10, 12))
    on_the_day = Patient.from_case(case, today=date(2026, 3, 10))
    assert on_the_day.age == 22 and on_the_day.may_be_older_since is None
    assert Patient.from_case(case, today=date(2026, 3, 11)).may_be_older_since == date(2025, 3, 10)


def record_as(source: dict, nct_id: str, status: str) -> dict:
    record = copy.deepcopy(source)
    record["protocolSection"]["identificationModule"]["nctId"] = nct_id
    record["protocolSection"]["statusModule"]["overallStatus"] = status
    return record


def test_open_means_available_for_expanded_access_and_taking_patients_for_trials(catalogue):
    program = json.loads((WRITTEN_BY_US / "NCT09000103.json").read_text())
    trial = json.loads((WRITTEN_BY_US / "NCT09000101.json").read_text())
    variants = [
        record_as(program, "NCT09000201", "RECRUITING"),  # a program is open only while available
        record_as(program, "NCT09000202", "TEMPORARILY_NOT_AVAILABLE"),
        record_as(trial, "NCT09000203", "AVAILABLE"),  # a trial is never "available"
        record_as(trial, "NCT09000204", "ENROLLING_BY_INVITATION"),
        record_as(trial, "NCT09000205", "NOT_YET_RECRUITING"),
    ]
    with Importer() as importer:
        for record in variants:
            importer.feed("variant", record)
    case = t_all_boy(travel="region")
    shown = found(case)
    assert {"NCT09000103", "NCT09000204", "NCT09000205"} <= set(shown)
    assert not {"NCT09000201", "NCT09000202", "NCT09000203"} & set(shown)
    widened = found(case, Filters(open_only=False))
    assert {"NCT09000201", "NCT09000202", "NCT09000203"} <= set(widened)


def test_a_myeloma_patient_near_denver_sees_a_real_trial_nearby(catalogue):
    case = make_case(
        patient={
            "patient_age": "67",
            "sex_at_birth": "female",
            "region": "Colorado",
            "postal_code": "80045",
            "travel": "local",
        },
        diagnosis={"diagnosis": "myeloma", "disease_status": "relapsed"},
    )
    results = for_case(case)
    assert [o.study.nct_id for o in results.options] == ["NCT05827016"]
    reasons = results.options[0].reasons
    assert "“Multiple Myeloma” in conditions" in reasons and "ages 18 and over: patient is 67" in reasons
    assert any(r.startswith("site 1 mile away (Aurora, Colorado") for r in reasons), reasons
    assert "The nearest site does not list its own recruiting status" in results.options[0].unknowns
    assert "NCT05882279" not in found(case, Filters(place=Place.ANYWHERE))  # completed


def test_a_rare_diagnosis_in_japan_is_found_from_the_familys_own_words(catalogue):
    case = make_case(
        patient={
            "patient_age": "45",
            "country": "JP",
            "region": "Hiroshima",
            "postal_code": "",
            "travel": "country",
        },
        diagnosis={
            "diagnosis": "other",
            "diagnosis_other": "Aggressive NK-cell leukemia",
            "disease_status": "new",
        },
    )
    results = for_case(case)
    assert [o.study.nct_id for o in results.options] == ["NCT05863234"]
    assert "ages 20 to 70: patient is 45" in results.options[0].reasons
    assert "1 open site in Japan" in results.options[0].reasons


def test_a_t_lymphoblastic_lymphoma_case_finds_the_t_all_studies(catalogue):
    case = t_all_boy(travel="region", diagnosis={"diagnosis": "t_lbl"})
    assert found(case) == ["NCT09000102", "NCT09000101", "NCT09000103"]


def test_matching_takes_three_queries_whatever_the_filters(catalogue):
    case = t_all_boy(travel="local")
    patient = Patient.from_case(case)
    for filters in (
        Filters(),
        Filters(scope=Scope.ANY, place=Place.ANYWHERE),
        Filters(text="leukemia", open_only=False),
    ):
        with CaptureQueriesContext(connection) as queries:
            results = find_options(patient, filters, limit=50)
        assert results.total > 0
        # 1: the ranking with the total (a window function), over the narrow facts table;
        # 2: the page's studies; 3: their sites.
        assert len(queries) == 3, [q["sql"][:80] for q in queries]


# An independent reading of the raw records, to check that no study that excludes the patient is
# ever shown, and that every study that fits is. ------------------------------------------------

OPEN = {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE"}
OPEN_TRIAL = {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"}
UNIT_YEARS = {"year": 1, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25}


def raw_records() -> list[dict]:
    records = json.loads((SHARED_TRIALS / "studies-50.json").read_text())
    for folder in (SHARED_TRIALS / "single", WRITTEN_BY_US):
        records += [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    return records


def in_years(text):
    if not text:
        return None
    number, unit = text.split()
    return float(number) * UNIT_YEARS[unit.lower().rstrip("s")]


def miles(a, b):
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * 3958.8 * math.asin(math.sqrt(h))


def takes(record, *, age, sex, country, state, home, travel, reach=100) -> bool:
    p = record["protocolSection"]
    expanded_access = p.get("designModule", {}).get("studyType") == "EXPANDED_ACCESS"
    open_statuses = {"AVAILABLE"} if expanded_access else OPEN_TRIAL
    if p.get("statusModule", {}).get("overallStatus") not in open_statuses:
        return False
    rules = p.get("eligibilityModule", {})
    low, high = in_years(rules.get("minimumAge")), in_years(rules.get("maximumAge"))
    if (low is not None and low > age) or (high is not None and high < age):
        return False
    if rules.get("sex", "ALL") not in ("ALL", sex.upper()):
        return False
    locations = p.get("contactsLocationsModule", {}).get("locations", [])
    if travel == "abroad":
        return True
    if not locations and p.get("designModule", {}).get("studyType") == "EXPANDED_ACCESS":
        return True
    open_sites = [s for s in locations if s.get("status") in (None, *OPEN)]

    def near(site):
        point = site.get("geoPoint")
        return home is not None and point is not None and miles(home, (point["lat"], point["lon"])) <= reach

    if travel == "local":
        return any(near(s) for s in open_sites)
    if travel == "region":
        return any((s.get("country") == country and s.get("state") == state) or near(s) for s in open_sites)
    return any(s.get("country") == country for s in open_sites)


PATIENTS = [
    # age, sex, country code, country name, state, ZIP, travel
    (14, "male", "US", "United States", "Ohio", "43210", "region"),
    (14, "male", "US", "United States", "Ohio", "43210", "local"),
    (16, "female", "US", "United States", "Massachusetts", "02115", "local"),
    (40, "female", "US", "United States", "Colorado", "80045", "country"),
    (10, "female", "JP", "Japan", "Tokyo", "", "country"),
    (70, "male", "FR", "France", "Île-de-France", "", "abroad"),
    (30, "intersex", "US", "United States", "California", "94305", "country"),
    (3, "male", "US", "United States", "Texas", "77030", "region"),
]


@pytest.mark.parametrize(("age", "sex", "code", "country", "state", "zip_code", "travel"), PATIENTS)
def test_exactly_the_studies_that_take_the_patient_appear(
    catalogue, age, sex, code, country, state, zip_code, travel
):
    case = make_case(
        patient={
            "patient_age": str(age),
            "sex_at_birth": sex,
            "country": code,
            "region": state,
            "postal_code": zip_code,
            "travel": travel,
        }
    )
    home = geo.zip_centroid(zip_code)
    expected = {
        r["protocolSection"]["identificationModule"]["nctId"]
        for r in raw_records()
        if takes(r, age=age, sex=sex if sex in ("male", "female") else "all", country=country, state=state,
                 home=(home.latitude, home.longitude) if home else None, travel=travel)
    }  # fmt: skip
    shown = set(found(case, Filters(scope=Scope.ANY), limit=500))
    assert shown == expected
    assert shown, "each of these patients has something that fits"
