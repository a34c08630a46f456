"""axe-core checks every page a family or a staff member sees against WCAG 2.2 A and AA, in both
languages for families, in the normal state and with errors. Any violation fails, listed by page.

axe-core comes from npm (package.json, pinned in package-lock.json, installed by `make test`) and is
injected by the tests only: it is never served to users. Pages keep their strict Content-Security-Policy
for people; the test browser is told to let the injected script run.
"""

from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from intake import family
from intake.models import Case, Draft, DraftLink
from tests.browser.helpers import EMPTY_THE_FORM, with_session
from tests.conftest import authenticator_for, import_catalogue, make_answers, make_case, make_user
from tests.intake.test_translations import send_a_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async (tags) => {
  const options = { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] };
  const result = await axe.run(document, options);
  return result.violations.map((v) => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " + n.failureSummary.replace(/\\s+/g, " ")),
  }));
}"""


class Axe:
    """Runs axe on pages and keeps what it found, to fail once with every page's violations."""

    def __init__(self):
        self.checked: list[str] = []
        self.violations: dict[str, list[dict]] = {}

    def check(self, page, name: str) -> None:
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(RUN_AXE, WCAG_22_A_AA)
        self.checked.append(name)
        if found:
            self.violations[name] = found

    def check_errors(self, page, name: str, *, send: str, shows: str = "[data-error-summary]") -> None:
        """Send the form with the `send` button, and check the page that shows its errors."""
        page.locator(send).first.click()
        page.locator(shows).first.wait_for()
        self.check(page, f"{name}, with errors")

    def report(self) -> str:
        lines = [f"{len(self.violations)} of {len(self.checked)} pages break WCAG 2.2 A/AA rules:"]
        for name, found in self.violations.items():
            lines.append(f"\n{name}")
            for v in found:
                lines.append(f"  [{v['impact']}] {v['rule']}: {v['help']}")
                lines += [f"      {node}" for node in v["nodes"]]
        return "\n".join(lines)

    def assert_clean(self) -> None:
        assert not self.violations, self.report()


@pytest.fixture
def axe():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs it (npm ci), or run `npm ci` once.")
    return Axe()


def new_page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@contextmanager
def failing(monkeypatch, error: Exception):
    """The family's pages fail as they render, as a bug or a database that stops answering would make
    them: the live server answers with its real error page (config.views.server_error)."""

    def fail(*args, **kwargs):
        raise error

    with monkeypatch.context() as patch:
        patch.setattr("intake.views.render", fail)
        yield


def sign_in_fails(page, username: str, times: int) -> None:
    for attempt in range(times):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(f"not the password {attempt}")
        page.get_by_role("button", name="Sign in").click()


def confirmation_long_ago(context) -> None:
    """The browser's staff session last gave its password long ago: the next bulk export asks again."""
    from django.contrib.sessions.backends.db import SessionStore

    from accounts import sessions

    key = next(c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=key)
    session[sessions.CONFIRMED_AT] = 0
    session.save()


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_family_page_passes_axe(
    browser_context, live_server, axe, alice, language, tmp_path, monkeypatch
):
    draft = Draft.objects.create(answers=make_answers())
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    send_a_report(case, alice)
    from assessments import actions

    actions.request_info(case=case, by=alice, question="Which chemotherapy did the patient have last?")
    link = family.active_link(case)
    until = (timezone.now() + timedelta(hours=1)).isoformat()
    with_session(
        browser_context,
        live_server,
        intake_draft=str(draft.id),
        intake_submitted=case.reference,
        family_access={str(link.id): until},
        family_language=language,
    )
    page = new_page(browser_context)
    at = f"({language})"

    for url, name in [("/", "home"), ("/privacy/", "privacy notice"), ("/start/", "before you start")]:
        page.goto(url)
        axe.check(page, f"{name} {at}")

    for slug in ["about-you", "patient", "diagnosis", "treatments", "now"]:
        page.goto(f"/case/{slug}/")
        axe.check(page, f"case form, {slug} {at}")
        page.evaluate(EMPTY_THE_FORM)
        if slug == "treatments":
            page.locator("#id_treatments-0-name").fill("A name without the rest")
        axe.check_errors(page, f"case form, {slug} {at}", send="button[value=continue]")

    page.goto("/case/documents/")
    axe.check(page, f"case form, documents {at}")
    not_a_pdf = tmp_path / "notes.txt"
    not_a_pdf.write_text("Just some notes, not a document we take.")
    page.locator("input[type=file]").set_input_files(str(not_a_pdf))
    axe.check_errors(page, f"case form, documents {at}", send="button[value=upload]")

    page.goto("/case/check/")
    axe.check(page, f"case form, check and send {at}")
    axe.check_errors(page, f"case form, check and send {at}", send="main form button[type=submit]")

    page.goto("/case/submitted/")
    axe.check(page, f"case sent {at}")

    # Save and finish later: asking for the link, and opening it in another browser.
    page.goto("/case/save-for-later/")
    axe.check(page, f"save for later {at}")
    page.locator("input[name=email]").fill("")
    axe.check_errors(page, f"save for later {at}", send="main form button[type=submit]")
    page.locator("input[name=email]").fill("maria.lopez@example.com")
    page.locator("main form button[type=submit]").click()
    page.locator("[data-resume-sent]").wait_for()
    axe.check(page, f"save for later, link sent {at}")
    resume_page = f"/resume/{DraftLink.objects.create(draft=draft, email='maria.lopez@example.com').token}/"
    page.goto(resume_page)
    axe.check(page, f"resume code page {at}")
    page.locator("button[value=send]").click()
    page.locator("input[name=code]").fill("000000")
    axe.check_errors(page, f"resume code page {at}", send="button:not([value=send])[type=submit]")
    page.goto("/resume/not-a-link/")
    axe.check(page, f"resume link that does not work {at}")

    page.goto(f"/my-case/{link.token}/")
    axe.check(page, f"private case page {at}")
    axe.check_errors(page, f"private case page {at}", send="form[action$='/reply/'] button[type=submit]")

    other = make_case(ip="203.0.113.77")
    code_page = f"/my-case/{family.active_link(other).token}/code/"
    page.goto(code_page)
    axe.check(page, f"one-time code page {at}")
    page.locator("button[value=send]").click()
    page.locator("input[name=code]").fill("000000")
    axe.check_errors(page, f"one-time code page {at}", send="button:not([value=send])[type=submit]")

    page.goto("/my-case/lost/")
    axe.check(page, f"lost link {at}")
    axe.check_errors(page, f"lost link {at}", send="main form button[type=submit]")
    page.locator("input[name=reference]").fill(case.reference)
    page.locator("input[name=email]").fill(case.contact_email)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    axe.check(page, f"lost link sent {at}")

    for url, name in [
        ("/my-case/not-a-link/", "link that does not work"),
        ("/no-such-page/", "page not found"),
    ]:
        page.goto(url)
        axe.check(page, f"{name} {at}")

    with failing(monkeypatch, RuntimeError("a bug")):
        assert page.goto("/privacy/").status == 500
        axe.check(page, f"something went wrong (500) {at}")
    # Empty answers are refused, so the page is rendered again for this very post, and fails: the post
    # itself gets the busy page, which carries the answers back to send again.
    page.goto("/case/about-you/")
    page.evaluate(EMPTY_THE_FORM)
    with failing(monkeypatch, DatabaseError("the database stopped answering")):
        with page.expect_response(lambda response: response.request.method == "POST") as sent:
            page.locator("button[value=continue]").click()
        assert sent.value.status == 503
        page.wait_for_load_state()
        axe.check(page, f"busy, with the answers to send again (503) {at}")

    axe.assert_clean()
    assert len(axe.checked) == 35


