"""A report option written from a study, in plain words, for the reviewer to edit before sending."""

from trials import synonyms
from trials.matching import Patient, age_range_words, explain, nearest_open_sites
from trials.models import EligibilityReview, Study, Verdict

PHASE_WORDS = {"EARLY_PHASE1": "early phase 1", "PHASE1": "phase 1", "PHASE2": "phase 2", "PHASE3": "phase 3"}
MAX_QUESTIONS = 6


def _list(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _treatments(study: Study) -> list[str]:
    return [name.split(": ", 1)[-1] for name in study.interventions][:4]


def what_it_is(study: Study) -> str:
    treatments = _list(_treatments(study))
    if study.is_expanded_access:
        text = "An expanded-access (compassionate use) program: a way to get a treatment outside a trial"
        text += f", here {treatments}," if treatments else ","
        return f"{text} when the treating doctor asks the company for it. Run by {study.sponsor}."
    phases = [PHASE_WORDS[p] for p in study.phases if p in PHASE_WORDS]
    kind = "observational study" if study.study_type == Study.StudyType.OBSERVATIONAL else "clinical trial"
    text = f"A {'/'.join(phases) + ' ' if phases else ''}{kind}"
    text += f" testing {treatments}." if treatments else "."
    return f"{text} Run by {study.sponsor}." if study.sponsor else text


def why_it_may_fit(study: Study, patient: Patient, review: EligibilityReview | None) -> str:
    sentences = []
    found = synonyms.first_match(
        [*study.conditions, *study.keywords, study.brief_title], patient.diagnosis_phrases()
    )
    if found:
        sentences.append(f"It is for {found[0]}.")
    words = [*study.conditions, *study.keywords, study.brief_title, study.title]
    if patient.relapsed and synonyms.first_match(words, synonyms.RELAPSED_WORDS):
        sentences.append("It is for illness that came back or did not respond to treatment.")
    for kind in sorted(patient.treatment_kinds & synonyms.AFTER_TREATMENT.keys()):
        if synonyms.first_match(words, synonyms.AFTER_TREATMENT[kind]):
            sentences.append(
                f"It is for people who already had {synonyms.TREATMENT_NAMES[kind]}, as your child did."
            )
    ages = age_range_words(study)
    sentences.append(f"It takes patients of {ages}." if ages != "no age limits" else "It has no age limit.")
    if review is not None:
        lines = list(review.judgements.all())
        meets = sum(1 for j in lines if j.verdict == Verdict.MEETS)
        sentences.append(
            f"We checked its rules one by one: {meets} of {len(lines)} look fine from what you told us."
        )
    return " ".join(sentences)


def what_to_ask(study: Study, patient: Patient, review: EligibilityReview | None) -> str:
    questions = _open_rules(review) if review is not None else ["- Could my child take part?"]
    questions.append("- Is the study still open at the nearest site?")
    # What matching could not settle (a stale record, a site without a status, an age from the birth
    # year...) is for the care team to check too, or the family never hears of it.
    questions += [f"- Please check: {unknown}." for unknown in explain(study, patient).unknowns]
    return "\n".join(questions)


def _open_rules(review: EligibilityReview) -> list[str]:
    open_lines = [j for j in review.judgements.all() if j.verdict != Verdict.MEETS]
    questions = []
    for line in open_lines[:MAX_QUESTIONS]:
        rule = (
            "Can my child take part if this is true"
            if line.kind == "exclusion"
            else "Does my child meet this"
        )
        questions.append(f"- {rule}: “{line.text}”?")
    if len(open_lines) > MAX_QUESTIONS:
        questions.append(f"- And {len(open_lines) - MAX_QUESTIONS} more rules on the study page.")
    return questions


def where(study: Study, patient: Patient) -> str:
    sites = nearest_open_sites(patient, list(study.sites.all()))
    if not sites:
        return (
            "No sites listed: the treating doctor contacts the company." if study.is_expanded_access else ""
        )
    lines = []
    for site, miles in sites:
        distance = f" ({miles:,.0f} miles from home)" if miles is not None else ""
        lines.append(f"{site.facility or 'Site'}, {site.place}{distance}")
    return "\n".join(lines)


def contact(study: Study) -> str:
    people = study.central_contacts or [c for s in study.sites.all() for c in s.contacts][:1]
    lines = [", ".join(p.get(k, "") for k in ("name", "phone", "email") if p.get(k)) for p in people[:2]]
    return "\n".join(line for line in lines if line) or "See the study page on ClinicalTrials.gov."


def option_fields(study: Study, patient: Patient, review: EligibilityReview | None) -> dict:
    from intake.models import ReportOption

    return {
        "kind": ReportOption.Kind.EXPANDED_ACCESS if study.is_expanded_access else ReportOption.Kind.TRIAL,
        "title": study.name[:200],
        "what_it_is": what_it_is(study),
        "why_it_may_fit": why_it_may_fit(study, patient, review),
        "what_to_ask": what_to_ask(study, patient, review),
        "where": where(study, patient),
        "contact": contact(study),
        "identifier": study.nct_id,
        "link": study.url,
    }
