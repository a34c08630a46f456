"""Pre-filling an eligibility check from the case, criterion by criterion.

For each inclusion or exclusion item the application suggests "meets", "does not meet" or "unknown",
with the fact from the case it used. A suggestion is only a starting point: the reviewer confirms or
changes every line. The rules are deliberately narrow; anything they do not recognise is unknown.

"Meets" always means "compatible with taking part": for an exclusion item, that it does not apply.
"""

import re
from dataclasses import dataclass

from intake.models import Case
from trials import synonyms
from trials.matching import Patient
from trials.models import Verdict

# ECOG grade → the Karnofsky (adults) or Lansky (children) scores it corresponds to.
KARNOFSKY_FOR_ECOG = {0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (10, 20)}
CAR_T = ["car-t", "car t", "cart", "chimeric antigen receptor"]
TRANSPLANT = ["transplant", "transplantation", "transplanted", "hsct", "allo hct", "allogeneic hct"]
PRIOR = re.compile(r"\b(prior|previous|previously|received|after|following|history of|relapse after)\b", re.I)
ALLERGY = re.compile(r"\b(allerg|hypersensitiv|intoleran)", re.I)
NUMBER_YEARS = r"(\d{1,3})\s*(?:years?|yrs?)"
AGE_RANGE = re.compile(r"(\d{1,3})\s*(?:years?\s*)?(?:to|-|\u2013|through|and)\s*" + NUMBER_YEARS, re.I)
AGE_MIN = re.compile(
    r"(?:≥|>=|at least|aged? over|older than|minimum(?: age)? of)\s*" + NUMBER_YEARS
    + r"|" + NUMBER_YEARS + r"(?: of age| old)?\s*(?:or|and) (?:older|over|above)",
    re.I,
)  # fmt: skip
AGE_MAX = re.compile(r"(?:≤|<=|under|younger than|up to|less than|<)\s*" + NUMBER_YEARS, re.I)
ECOG = re.compile(
    r"\b(?:ECOG|WHO|Zubrod)\b[^.;]*?(?:≤|<=|of|status|score|grade|PS)?\s*(\d)(?:\s*(?:-|\u2013|to|or)\s*(\d))?"
)
KARNOFSKY = re.compile(r"\b(?:Karnofsky|Lansky|KPS)\b[^.;]*?(?:≥|>=|at least|of|score)?\s*(\d{2,3})\s*%?")


@dataclass(frozen=True)
class Suggestion:
    verdict: str
    fact: str


UNKNOWN = Suggestion(Verdict.UNKNOWN, "")


def suggest(kind: str, text: str, patient: Patient, treatments: list[tuple[str, str]]) -> Suggestion:
    """`treatments`: (kind, name) pairs from the case's treatment history."""
    for rule in (_sex_conditional, _age, _performance, _prior_treatment, _diagnosis_and_status):
        found = rule(kind, text, patient, treatments)
        if found is not None:
            applies, fact = found
            if applies is None:
                return Suggestion(Verdict.UNKNOWN, fact)
            # An inclusion item must apply; an exclusion item must not.
            meets = applies if kind == "inclusion" else not applies
            return Suggestion(Verdict.MEETS if meets else Verdict.DOES_NOT_MEET, fact)
    return UNKNOWN


def _age(kind, text, patient, treatments):
    if patient.age is None or not re.search(r"\bage|years? old|years? of age", text, re.I):
        return None
    low = high = None
    if match := AGE_RANGE.search(text):
        low, high = int(match.group(1)), int(match.group(2))
    else:
        if match := AGE_MIN.search(text):
            low = int(match.group(1) or match.group(2))
        if match := AGE_MAX.search(text):
            high = int(match.group(1))
            if re.search(r"(under|younger than|less than|<)\s*\d", text, re.I) and "≤" not in text:
                high -= 1
    if low is None and high is None:
        return None
    fact = f"Patient is {patient.age} today"
    inside = (low is None or patient.age >= low) and (high is None or patient.age <= high)
    if patient.age_from_birth_year and low is not None and patient.age - 1 < low <= patient.age:
        return None, f"{fact} (from the birth year: may be {patient.age - 1})"
    if sex := _sex_required(text):
        if patient.sex not in (Case.Sex.FEMALE, Case.Sex.MALE):
            return None, f"{fact}; sex at birth not given"
        return inside and patient.sex == sex, f"{fact}, {patient.sex}"
    return inside, fact


def _sex_required(text: str) -> str | None:
    start = text.strip().lower()
    if re.match(r"(female|women|girls)\b", start):
        return Case.Sex.FEMALE
    if re.match(r"(male|men|boys)\b", start):
        return Case.Sex.MALE
    return None


def _sex_conditional(kind, text, patient, treatments):
    lowered = text.lower()
    if not re.search(r"childbearing|pregnan|breast-?feeding|lactating", lowered):
        return None
    if patient.sex == Case.Sex.MALE:
        # Applies to women only: for a male patient an exclusion does not apply, an inclusion is moot.
        return kind == "inclusion", "Patient is male"
    return None, f"Patient is {patient.sex}: ask the care team"


