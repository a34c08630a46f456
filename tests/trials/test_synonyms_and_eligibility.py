"""The synonym table, and the criterion-by-criterion pre-fill."""

import dataclasses
import json

import pytest

from intake import diagnoses
from intake.models import Case
from tests.conftest import WRITTEN_BY_US, import_catalogue, make_case
from trials import synonyms
from trials.eligibility import prefill, suggest
from trials.matching import Filters, Patient, Scope, for_case
from trials.models import Study, Verdict
from trials.records import split_criteria

pytestmark = pytest.mark.django_db


def test_every_diagnosis_has_names_in_the_table():
    for code, _, group in diagnoses.DIAGNOSES:
        assert code in synonyms.SPECIFIC, code
        assert group in synonyms.GROUP, group
        if code != "other":
            assert synonyms.for_diagnosis(code), code


@pytest.mark.parametrize(
    "words",
    [
        "T-lymphoblastic lymphoma",
        "T lymphoblastic lymphoma",
        "T-cell ALL",
        "T-ALL",
        "precursor T-cell lymphoblastic leukemia",
        "T-cell acute lymphoblastic leukaemia",
    ],
)
def test_the_names_of_t_all_lead_to_t_all(words):
    assert synonyms.diagnosis_named_in(f"relapsed {words} after CAR-T") == "t_all"


def test_other_diseases_are_not_taken_for_t_all():
    for words in ("B-cell acute lymphoblastic leukemia", "acute lymphoblastic leukemia", "T-cell lymphoma"):
        assert synonyms.diagnosis_named_in(words) != "t_all", words


def test_a_search_for_t_lymphoblastic_lymphoma_finds_the_t_all_studies(catalogue):
    case = make_case(diagnosis={"diagnosis": "other", "diagnosis_other": "Rare histiocytic disorder"})
    filters = Filters(scope=Scope.ANY, text="T-lymphoblastic lymphoma", place="anywhere")
    shown = [o.study.nct_id for o in for_case(case, filters).options]
    # None of these studies says "T-lymphoblastic lymphoma": they say T-cell acute lymphoblastic
    # leukemia, T-ALL, or "Precursor T-Cell Lymphoblastic Leukemia-Lymphoma".
    assert set(shown) == {"NCT09000101", "NCT09000102", "NCT09000103", "NCT09000106", "NCT09000107"}


def test_the_search_document_reads_every_way_of_writing_t_all(tmp_path):
    template = json.loads((WRITTEN_BY_US / "NCT09000105.json").read_text())
    template["protocolSection"]["statusModule"]["overallStatus"] = "RECRUITING"
    spellings = [
        "T Cell Acute Lymphoblastic Leukemia",
        "T-ALL",
        "T-cell ALL",
        "B-ALL",
        "Acute Lymphoblastic Leukemia",
    ]
    for i, spelling in enumerate(spellings):
        template["protocolSection"]["identificationModule"]["nctId"] = f"NCT0800000{i}"
        template["protocolSection"]["identificationModule"]["briefTitle"] = "A study"
        template["protocolSection"]["identificationModule"]["officialTitle"] = "A study"
        template["protocolSection"]["conditionsModule"] = {"conditions": [spelling]}
        (tmp_path / f"{i}.json").write_text(json.dumps(template))
    import_catalogue(tmp_path)
    case = make_case()
    shown = {o.study.nct_id for o in for_case(case, Filters(place="anywhere")).options}
    assert shown == {"NCT08000000", "NCT08000001", "NCT08000002"}  # not B-ALL, not ALL in general
    widened = {o.study.nct_id for o in for_case(case, Filters(scope=Scope.GROUP, place="anywhere")).options}
    # The group adds acute lymphoblastic leukemia in general, and the other diagnoses of the group.
    assert widened == {"NCT08000000", "NCT08000001", "NCT08000002", "NCT08000003", "NCT08000004"}


def test_criteria_are_split_into_items_with_sub_items_kept_together():
    inclusion, exclusion = split_criteria(
        "Key Inclusion Criteria:\n\n1. Age 1 to 21\n2. Adequate organ function:\n   * creatinine normal\n"
        "   * bilirubin \\< 1.5 x ULN\n\nKey Exclusion Criteria:\n\n"
        "* Active infection\n  continued on a line\n* None"
    )
    assert inclusion == ["Age 1 to 21", "Adequate organ function: creatinine normal bilirubin < 1.5 x ULN"]
    assert exclusion == ["Active infection continued on a line"]


