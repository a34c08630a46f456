"""The family form without a mouse, with errors explained, and on the narrowest screens.

- A father who uses only the keyboard completes every page (Tab, Shift+Tab, Space, Enter, and the
  arrow keys in radio groups), adding a treatment and choosing a file on the way; every control
  shows where the focus is.
- On a page with errors the summary takes the focus and links to each field; each field names its
  error with aria-describedby.
- At 320 CSS pixels wide (a small phone, or a laptop zoomed to 400%) no page scrolls sideways, in
  English or in Spanish.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from intake import family
from intake.models import Case, Draft
from tests.browser.helpers import EMPTY_THE_FORM, with_session
from tests.conftest import make_answers, make_case, make_pdf
from tests.intake.test_translations import send_a_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# "Save and continue" on the steps, "Send my case" on the last page.
SEND = "button[value=continue], main form button[type=submit]:not([name])"
CONTROLS = {"A", "BUTTON", "INPUT", "SELECT", "TEXTAREA"}
# What the focused element looks like: a focus ring is an outline or Bootstrap's box-shadow.
FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return { tag: e.tagName, id: e.id, name: e.getAttribute("name"), type: e.type || "",
           text: (e.innerText || e.value || "").trim().slice(0, 40), ring: outline || shadow };
}"""


class Keyboard:
    def __init__(self, page):
        self.page = page
        self.seen: list[str] = []

    def press(self, key: str) -> dict:
        self.page.keyboard.press(key)
        return self.focus()

    def focus(self) -> dict:
        focused = self.page.evaluate(FOCUSED)
        if focused["tag"] in CONTROLS:
            label = f"{focused['tag']} {focused['id'] or focused['name'] or focused['text']}"
            self.seen.append(label)
            assert focused["ring"], f"no visible focus indicator on {label} ({self.page.url})"
        return focused

    def tab_to(self, selector: str, *, limit: int = 40) -> None:
        """Tab forward until the element matching `selector` has the focus."""
        target = self.page.locator(selector).first
        for _ in range(limit):
            self.press("Tab")
            if target.evaluate("e => e === document.activeElement"):
                return
        raise AssertionError(f"Tab never reached {selector} on {self.page.url}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def activate(self, key: str = "Enter") -> None:
        """Press a key that follows a link or sends a form: the page changes, nothing to look at."""
        self.page.keyboard.press(key)


def test_a_family_completes_the_form_with_the_keyboard_alone(page, settings):
    settings.INTAKE_MIN_FILL_SECONDS = 0
    keys = Keyboard(page)
    page.goto("/")
    skip = keys.press("Tab")
    assert skip["text"] == "Skip to main content" and page.locator(".skip-link").is_visible()
    keys.tab_to("text=Start your case assessment")
    keys.activate("Enter")
    page.wait_for_url("**/start/")
    keys.tab_to("button:has-text('Begin')")
    keys.activate("Space")

    page.wait_for_url("**/case/about-you/")
    keys.tab_to("#id_contact_name")
    keys.type("Sam Okafor")
    keys.press("Tab")
    keys.type("sam.okafor@example.com")
    keys.press("Tab")
    keys.type("sam.okafor@example.com")
    # Back one field to check the address, and on again.
    assert keys.press("Shift+Tab")["id"] == "id_contact_email"
    assert keys.press("Tab")["id"] == "id_contact_email_confirm"
    keys.tab_to("#id_relationship_0")
    keys.press("ArrowDown")  # "Parent"
    keys.tab_to("#id_contact_preference_0")
    keys.press("Space")  # "Email"
    keys.tab_to("button[value=continue]")
    keys.activate("Enter")

    page.wait_for_url("**/case/patient/")
    keys.tab_to("#id_patient_name")
    keys.type("AO")
    keys.press("Tab")
    keys.type("7")
    keys.tab_to("#id_sex_at_birth_0")
    keys.press("ArrowDown")  # "Male"
    keys.tab_to("#id_region")
    keys.type("Georgia")
    keys.tab_to("#id_travel_0")
    keys.press("ArrowDown")
    keys.press("ArrowDown")  # "Anywhere in the country"
    keys.tab_to("button[value=continue]")
    keys.activate("Enter")

    page.wait_for_url("**/case/diagnosis/")
    keys.tab_to("#id_diagnosis")
    keys.press("ArrowDown")  # the first diagnosis: T-cell acute lymphoblastic leukemia
    keys.tab_to("#id_diagnosed_on_0")
    for _ in range(3):
        keys.press("ArrowDown")  # March
    keys.press("Tab")
    keys.press("ArrowDown")
    keys.press("ArrowDown")  # last year
    keys.tab_to("#id_disease_status_0")
    for _ in range(3):
        keys.press("ArrowDown")  # "It came back (relapsed)"
    keys.tab_to("button[value=continue]")
    keys.activate("Enter")

    page.wait_for_url("**/case/treatments/")
    keys.tab_to("button[name=add]")
    keys.activate("Enter")  # a row to fill in
    page.locator("#id_treatments-0-kind").wait_for()
    keys.tab_to("#id_treatments-0-kind")
    keys.press("ArrowDown")  # "Chemotherapy"
    keys.press("Tab")
    keys.type("BFM protocol")
    keys.tab_to("#id_treatments-0-outcome")
    keys.press("ArrowDown")
    keys.tab_to("button[value=continue]")
    keys.activate("Enter")

    page.wait_for_url("**/case/now/")
    keys.tab_to("#id_condition_0")
    keys.press("Space")
    keys.tab_to("#id_goals_0")
    keys.press("Space")  # "Clinical trials"
    keys.tab_to("button[value=continue]")
    keys.activate("Enter")

    page.wait_for_url("**/case/documents/")
    keys.tab_to("#id_files")
    with page.expect_file_chooser() as chooser:
        keys.activate("Space")  # the browser's own file picker
    chooser.value.set_files({"name": "scan.pdf", "mimeType": "application/pdf", "buffer": make_pdf()})
    keys.tab_to("button[value=upload]")
    keys.activate("Enter")
    page.locator("text=scan.pdf").first.wait_for()
    keys.tab_to("button[value=continue]")
    keys.activate("Enter")

    page.wait_for_url("**/case/check/")
    keys.tab_to("#id_privacy_notice")
    keys.press("Space")
    keys.tab_to("#id_reviewers_may_read")
    keys.press("Space")
    keys.tab_to("button:has-text('Send my case')")
    keys.activate("Enter")

    page.wait_for_url("**/case/submitted/")
    case = Case.objects.get()
    assert page.locator("[data-reference]").inner_text() == case.reference
    assert (case.relationship, case.sex_at_birth, case.travel, case.disease_status) == (
        "parent",
        "male",
        "country",
        "relapsed",
    )
    assert case.diagnosis == "t_all" and case.diagnosed_on.month == 3 and case.goals == ["trials"]
    assert list(case.treatments.values_list("kind", "name")) == [("chemotherapy", "BFM protocol")]
    assert list(case.documents.values_list("original_name", flat=True)) == ["scan.pdf"]
    assert len(keys.seen) > 40


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_error_summary_takes_the_focus_and_leads_to_each_field(browser_context, live_server, language):
    draft = Draft.objects.create(answers={})
    with_session(browser_context, live_server, intake_draft=str(draft.id), family_language=language)
    page = browser_context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/case/about-you/")
    page.locator("button[value=continue]").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert summary.evaluate("e => e === document.activeElement")
    assert summary.get_attribute("role") == "alert"

    links = summary.locator("a")
    targets = [link.get_attribute("href").lstrip("#") for link in links.all()]
    assert targets == [
        "id_contact_name",
        "id_contact_email",
        "id_contact_email_confirm",
        "id_relationship_0",
        "id_contact_preference_0",
    ]
    # From the summary, the keyboard goes to a link, and the link to its field.
    keys = Keyboard(page)
    for index, target in enumerate(targets):
        page.locator("[data-error-summary]").focus()
        for _ in range(index + 1):
            keys.press("Tab")
        assert keys.press("Enter")["id"] == target

    # Each field, or its group, names its error.
    for name in (
        "contact_name",
        "contact_email",
        "contact_email_confirm",
        "relationship",
        "contact_preference",
    ):
        error = page.locator(f"#id_{name}_error")
        described = page.locator(f"[aria-describedby~='id_{name}_error']")
        assert error.inner_text().strip(), name
        assert described.count() == 1, name
        assert described.evaluate("e => e.matches('input, select, textarea, fieldset')"), name


def test_no_family_page_scrolls_sideways_on_a_320_pixel_screen(browser, live_server, alice):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)

    send_a_report(case, alice)
    link = family.active_link(case)
    for language in ("en", "es"):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True
        )
        draft = Draft.objects.create(answers=make_answers())
        with_session(
            context,
            live_server,
            intake_draft=str(draft.id),
            intake_submitted=case.reference,
            family_access={str(link.id): (timezone.now() + timedelta(hours=1)).isoformat()},
            family_language=language,
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        wide = []
        pages = ["/", "/privacy/", "/start/", "/my-case/lost/", f"/my-case/{link.token}/", "/case/submitted/"]
        steps = ["about-you", "patient", "diagnosis", "treatments", "now", "documents", "check"]
        for url in pages + [f"/case/{slug}/" for slug in steps]:
            page.goto(url)
            if page.evaluate("document.documentElement.scrollWidth") > 320:
                wide.append(url)
            if url.startswith("/case/") and "documents" not in url and "submitted" not in url:
                page.evaluate(EMPTY_THE_FORM)
                if "treatments" in url:
                    page.locator("#id_treatments-0-name").fill("A name without the rest")
                page.locator(SEND).first.click()
                page.locator("[data-error-summary]").wait_for()
                if page.evaluate("document.documentElement.scrollWidth") > 320:
                    wide.append(f"{url} with errors")
        context.close()
        assert not wide, f"These pages scroll sideways at 320 px ({language}): {wide}"
