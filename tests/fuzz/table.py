"""Every form a family or a staff member can send, one entry each.

To fuzz a new form, add one `FuzzForm` to `FORMS`: a name, an `arrange` function that makes the rows
it needs and returns the signed-in client, the URL and the answers of a valid post, and what the page
answers (`accepted` and `refused` statuses). Fields listed in `plain` must accept any ordinary text up
to their length; `hostile` adds fields the page may send beyond the answers (buttons, hidden inputs)
or gives a field its own strategy. Staff clients come from `tests.conftest.client_for`.
"""

from datetime import timedelta
from functools import cached_property

from django.test import Client
from django.utils import timezone
from hypothesis import strategies as st

from accounts import factors, sessions
from assessments import actions, retention, sharing
from assessments import options as option_actions
from assessments.option_forms import EligibilityForm
from intake import family
from intake.lifecycle import consents
from intake.models import AccessCode, Case, DeletionRequest, DraftLink, FamilyLink, Message, PossibleDuplicate
from tests.conftest import (
    ANSWERS,
    PASSWORD,
    WRITTEN_BY_US,
    authenticator_for,
    client_for,
    import_catalogue,
    make_case,
    make_pdf,
    make_user,
    next_code,
)
from tests.fuzz.harness import Data, FuzzForm, Visit
from tests.fuzz.strategies import hostile, management
from trials.models import Study

PDF = make_pdf()
CODE = "123456"
STEPS = ["about-you", "patient", "diagnosis", "treatments", "now", "documents", "check"]
CONSENT = {"privacy_notice": "on", "reviewers_may_read": "on", "website": ""}


class World:
    """The people and rows one fuzz test needs, made once before its examples run."""

    @cached_property
    def alice(self):
        return make_user("alice", "Reviewer")

    @cached_property
    def carol(self):
        return make_user("carol", "Coordinator")

    @cached_property
    def sam(self):
        return make_user("sam", "Supervisor")

    def family_at(self, slug: str) -> Client:
        """A family's browser with every page before `slug` filled in."""
        client = Client()
        assert client.post("/start/").status_code == 302
        for done in STEPS[: STEPS.index(slug)]:
            answers = {"action": "continue"} if done == "documents" else ANSWERS[done]
            assert client.post(f"/case/{done}/", answers).status_code == 302, done
        return client

    def case(self, **kwargs) -> Case:
        return make_case(**kwargs)

    def family_page(self, case: Case) -> tuple[Client, str]:
        """A family's browser that has typed the one-time code, and the base URL of their page."""
        client, link = Client(), case.family_links.get(revoked_at__isnull=True)
        pending_code(link)
        response = client.post(f"/my-case/{link.token}/code/", {"code": CODE})
        assert response.status_code == 302, response.status_code
        return client, f"/my-case/{link.token}/"

    def report_case(self) -> Case:
        case = self.case(status=Case.Status.IN_REVIEW, assigned_to=self.alice)
        actions.start_report(case=case, by=self.alice)
        return case


def pending_code(link: FamilyLink | DraftLink) -> None:
    AccessCode.objects.create(
        **{"draft_link" if isinstance(link, DraftLink) else "link": link},
        code_hash=family._hash(link, CODE),
        expires_at=timezone.now() + timedelta(minutes=15),
    )


def pdf() -> dict:
    return {"files": ("letter.pdf", PDF)}


# The family's case form ----------------------------------------------------------------------------


def case_step(slug: str):
    def arrange(world: World) -> Visit:
        return Visit(world.family_at(slug), f"/case/{slug}/", {**ANSWERS[slug], "action": "continue"})

    arrange.__name__ = f"case_{slug}"
    return arrange


def arrange_start(world: World) -> Visit:
    return Visit(world.family_at("patient"), "/start/", {"action": "restart"})


def arrange_documents(world: World) -> Visit:
    return Visit(world.family_at("documents"), "/case/documents/", {"kind": "pathology"}, files=pdf())


def arrange_consent(world: World) -> Visit:
    return Visit(world.family_at("check"), "/case/check/", CONSENT)


TREATMENT = "treatments-{}-{}"
ROW_FIELDS = [
    "kind",
    "name",
    "started_on_month",
    "started_on_year",
    "ended_on_month",
    "ended_on_year",
    "outcome",
]