def _performance(kind, text, patient, treatments):
    if not ECOG.search(text) and not KARNOFSKY.search(text):
        return None
    if patient.ecog is None:
        return None, "Day-to-day condition not given: ask the care team"
    label = f"Day-to-day condition is ECOG {patient.ecog}"
    if match := ECOG.search(text):
        allowed = int(match.group(2) or match.group(1))
        if re.search(r"(≤|<=|or less|or lower|0\s*(-|\u2013|to|or)\s*\d)", text) or match.group(2):
            return patient.ecog <= allowed, label
        return None, label
    if match := KARNOFSKY.search(text):
        needed = int(match.group(1))
        low, high = KARNOFSKY_FOR_ECOG[patient.ecog]
        fact = f"{label}, about Karnofsky/Lansky {low}-{high}"
        if low >= needed:
            return True, fact
        if high < needed:
            return False, fact
        return None, fact
    return None


def _names(treatments, kinds) -> str:
    names = [name or kind.replace("_", "-") for kind, name in treatments if kind in kinds]
    return ", ".join(names)


def _prior_treatment(kind, text, patient, treatments):
    if ALLERGY.search(text):
        return None
    lowered = synonyms.normalise(text)
    if any(f" {synonyms.normalise(t)} " in f" {lowered} " for t in CAR_T):
        had = "car_t" in patient.treatment_kinds
        target = re.search(r"\bCD\d{1,3}\b", text)
        if had and target and target.group(0).lower() not in _names(treatments, {"car_t"}).lower():
            return None, f"Had CAR-T ({_names(treatments, {'car_t'})}); its target is not in the answers"
        return (
            had,
            f"Had CAR-T: {_names(treatments, {'car_t'})}" if had else "No CAR-T in the treatment history",
        )
    if any(f" {t} " in f" {lowered} " for t in TRANSPLANT):
        had = "transplant" in patient.treatment_kinds
        if had and re.search(r"\bwithin\b|\bdays\b|\bmonths\b", text, re.I):
            return None, f"Had a transplant ({_names(treatments, {'transplant'})}): check when"
        return had, (
            f"Had a transplant: {_names(treatments, {'transplant'})}"
            if had
            else "No transplant in the history"
        )
    if not PRIOR.search(text):
        return None
    if "chemotherapy" in lowered:
        had = "chemotherapy" in patient.treatment_kinds
        names = _names(treatments, {"chemotherapy"})
        return had, f"Had chemotherapy: {names}" if had else "No chemotherapy in the treatment history"
    for _kind, name in treatments:
        word = name.split(" ")[0].strip("()").lower() if name else ""
        if len(word) >= 6 and re.search(rf"\b{re.escape(word)}\b", text, re.I):
            return True, f"Had {name}"
    target = re.search(r"\b(CD\d{1,3})[- ]?(?:directed|targeted|targeting)\b", text, re.I)
    if target:
        names = " ".join(n for _, n in treatments).lower()
        if target.group(1).lower() in names:
            return True, f"Had a {target.group(1)}-directed treatment"
        return None, f"No {target.group(1)}-directed treatment named in the history"
    return None


def _diagnosis_and_status(kind, text, patient, treatments):
    if kind != "inclusion":
        return None
    phrases = patient.diagnosis_phrases()
    names_diagnosis = bool(phrases) and synonyms.first_match([text], phrases) is not None
    says_relapsed = synonyms.first_match([text], synonyms.RELAPSED_WORDS) is not None
    says_new = synonyms.first_match([text], [*synonyms.NEWLY_DIAGNOSED_WORDS, "no prior therapy"]) is not None
    if not (names_diagnosis or says_relapsed or says_new):
        return None
    facts = []
    applies: bool | None = True
    if names_diagnosis:
        facts.append(f"Diagnosis: {patient.diagnosis_label}")
    elif phrases:
        applies = None  # it names a disease, perhaps with other words: the reviewer decides
    if says_relapsed or says_new:
        status = dict(Case.DiseaseStatus.choices).get(patient.disease_status, patient.disease_status)
        facts.append(f"Disease status: {status}")
        if says_relapsed and not says_new and not patient.relapsed:
            new_or_well = patient.disease_status in (Case.DiseaseStatus.NEW, Case.DiseaseStatus.REMISSION)
            applies = False if new_or_well else None
        if says_new and not says_relapsed and (patient.relapsed or patient.treatment_kinds - {"other"}):
            applies = False
    return applies, "; ".join(facts)


def prefill(study, patient: Patient, treatments: list[tuple[str, str]]) -> list[dict]:
    """Every criterion of the study with its suggestion, in order: inclusion first."""
    lines = []
    for kind, items in (("inclusion", study.inclusion), ("exclusion", study.exclusion)):
        for position, text in enumerate(items):
            suggestion = suggest(kind, text, patient, treatments)
            lines.append(
                {
                    "kind": kind,
                    "position": position,
                    "text": text,
                    "suggested": suggestion.verdict,
                    "fact": suggestion.fact,
                }
            )
    return lines
