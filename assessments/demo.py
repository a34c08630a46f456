"""Synthetic, realistic demo cases, built through the same code path as the family's form.

Every case's answers are validated by the form classes and turned into a case by
intake.submission.build_case and prepare, exactly as a submitted form is. Only the saving is done in
bulk, so that 100,000 cases take minutes, not hours.
"""

import multiprocessing
import random
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

from django.db import connections, transaction
from django.utils import timezone

from assessments.models import AuditEvent, Note
from intake import consent, diagnoses
from intake.lifecycle import consents as consents_module
from intake.models import (
    Case,
    Consent,
    ConsentRecord,
    FamilyLink,
    Message,
    Report,
    ReportOption,
    Treatment,
    new_reference,
    refresh_search_documents,
    search_text,
)
from intake.submission import CaseAnswers, build_case, prepare

FIRST_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Grace", "Hugo", "Ines", "Jamal", "Kai", "Lena"]
LAST_NAMES = ["Garcia", "Nguyen", "Smith", "Okafor", "Rossi", "Khan", "Cohen", "Silva", "Müller", "Park"]
REGIONS = [
    ("US", "Ohio", "43210"),
    ("US", "Texas", "77030"),
    ("US", "California", "94305"),
    ("CA", "Ontario", "M5G 1X8"),
    ("GB", "London", "WC1N 3JH"),
    ("US", "New York", "10065"),
    ("MX", "Jalisco", "44100"),
    ("US", "Florida", "33136"),
]
TREATMENT_NAMES = {
    "chemotherapy": [
        "BFM protocol",
        "Hyper-CVAD",
        "Nelarabine",
        "R-CHOP",
        "FOLFOX",
        "Cytarabine and daunorubicin",
    ],
    "immunotherapy": ["Blinatumomab", "Pembrolizumab", "Nivolumab", "Daratumumab"],
    "car_t": ["Tisagenlecleucel", "Axicabtagene ciloleucel", "CD7 CAR-T (trial)"],
    "transplant": ["Allogeneic stem cell transplant", "Autologous stem cell transplant"],
    "radiation": ["Cranial radiation", "Proton therapy", "Whole-brain radiation"],
    "surgery": ["Resection", "Biopsy and debulking"],
    "targeted": ["Venetoclax", "Imatinib", "Osimertinib", "Ibrutinib"],
    "trial": ["Phase 1 trial", "Phase 2 trial"],
    "other": ["Steroids", "Supportive care"],
}
GENETICS = [
    "NOTCH1 mutation",
    "FLT3-ITD positive",
    "Philadelphia chromosome negative",
    "TP53 mutation",
    "KMT2A rearranged",
    "BRCA2 carrier",
    "EGFR exon 19 deletion",
    "",
    "",
    "",
]
OWN_WORDS = [
    "",
    "",
    "The doctors say we need a plan within weeks.",
    "We are running out of time.",
    "A treatment decision is coming up next month.",
    "Things are stable for now.",
    "He was moved to intensive care last week.",
    "We want to understand every option.",
]
NOTES = [
    "Checked ClinicalTrials.gov for CD7 CAR-T studies.",
    "Asked colleague about expanded access for nelarabine.",
    "Family prefers trials within the US.",
    "Waiting on pathology report.",
    "Call scheduled with the family.",
]
STATUS_WEIGHTS = [
    (Case.Status.NEW, 18),
    (Case.Status.TRIAGED, 20),
    (Case.Status.IN_REVIEW, 25),
    (Case.Status.WAITING_ON_FAMILY, 10),
    (Case.Status.REPORT_SENT, 15),
    (Case.Status.CLOSED, 12),
]