@pytest.fixture
def boy(db):
    return make_case(
        patient={"patient_age": "14", "sex_at_birth": "male"},
        diagnosis={"diagnosis": "t_all", "disease_status": "relapsed"},
        now={"condition": "1"},
        treatments={
            "treatments-TOTAL_FORMS": "2",
            "treatments-1-kind": "car_t",
            "treatments-1-name": "Tisagenlecleucel",
            "treatments-1-outcome": "did_not_work",
        },
    )


def lines_for(case: Case, nct_id: str) -> list[tuple[str, str, str]]:
    treatments = list(case.treatments.values_list("kind", "name"))
    study = Study.objects.get(nct_id=nct_id)
    return [
        (line["text"], line["suggested"], line["fact"])
        for line in prefill(study, Patient.from_case(case), treatments)
    ]


def test_the_check_is_prefilled_from_the_case_with_the_fact_used(catalogue, boy):
    lines = lines_for(boy, "NCT09000101")
    assert lines[0] == ("Age 1 to 21 years at the time of enrollment", Verdict.MEETS, "Patient is 14 today")
    assert lines[1][1:] == (
        Verdict.MEETS,
        "Diagnosis: T-cell acute lymphoblastic leukemia (T-ALL); Disease status: It came back (relapsed)",
    )
    assert lines[2][1] == Verdict.UNKNOWN  # CD7 expression: not in the answers
    assert lines[3][1:] == (Verdict.MEETS, "Day-to-day condition is ECOG 1, about Karnofsky/Lansky 70-80")
    assert lines[5][1:] == (Verdict.UNKNOWN, "No CD7-directed treatment named in the history")
    assert lines[-1] == ("Pregnant or breastfeeding", Verdict.MEETS, "Patient is male")

    post_car_t = lines_for(boy, "NCT09000102")
    assert post_car_t[2] == (
        "Prior treatment with CAR-T cell therapy",
        Verdict.MEETS,
        "Had CAR-T: Tisagenlecleucel",
    )
    assert post_car_t[3][1:] == (Verdict.MEETS, "Day-to-day condition is ECOG 1")
    assert post_car_t[5][1:] == (Verdict.MEETS, "No transplant in the history")

    frontline = lines_for(boy, "NCT09000107")
    assert frontline[1][1] == Verdict.DOES_NOT_MEET  # newly diagnosed only
    assert frontline[3][1:] == (Verdict.DOES_NOT_MEET, "Had chemotherapy: BFM protocol")
    assert lines_for(boy, "NCT09000104")[0][1:] == (Verdict.DOES_NOT_MEET, "Patient is 14 today")


def test_what_the_answers_cannot_settle_stays_unknown(boy):
    patient = Patient.from_case(boy)
    assert suggest("inclusion", "Adequate bone marrow function", patient, []).verdict == Verdict.UNKNOWN
    born = make_case(patient={"patient_age": "", "patient_birth_year": "2008"})
    patient = Patient.from_case(born)
    edge = suggest("inclusion", f"Age at least {patient.age} years", patient, [])
    assert edge.verdict == Verdict.UNKNOWN and "may be" in edge.fact
    woman = Patient.from_case(make_case(patient={"sex_at_birth": "female", "patient_age": "30"}))
    assert suggest("exclusion", "Pregnant or breastfeeding", woman, []).verdict == Verdict.UNKNOWN
    # The shared answers say ECOG 2.
    assert suggest("inclusion", "ECOG performance status 0-1", woman, []).verdict == Verdict.DOES_NOT_MEET
    # Only a purged case has no day-to-day condition; it is asked about, never guessed.
    untold = dataclasses.replace(woman, ecog=None)
    for text in ["ECOG performance status 0-1", "Karnofsky or Lansky score of at least 60"]:
        line = suggest("inclusion", text, untold, [])
        assert (line.verdict, line.fact) == (
            Verdict.UNKNOWN,
            "Day-to-day condition not given: ask the care team",
        )