def test_every_staff_page_passes_axe(browser_context, axe, sam, tmp_path):
    from accounts import factors
    from assessments import actions

    import_catalogue()
    case = make_case(
        status=Case.Status.IN_REVIEW,
        assigned_to=sam,
        about_you={"preferred_language": "es"},
        diagnosis={"diagnosis": "t_all", "disease_status": "relapsed"},
    )
    send_a_report(case, sam)
    actions.start_report(case=case, by=sam)
    page = new_page(browser_context)

    # Signing in: the password page (and its error), setting up an authenticator, the second step.
    page.goto("/accounts/login/")
    axe.check(page, "sign-in")
    sign_in_fails(page, "mallory", settings.AXES_FAILURE_LIMIT)
    page.get_by_role("heading", name="Sign-in is paused for this account").wait_for()
    axe.check(page, "sign-in paused after wrong passwords")
    page.goto("/accounts/login/")
    newcomer = make_user("erin", "Reviewer")
    page.get_by_label("Username").fill("erin")
    page.get_by_label("Password").fill("not the password")
    axe.check_errors(page, "sign-in", send="main form button[type=submit]")
    from tests.conftest import PASSWORD

    page.get_by_label("Username").fill("erin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/two-factor/set-up/**")
    axe.check(page, "second factor set-up")
    page.get_by_label("Code").fill("000000")
    axe.check_errors(page, "second factor set-up", send="text=Confirm")
    page.get_by_label("Code").fill(factors.current_code(factors.pending_device(newcomer)))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/recovery-codes/**")
    axe.check(page, "recovery codes")
    browser_context.clear_cookies()

    authenticator_for(sam)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/two-factor/**")
    axe.check(page, "second factor")
    from tests.conftest import next_code

    page.get_by_label("Code").fill(next_code(authenticator_for(sam)))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)

    reference = case.reference
    for url, name in [
        ("/review/", "queue"),
        ("/review/?tab=all&language=es", "queue, filtered"),
        (f"/review/cases/{reference}/", "case page"),
        (f"/review/cases/{reference}/report/", "report editor"),
        (f"/review/cases/{reference}/report/preview/", "report preview"),
        (f"/review/cases/{reference}/options/", "options"),
        (f"/review/cases/{reference}/options/NCT09000101/", "one study for the case"),
        ("/review/dashboard/", "dashboard"),
        ("/accounts/staff/", "staff accounts"),
        ("/admin/", "admin home"),
    ]:
        page.goto(url)
        assert "/accounts/" not in page.url or url == "/accounts/staff/", (url, page.url)
        axe.check(page, name)

    page.goto(f"/review/cases/{reference}/")
    axe.check_errors(
        page, "case page", send="form[action$='/notes/'] button[type=submit]", shows="#id_note-body_error"
    )
    page.goto(f"/review/cases/{reference}/report/")
    page.locator("#id_options-0-link").fill("not a link")
    axe.check_errors(page, "report editor", send="button[value=save]")

    confirmation_long_ago(browser_context)
    page.goto("/review/export.csv?tab=all")
    axe.check(page, "confirm it is you")
    page.locator("input[name='confirm-password']").fill("not the password")
    axe.check_errors(page, "confirm it is you", send="main form button[type=submit]")

    axe.assert_clean()
    assert len(axe.checked) == 21