def demo_answers(rng: random.Random, now) -> dict:
    """One family's answers, as the form would post them."""
    code = rng.choice(diagnoses.DIAGNOSES)[0]
    country, region, postal = rng.choice(REGIONS)
    age = rng.choice([rng.randint(1, 17), rng.randint(18, 40), rng.randint(41, 85)])
    diagnosed = now.date() - timedelta(days=rng.randint(30, 2000))
    first = rng.choice(FIRST_NAMES)
    email = f"{first.lower()}.{rng.randint(1, 99999)}@example.com"
    treatments = {}
    count = rng.choice([0, 1, 1, 2, 2, 3, 4])
    for i in range(count):
        kind = rng.choice(list(TREATMENT_NAMES))
        start = diagnosed + timedelta(days=30 * i + rng.randint(0, 25))
        start = min(start, now.date())
        end = min(start + timedelta(days=rng.randint(30, 200)), now.date())
        treatments.update(
            {
                f"treatments-{i}-kind": [kind],
                f"treatments-{i}-name": [rng.choice(TREATMENT_NAMES[kind])],
                f"treatments-{i}-started_on_month": [str(start.month)],
                f"treatments-{i}-started_on_year": [str(start.year)],
                f"treatments-{i}-ended_on_month": [str(end.month)],
                f"treatments-{i}-ended_on_year": [str(end.year)],
                f"treatments-{i}-outcome": [
                    rng.choice(["worked", "partly", "did_not_work", "too_early", "unsure"])
                ],
            }
        )
    goals = rng.sample(["trials", "expanded_access", "second_opinion", "understand"], k=rng.randint(1, 3))
    return {
        "about-you": {
            "contact_name": [f"{first} {rng.choice(LAST_NAMES)}"],
            "contact_email": [email],
            "contact_email_confirm": [email],
            "contact_phone": [rng.choice(["", "555 010 2020", "+1 614 555 0199"])],
            "relationship": [
                rng.choice(["self", "parent", "parent", "spouse", "adult_child", "relative", "friend"])
            ],
            "contact_preference": ["email"],
            "preferred_language": [rng.choice(["en", "en", "en", "es", "zh", "fr"])],
        },
        "patient": {
            "patient_name": [rng.choice(FIRST_NAMES)[0] + rng.choice(LAST_NAMES)[0]],
            "patient_age": [str(age)],
            "patient_birth_year": [""],
            "sex_at_birth": [rng.choice(["female", "male"])],
            "country": [country],
            "region": [region],
            "postal_code": [postal],
            "travel": [rng.choice(["local", "region", "country", "abroad"])],
        },
        "diagnosis": {
            "diagnosis": [code],
            "diagnosis_other": ["Rare histiocytic disorder" if code == "other" else ""],
            "diagnosed_on_month": [str(diagnosed.month)],
            "diagnosed_on_year": [str(diagnosed.year)],
            "disease_status": [
                rng.choice(
                    ["new", "in_treatment", "remission", "relapsed", "relapsed", "refractory", "unsure"]
                )
            ],
            "genetic_results": [rng.choice(GENETICS)],
            "treating_center": [
                rng.choice(["", "Children's Hospital", "University Medical Center", "Dr. Patel"])
            ],
        },
        "treatments": {
            "treatments-TOTAL_FORMS": [str(count)],
            "treatments-INITIAL_FORMS": ["0"],
            "treatments-MIN_NUM_FORMS": ["0"],
            "treatments-MAX_NUM_FORMS": ["30"],
            **treatments,
        },
        "now": {
            "condition": [str(rng.choice([0, 1, 1, 2, 2, 3, 4]))],
            "goals": goals,
            "goals_other": [""],
            "urgency_in_own_words": [rng.choice(OWN_WORDS)],
            "anything_else": [""],
        },
        "documents": {},
    }


def _workflow(case: Case, status: str, rng: random.Random, reviewer_ids: list[int], now) -> None:
    """Put a demo case somewhere along the workflow, as if reviewers had worked on it."""
    case.status = status
    if status == Case.Status.NEW:
        return
    case.triaged_at = case.submitted_at + timedelta(hours=rng.randint(1, 30))
    case.status_changed_at = case.triaged_at
    if status == Case.Status.TRIAGED:
        case.measure_response_clock()
        return
    # Work started a day or two after triage, by a demo reviewer when there are any.
    case.assigned_at = case.triaged_at + timedelta(hours=rng.randint(1, 48))
    case.status_changed_at = case.assigned_at
    if reviewer_ids:
        case.assigned_to_id = rng.choice(reviewer_ids)
    else:
        case.assigned_at = None
    if status == Case.Status.WAITING_ON_FAMILY:
        case.clock_paused_at = min(now, case.status_changed_at + timedelta(days=1))
    elif status in (Case.Status.REPORT_SENT, Case.Status.CLOSED):
        case.first_response_at = min(now, case.status_changed_at + timedelta(days=rng.randint(1, 9)))
        case.first_answered_by_id = case.assigned_to_id
        case.status_changed_at = case.first_response_at
    case.measure_response_clock()