def arrange_treatments(world: World) -> Visit:
    second = {
        "treatments-1-kind": "car_t",
        "treatments-1-name": "Experimental CAR-T",
        "treatments-1-started_on_month": "10",
        "treatments-1-started_on_year": "2025",
        "treatments-1-ended_on_month": "",
        "treatments-1-ended_on_year": "",
        "treatments-1-outcome": "too_early",
    }
    answers = {**ANSWERS["treatments"], **second, "treatments-TOTAL_FORMS": "2", "action": "continue"}
    return Visit(world.family_at("treatments"), "/case/treatments/", answers)


def _removed_row(sent: Data) -> int | None:
    # A small whole number removes that row; anything else ("abc", a thousand zeros) is no button.
    remove = sent.get("remove", [""])[-1]
    return int(remove) if remove.isdecimal() and len(remove) <= 4 and int(remove) <= 30 else None


def treatments_rerender(sent: Data) -> bool:
    # The no-JavaScript buttons: add a blank row, or remove one; both show the page again.
    return "add" in sent or _removed_row(sent) is not None


def treatments_kept(sent: Data, mutated: set[str]) -> Data:
    """The rows as typed, renumbered after a removed one, whatever the management form said."""
    drop, kept, new = _removed_row(sent), {}, 0
    for row in range(2):
        if row == drop:
            continue
        for name in ROW_FIELDS:
            old = TREATMENT.format(row, name)
            if old in sent and old not in mutated:
                kept[TREATMENT.format(new, name)] = sent[old]
        new += 1
    return kept


# The family's private page -------------------------------------------------------------------------


def arrange_code(world: World) -> Visit:
    case = world.case()
    link = case.family_links.get()
    pending_code(link)
    return Visit(Client(), f"/my-case/{link.token}/code/", {"code": CODE})


def family_post(suffix: str, answers: dict, *, question=False, deletion=False, files=False):
    def arrange(world: World) -> Visit:
        case = world.case()
        if question:
            Message.objects.create(
                case=case, sender=Message.Sender.REVIEWER, kind=Message.Kind.QUESTION, body="When?"
            )
        if deletion:
            DeletionRequest.objects.create(
                case=case, case_reference=case.reference, due_at=timezone.now() + timedelta(days=7)
            )
        client, base = world.family_page(case)
        return Visit(client, f"{base}{suffix}", answers, files=pdf() if files else {})

    arrange.__name__ = f"family_{suffix.strip('/') or 'page'}"
    return arrange


def arrange_lost_link(world: World) -> Visit:
    case = world.case()
    return Visit(Client(), "/my-case/lost/", {"reference": case.reference, "email": case.contact_email})


def arrange_share_answer(world: World) -> Visit:
    case = world.case(status=Case.Status.IN_REVIEW, assigned_to=world.alice)
    share = sharing.propose_share(
        case=case, by=world.alice, partner="A trial team", purpose="To check the fit."
    )
    client, base = world.family_page(case)
    return Visit(client, f"{base}consent/share/{share.id}/", {"answer": "yes"})


# Finishing the form later ------------------------------------------------------------------------


def arrange_save_later(world: World) -> Visit:
    return Visit(world.family_at("diagnosis"), "/case/save-for-later/", {"email": "maria.lopez@example.com"})


def resume_link(world: World) -> DraftLink:
    client = world.family_at("diagnosis")
    draft_id = client.session["intake_draft"]
    return DraftLink.objects.create(draft_id=draft_id, email="maria.lopez@example.com")


def arrange_resume_send(world: World) -> Visit:
    return Visit(Client(), f"/resume/{resume_link(world).token}/", {"action": "send"})


def arrange_resume_code(world: World) -> Visit:
    link = resume_link(world)
    pending_code(link)
    return Visit(Client(), f"/resume/{link.token}/", {"code": CODE})


# The reviewers' side -------------------------------------------------------------------------------


def arrange_triage(world: World) -> Visit:
    case = world.case()
    answers = {"triage-urgency": str(case.suggested_urgency), "triage-reason": ""}
    return Visit(client_for(world.carol), f"/review/cases/{case.reference}/triage/", answers)


def arrange_assign(world: World) -> Visit:
    case = world.case(status=Case.Status.TRIAGED)
    world.alice  # noqa: B018 - someone to assign to
    return Visit(client_for(world.carol), f"/review/cases/{case.reference}/assign/", {"assignee": "alice"})