QUESTIONS = [
    "Could you upload the most recent bone marrow or pathology report?",
    "Which treatment is the patient getting right now, and since when?",
    "Has the care team mentioned a stem cell transplant?",
]
OPTIONS = [
    {
        "kind": ReportOption.Kind.TRIAL,
        "title": "A CAR-T cell therapy trial",
        "what_it_is": "A study of the patient's own immune cells, changed in a lab to attack the cancer.",
        "why_it_may_fit": "It is for people whose disease came back after chemotherapy.",
        "what_to_ask": "Would the patient be eligible? How far away is the nearest site?",
        "identifier": "NCT05397184",
        "link": "https://clinicaltrials.gov/study/NCT05397184",
    },
    {
        "kind": ReportOption.Kind.EXPANDED_ACCESS,
        "title": "An expanded access program",
        "what_it_is": "A way to get a medicine that is still being tested, outside of a trial.",
        "why_it_may_fit": "It can help when no trial fits and other treatments have stopped working.",
        "what_to_ask": "Would the doctor ask the drug company for access?",
    },
    {
        "kind": ReportOption.Kind.SECOND_OPINION,
        "title": "A second opinion at a specialist center",
        "what_it_is": "Another team of experts looks at the case and the options.",
        "why_it_may_fit": "Specialist centers see more people with this diagnosis.",
        "what_to_ask": "Can the records be sent to a specialist center for review?",
    },
]


def _demo_report(case: Case, rng: random.Random) -> Report:
    return Report(
        case=case,
        version=1,
        understanding=f"We read about the {case.diagnosis_label.lower()} and the treatments so far.",
        questions="What are the next treatment options?\nIs a clinical trial a good idea now?",
        next_steps="Please share this report with your care team and ask the questions above.",
        written_by_id=case.assigned_to_id,
        sent_by_id=case.assigned_to_id,
        sent_at=case.first_response_at,
        created_at=case.first_response_at,
    )


def build_batch(batch_seed: int, size: int, now, reviewer_ids: list[int]) -> list[CaseAnswers]:
    """Build and validate one batch of cases. Runs in worker processes, so it touches no database."""
    rng = random.Random(batch_seed)
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    built_cases = []
    for _ in range(size):
        built = build_case(demo_answers(rng, now))
        prepare(built, submitted_at=now - timedelta(minutes=rng.randint(10, 60 * 24 * 180)))
        built.case.submission_key = uuid.uuid4()
        _workflow(built.case, rng.choice(statuses), rng, reviewer_ids, now)
        built_cases.append(built)
    return built_cases


def save_batch(built_cases: list[CaseAnswers], rng: random.Random) -> None:
    _unique_references([b.case for b in built_cases])
    with transaction.atomic():
        cases = Case.objects.bulk_create([b.case for b in built_cases])
        treatments, consents, links, events, notes, texts = [], [], [], [], [], {}
        reports, messages = [], []
        for built, case in zip(built_cases, cases, strict=True):
            for t in built.treatments:
                t.case = case
            treatments += built.treatments
            consents.append(
                Consent(
                    case=case,
                    version=consent.CURRENT_VERSION,
                    privacy_notice=True,
                    reviewers_may_read=True,
                    research_contact=rng.random() < 0.4,
                    agreed_at=case.submitted_at,
                    ip_address=None,
                    user_agent="seed_demo",
                )
            )
            links.append(FamilyLink(case=case, created_at=case.submitted_at))
            events.append(
                AuditEvent(
                    action=AuditEvent.Action.SUBMITTED,
                    actor_label="family",
                    case=case,
                    case_reference=case.reference,
                    at=case.submitted_at,
                )
            )
            case_notes = []
            if case.assigned_to_id and rng.random() < 0.5:
                note = Note(
                    case=case,
                    author_id=case.assigned_to_id,
                    body=rng.choice(NOTES),
                    created_at=case.assigned_at,
                )
                case_notes.append(note)
            notes += case_notes
            if case.first_response_at:
                reports.append(_demo_report(case, rng))
            if case.status == Case.Status.WAITING_ON_FAMILY:
                messages.append(
                    Message(
                        case=case,
                        sender=Message.Sender.REVIEWER,
                        author_id=case.assigned_to_id,
                        kind=Message.Kind.QUESTION,
                        body=rng.choice(QUESTIONS),
                        created_at=case.clock_paused_at,
                    )
                )
            texts[case.pk] = search_text(
                case, [t.name for t in built.treatments], [n.body for n in case_notes]
            )
        Treatment.objects.bulk_create(treatments)
        Consent.objects.bulk_create(consents)
        ConsentRecord.objects.bulk_create(
            ConsentRecord(
                case_id=c.case.pk,
                purpose=purpose,
                given=getattr(c, consents_module.TEXT_KEYS[purpose]),
                text_version=c.version,
                via=ConsentRecord.Via.CASE_FORM,
                at=c.agreed_at,
                user_agent=c.user_agent,
            )
            for c in consents
            for purpose in consents_module.CASE_PURPOSES
        )
        FamilyLink.objects.bulk_create(links)
        AuditEvent.objects.bulk_create(events)
        Note.objects.bulk_create(notes)
        Message.objects.bulk_create(messages)
        Report.objects.bulk_create(reports)
        ReportOption.objects.bulk_create(
            ReportOption(report=report, position=i, **option)
            for report in reports
            for i, option in enumerate(rng.sample(OPTIONS, k=rng.randint(1, 3)))
        )
        refresh_search_documents(texts)