def case_action(path: str, answers: dict, *, status=Case.Status.IN_REVIEW, assigned=True, who="alice"):
    def arrange(world: World) -> Visit:
        case = world.case(status=status, assigned_to=world.alice if assigned else None)
        return Visit(client_for(getattr(world, who)), f"/review/cases/{case.reference}/{path}", answers)

    arrange.__name__ = f"staff_{path.strip('/')}"
    return arrange


def arrange_erase(world: World) -> Visit:
    case = world.case(status=Case.Status.IN_REVIEW, assigned_to=world.sam)
    DeletionRequest.objects.create(
        case=case, case_reference=case.reference, due_at=timezone.now() + timedelta(days=7)
    )
    return Visit(client_for(world.sam), f"/review/cases/{case.reference}/erase/", {"confirm": case.reference})


REPORT = {
    "understanding": "A relapse of T-ALL after BFM chemotherapy.",
    "questions": "Is nelarabine an option?",
    "next_steps": "Ask the care team about the trial below.",
    "options-TOTAL_FORMS": "1",
    "options-INITIAL_FORMS": "0",
    "options-MIN_NUM_FORMS": "0",
    "options-MAX_NUM_FORMS": "30",
    "options-0-kind": "trial",
    "options-0-title": "A CAR-T trial",
    "options-0-what_it_is": "A new treatment made from the patient's own cells.",
    "options-0-why_it_may_fit": "It is for relapsed T-ALL.",
    "options-0-what_to_ask": "Would the patient qualify?",
    "options-0-identifier": "NCT01234567",
    "options-0-link": "https://clinicaltrials.gov/study/NCT01234567",
    # Inserting no snippet is saving; this way the snippet box is fuzzed on every post.
    "action": "insert_snippet",
    "snippet": "",
}


def arrange_report(world: World) -> Visit:
    case = world.report_case()
    return Visit(client_for(world.alice), f"/review/cases/{case.reference}/report/", REPORT)


def arrange_claim_next(world: World) -> Visit:
    world.case(status=Case.Status.TRIAGED)
    return Visit(client_for(world.alice), "/review/claim-next/", {})


def arrange_report_start(world: World) -> Visit:
    case = world.case(status=Case.Status.IN_REVIEW, assigned_to=world.alice)
    return Visit(client_for(world.alice), f"/review/cases/{case.reference}/report/start/", {})


def arrange_approve(world: World) -> Visit:
    case = world.report_case()
    client = client_for(world.alice)
    client.post(f"/review/cases/{case.reference}/report/", {**REPORT, "action": "submit_for_approval"})
    return Visit(client_for(world.sam), f"/review/cases/{case.reference}/report/approve/", {})


# A case's lifecycle: duplicates, sharing a summary, legal hold.


def arrange_duplicate(action: str):
    def arrange(world: World) -> Visit:
        world.case()
        # The same family again, with one answer changed: the coordinator may take it into the first.
        newer = world.case(diagnosis={"disease_status": "refractory"})
        assert PossibleDuplicate.objects.filter(case=newer).exists()
        answers = {"take": ["disease_status"]} if action == "merge" else {}
        return Visit(client_for(world.carol), f"/review/cases/{newer.reference}/duplicate/{action}/", answers)

    arrange.__name__ = f"duplicate_{action}"
    return arrange


def arrange_share_summary(world: World) -> Visit:
    case = world.case(status=Case.Status.IN_REVIEW, assigned_to=world.alice)
    share = sharing.propose_share(
        case=case, by=world.alice, partner="A trial team", purpose="To check the fit."
    )
    consents.answer_share(share=share, give=True, ip=None, user_agent="")
    url = f"/review/cases/{case.reference}/share/{share.id}/summary.pdf"
    return Visit(client_for(world.alice), url, {})


def arrange_hold_release(world: World) -> Visit:
    case = world.case()
    retention.place_legal_hold(case=case, by=world.sam, reason="Records asked for by a court.")
    answers = {"action": "release", "hold-reason": "The court has closed the matter."}
    return Visit(client_for(world.sam), f"/review/cases/{case.reference}/legal-hold/", answers)


def arrange_export_zip(world: World) -> Visit:
    return Visit(client_for(world.sam), "/review/export.zip", {"refs": world.case().reference})


FILTERS = {
    "tab": "all",
    "q": "leukemia",
    "urgency": "",
    "group": "",
    "status": "new",
    "assignee": "",
    "response": "",
    "submitted_from": "2025-01-01",
    "submitted_to": "",
}


def queue_get(path: str):
    def arrange(world: World) -> Visit:
        world.case()
        return Visit(client_for(world.sam), path, FILTERS)

    arrange.__name__ = f"queue_{path.strip('/')}"
    return arrange


# Staff sign-in and the second factor -----------------------------------------------------------------


def arrange_sign_in(world: World) -> Visit:
    answers = {"username": world.alice.username, "password": PASSWORD, "next": "/review/"}
    return Visit(Client(), "/accounts/login/", answers)


def arrange_second_factor(world: World) -> Visit:
    code = next_code(authenticator_for(world.carol))
    return Visit(
        client_for(world.carol, verified=False), "/accounts/two-factor/", {"code": code, "next": "/review/"}
    )


def arrange_enrol(world: World) -> Visit:
    code = factors.current_code(factors.pending_device(world.alice))
    return Visit(client_for(world.alice, verified=False), "/accounts/two-factor/set-up/", {"code": code})


def arrange_confirm_identity(world: World) -> Visit:
    client = client_for(world.sam)
    session = client.session
    session[sessions.CONFIRMED_AT] -= 3600
    session.save()
    answers = {"confirm-identity": "1", "confirm-method": "GET", "confirm-password": PASSWORD}
    return Visit(client, "/review/export.csv?tab=all", answers)


def arrange_reset_second_factor(world: World) -> Visit:
    authenticator_for(world.carol)
    return Visit(client_for(world.sam), "/accounts/staff/carol/reset-second-factor/", {})


# Options research and the dashboard ---------------------------------------------------------------


class Catalogue:
    loaded = False


def options_case(world: World) -> Case:
    if not Catalogue.loaded or not Study.objects.exists():
        import_catalogue(WRITTEN_BY_US)
        Catalogue.loaded = True
    return world.case(status=Case.Status.IN_REVIEW, assigned_to=world.alice)


def arrange_options_filters(world: World) -> Visit:
    case = options_case(world)
    filters = {
        "q": "leukemia",
        "scope": "diagnosis",
        "place": "travel",
        "miles": "100",
        "kinds": "all",
        "status": "any",
        "age": "fit",
        "sex": "fit",
    }
    return Visit(client_for(world.alice), f"/review/cases/{case.reference}/options/", filters)


def arrange_eligibility(world: World) -> Visit:
    case = options_case(world)
    study = Study.objects.get(nct_id="NCT09000101")
    answers = {}
    for line in EligibilityForm(lines=option_actions.criteria_lines(case, study, None)).lines:
        answers[line["verdict_field"]] = "unknown"
        answers[line["note_field"]] = ""
    return Visit(client_for(world.alice), f"/review/cases/{case.reference}/options/NCT09000101/", answers)


def arrange_add_option(world: World) -> Visit:
    case = options_case(world)
    url = f"/review/cases/{case.reference}/options/NCT09000101/add-to-report/"
    return Visit(client_for(world.alice), url, {})


def arrange_dashboard(world: World) -> Visit:
    world.case()
    period = {"period": "custom", "start": "2026-01-01", "end": "2026-03-31"}
    return Visit(client_for(world.sam), "/review/dashboard/", period)


BUTTONS = frozenset({"action", "add", "remove", "return_to", "snippet", "junk"})
junk = {"junk": hostile()}  # an input the page does not have
report_actions = st.sampled_from(["save", "preview", "add_option", "insert_snippet", "send"]) | hostile()