def seed(
    count: int, *, seed: int = 2026, batch_size: int = 1000, reviewers=None, progress=None, workers: int = 1
) -> int:
    """Create `count` demo cases. With workers > 1, cases are built in parallel processes while
    this one saves them."""
    now = timezone.now()
    reviewer_ids = [r.pk for r in reviewers or []]
    rng = random.Random(seed)
    sizes = [min(batch_size, count - start) for start in range(0, count, batch_size)]
    jobs = [(seed * 100_003 + i, size, now, reviewer_ids) for i, size in enumerate(sizes)]
    made = 0
    if workers > 1:
        connections.close_all()  # never share a database connection with forked workers
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            batches = pool.map(build_batch, *zip(*jobs, strict=True))
            for built_cases in batches:
                save_batch(built_cases, rng)
                made += len(built_cases)
                if progress:
                    progress(made)
        return made
    for job in jobs:
        built_cases = build_batch(*job)
        save_batch(built_cases, rng)
        made += len(built_cases)
        if progress:
            progress(made)
    return made


def _unique_references(cases: list[Case]) -> None:
    # Codes are random; with 100,000 cases a clash is rare but possible, so check before saving.
    while True:
        references = [c.reference for c in cases]
        taken = set(Case.objects.filter(reference__in=references).values_list("reference", flat=True))
        seen, clashes = set(), []
        for case in cases:
            if case.reference in taken or case.reference in seen:
                clashes.append(case)
            seen.add(case.reference)
        if not clashes:
            return
        for case in clashes:
            case.reference = new_reference()


def seed_featured_case(now=None) -> Case:
    """A relapsed T-ALL case after CAR-T, near Columbus, Ohio: the demo catalogue has options for it
    (trials/catalogue/written-by-us), so the Options panel can be shown on a case that needs it."""
    now = now or timezone.now()
    rng = random.Random(11)
    answers = demo_answers(rng, now)
    diagnosed = now.date() - timedelta(days=400)
    answers["patient"].update(
        {"patient_age": ["14"], "sex_at_birth": ["male"], "country": ["US"], "region": ["Ohio"]}
    )
    answers["patient"].update({"postal_code": ["43210"], "travel": ["region"]})
    answers["diagnosis"].update(
        {
            "diagnosis": ["t_all"],
            "diagnosis_other": [""],
            "disease_status": ["relapsed"],
            "diagnosed_on_month": [str(diagnosed.month)],
            "diagnosed_on_year": [str(diagnosed.year)],
            "genetic_results": ["NOTCH1 mutation"],
        }
    )
    treatments = {
        "treatments-TOTAL_FORMS": ["2"],
        "treatments-INITIAL_FORMS": ["0"],
        "treatments-MIN_NUM_FORMS": ["0"],
        "treatments-MAX_NUM_FORMS": ["30"],
    }
    for i, (kind, name, start, end) in enumerate(
        [("chemotherapy", "BFM protocol", 380, 200), ("car_t", "Tisagenlecleucel", 150, 120)]
    ):
        started, ended = now.date() - timedelta(days=start), now.date() - timedelta(days=end)
        treatments.update(
            {
                f"treatments-{i}-kind": [kind],
                f"treatments-{i}-name": [name],
                f"treatments-{i}-started_on_month": [str(started.month)],
                f"treatments-{i}-started_on_year": [str(started.year)],
                f"treatments-{i}-ended_on_month": [str(ended.month)],
                f"treatments-{i}-ended_on_year": [str(ended.year)],
                f"treatments-{i}-outcome": ["did_not_work" if kind == "car_t" else "partly"],
            }
        )
    answers["treatments"] = treatments
    answers["now"].update({"condition": ["1"], "goals": ["trials", "expanded_access"]})
    built = build_case(answers)
    prepare(built, submitted_at=now - timedelta(hours=5))
    built.case.submission_key = uuid.uuid4()
    _workflow(built.case, Case.Status.TRIAGED, rng, [], now)
    save_batch([built], rng)
    return built.case