FORMS = [
    # The family's case form, page by page.
    FuzzForm("case: start (again)", arrange_start, hostile=junk, not_echoed=BUTTONS),
    FuzzForm(
        "case: about you",
        case_step("about-you"),
        hostile={"return_to": hostile(), **junk},
        plain={"contact_name": 200},
        not_echoed=BUTTONS,
    ),
    FuzzForm(
        "case: patient",
        case_step("patient"),
        hostile=junk,
        plain={"patient_name": 60, "region": 100},
        not_echoed=BUTTONS,
    ),
    FuzzForm(
        "case: diagnosis",
        case_step("diagnosis"),
        hostile=junk,
        plain={"genetic_results": 2000, "treating_center": 200},
        not_echoed=BUTTONS,
    ),
    FuzzForm(
        "case: treatments",
        arrange_treatments,
        hostile={"add": hostile(), "remove": st.sampled_from(["0", "1", "2", "30"]) | hostile(), **junk},
        plain={"treatments-0-name": 200, "treatments-1-name": 200},
        not_echoed=BUTTONS,
        formsets=("treatments",),
        kept=treatments_kept,
        rerender=treatments_rerender,
    ),
    FuzzForm(
        "case: now",
        case_step("now"),
        hostile=junk,
        plain={"urgency_in_own_words": 2000, "anything_else": 2000},
        not_echoed=BUTTONS,
    ),
    FuzzForm(
        "case: documents' kind",
        arrange_documents,
        hostile={"action": hostile(), "remove": hostile()},
        not_echoed=BUTTONS,
    ),
    FuzzForm(
        "case: consent",
        arrange_consent,
        refused=frozenset({200, 429}),
        untied=frozenset({"website"}),
    ),
    # The family's private page.
    FuzzForm("family: one-time code", arrange_code, hostile={"action": hostile()}, refused=frozenset({400})),
    FuzzForm(
        "family: reply",
        family_post("reply/", {"reply-body": "Thank you."}),
        plain={"reply-body": 10_000},
        refused=frozenset({400}),
    ),
    FuzzForm(
        "family: answer",
        family_post("answer/", {"answer-body": "In June."}, question=True),
        plain={"answer-body": 10_000},
        refused=frozenset({400}),
    ),
    FuzzForm(
        "family: documents' kind",
        family_post("documents/", {"kind": "lab"}, files=True),
        refused=frozenset({400}),
    ),
    FuzzForm(
        "family: deletion request",
        family_post("delete/", {"confirm": "on"}),
        refused=frozenset({400}),
    ),
    FuzzForm("family: cancel deletion", family_post("delete/cancel/", {}, deletion=True), hostile=junk),
    FuzzForm(
        "family: lost link",
        arrange_lost_link,
        accepted=frozenset({200}),
        refused=frozenset({400}),
    ),
    # Both consents are radio buttons on the private page: a forged answer comes back there with a
    # message at the top.
    FuzzForm(
        "family: research consent",
        family_post("consent/research/", {"choice": "give"}),
        hostile=junk,
        flash_refusals=True,
    ),
    FuzzForm("family: answer to a share", arrange_share_answer, hostile=junk, flash_refusals=True),
    # Finishing the form later.
    FuzzForm("family: save for later", arrange_save_later, hostile=junk, refused=frozenset({400})),
    FuzzForm(
        "family: resume link, send a code",
        arrange_resume_send,
        hostile={"code": hostile()},
        refused=frozenset({400}),
        not_echoed=frozenset({"action"}),
    ),
    FuzzForm(
        "family: resume link, the code",
        arrange_resume_code,
        hostile={"action": hostile()},
        refused=frozenset({400}),
        not_echoed=frozenset({"code"}),
    ),
    # The reviewers' side.
    FuzzForm("staff: triage", arrange_triage, plain={"triage-reason": 2000}, refused=frozenset({400})),
    FuzzForm("staff: assign", arrange_assign, refused=frozenset({400})),
    FuzzForm(
        "staff: status",
        case_action("status/", {"status-to": "closed", "status-reason": "They chose a trial."}),
        plain={"status-reason": 2000},
        refused=frozenset({400}),
    ),
    FuzzForm(
        "staff: note",
        case_action("notes/", {"note-body": "Called the family."}),
        plain={"note-body": 5000},
        refused=frozenset({400}),
    ),
    FuzzForm(
        "staff: message",
        case_action("messages/", {"message-body": "We are looking at trials."}),
        plain={"message-body": 5000},
        refused=frozenset({400}),
    ),
    FuzzForm(
        "staff: question",
        case_action("question/", {"question-question": "Which treatments so far?"}),
        plain={"question-question": 5000},
        refused=frozenset({400}),
    ),
    FuzzForm(
        "staff: report editor",
        arrange_report,
        hostile={
            "action": report_actions,
            "options-TOTAL_FORMS": management(),
            "options-INITIAL_FORMS": management(),
        },
        plain={
            "understanding": 5000,
            "questions": 5000,
            "next_steps": 5000,
            "options-0-title": 200,
            "options-0-what_it_is": 5000,
            "options-0-identifier": 60,
        },
        refused=frozenset({400}),
        not_echoed=BUTTONS,
        formsets=("options",),
        # Sending an unfinished report saves it, then says what is missing.
        flash_refusals=True,
    ),
    FuzzForm("staff: start a report", arrange_report_start, hostile=junk),
    FuzzForm("staff: approve", arrange_approve, hostile=junk),
    FuzzForm("staff: claim next case", arrange_claim_next, hostile=junk),
    FuzzForm(
        "staff: claim",
        case_action("claim/", {}, status=Case.Status.TRIAGED, assigned=False),
        hostile=junk,
    ),
    FuzzForm("staff: release", case_action("release/", {}), hostile=junk),
    FuzzForm("staff: erase", arrange_erase, refused=frozenset({400})),
    # A case's lifecycle. A refused merge, or a hold released twice, goes back to the case page with
    # the reason at the top.
    FuzzForm("staff: merge a duplicate", arrange_duplicate("merge"), hostile=junk, flash_refusals=True),
    FuzzForm("staff: not a duplicate", arrange_duplicate("not-duplicate"), hostile=junk),
    FuzzForm(
        "staff: propose a share",
        case_action("share/", {"share-partner": "A trial team", "share-purpose": "To check the fit."}),
        plain={"share-partner": 200, "share-purpose": 500},
        refused=frozenset({400}),
    ),
    FuzzForm(
        "staff: summary for a partner",
        arrange_share_summary,
        hostile=junk,
        accepted=frozenset({200}),
    ),
    FuzzForm(
        "staff: place a legal hold",
        case_action(
            "legal-hold/", {"action": "place", "hold-reason": "Records asked for by a court."}, who="sam"
        ),
        plain={"hold-reason": 2000},
        refused=frozenset({400}),
        flash_refusals=True,
    ),
    FuzzForm(
        "staff: release a legal hold",
        arrange_hold_release,
        plain={"hold-reason": 2000},
        refused=frozenset({400}),
        flash_refusals=True,
    ),
    FuzzForm(
        "staff: export ZIP selection",
        arrange_export_zip,
        accepted=frozenset({200, 302}),
        # Nothing selected goes back to the queue with a message: the selection lives there.
        flash_refusals=True,
    ),
    FuzzForm(
        "staff: queue filters (GET)",
        queue_get("/review/"),
        method="get",
        accepted=frozenset(),
        plain={"q": 200},
        not_echoed=frozenset({"tab"}),
        untied=frozenset({"tab"}),  # the tabs are links; a forged one is named in the alert above
        rerender=lambda sent: True,  # a filtered queue, with a word beside any filter not understood
    ),
    FuzzForm(
        "staff: Excel export filters (GET)",
        queue_get("/review/export.xlsx"),
        method="get",
        accepted=frozenset({200}),
    ),
    FuzzForm(
        "staff: CSV export filters (GET)",
        queue_get("/review/export.csv"),
        method="get",
        accepted=frozenset({200}),
    ),
    # Staff sign-in.
    FuzzForm(
        "staff: sign in",
        arrange_sign_in,
        refused=frozenset({200, 429}),
        not_echoed=frozenset({"password", "next"}),
    ),
    FuzzForm("staff: second factor", arrange_second_factor, not_echoed=frozenset({"code"})),
    FuzzForm("staff: set up the authenticator", arrange_enrol, not_echoed=frozenset({"code"})),
    FuzzForm(
        "staff: confirm it is you",
        arrange_confirm_identity,
        not_echoed=frozenset({"confirm-password", "confirm-code"}),
    ),
    FuzzForm("staff: reset a second factor", arrange_reset_second_factor, hostile=junk),
    # Options research and the dashboard.
    FuzzForm(
        "staff: options filters (GET)",
        arrange_options_filters,
        method="get",
        accepted=frozenset({200}),
        plain={"q": 200},
        rerender=lambda sent: True,
    ),
    FuzzForm("staff: eligibility", arrange_eligibility, refused=frozenset({400})),
    FuzzForm("staff: add a study to the report", arrange_add_option, hostile=junk),
    FuzzForm(
        "staff: dashboard period (GET)",
        arrange_dashboard,
        method="get",
        accepted=frozenset({200}),
        refused=frozenset({200, 400}),
        rerender=lambda sent: True,
    ),
]
