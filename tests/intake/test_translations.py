"""Every string a family can read has a Spanish translation, and no English is left on a Spanish page.

Three nets: the catalogue check (makemessages over the family-facing sources of intake/catalogue.py,
compared with the committed locale/es/LC_MESSAGES/django.po and its compiled .mo) catches a marked
string nobody translated; the code check (intake's errors, messages, labels and every family email
subject, read from the code) and the page check (every family page rendered in both languages,
compared) catch text that was never marked for translation at all.
"""

import ast
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from intake import catalogue
from intake.family import masked_email
from intake.models import Case, OutboundEmail, PossibleDuplicate, Report
from tests.conftest import ANSWERS, make_answers, make_case

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(scope="module")
def family_sources() -> str:
    return catalogue.extract()


def test_every_family_string_has_a_spanish_translation(family_sources):
    missing = catalogue.untranslated(family_sources, catalogue.committed_catalogue().read_text())
    assert not missing, (
        f"{len(missing)} family-facing strings have no Spanish translation in "
        f"{catalogue.committed_catalogue()} (run `make messages`, then translate them):\n"
        + "\n".join(f"  {entry}" for entry in missing)
    )


def test_the_check_names_new_fuzzy_and_half_translated_strings():
    committed = """
msgid "Hello,"
msgstr "Hola:"

#, fuzzy
msgid "Your case"
msgstr "Su caso"

msgid "Added %(count)s file."
msgid_plural "Added %(count)s files."
msgstr[0] "Agregamos %(count)s archivo."
msgstr[1] ""
msgstr[2] ""

msgctxt "page 1 of 3"
msgid "of"
msgstr "de"
"""
    sources = """
msgid "Hello,"
msgstr ""

msgid "Your case"
msgstr ""

msgid "A brand new sentence"
msgstr ""

msgid "Added %(count)s file."
msgid_plural "Added %(count)s files."
msgstr[0] ""
msgstr[1] ""

msgctxt "page 1 of 3"
msgid "of"
msgstr ""

msgid "of"
msgstr ""
"""
    named = [str(entry) for entry in catalogue.untranslated(sources, committed)]
    assert named == ["'Your case'", "'A brand new sentence'", "'Added %(count)s file.'", "'of'"]


def test_staff_only_sources_are_out_of_scope():
    # Staff pages stay in English: their apps and templates are never extracted.
    for staff in ("assessments", "accounts", "trials", "templates/assessments", "templates/accounts"):
        assert not any(source.startswith(staff) for source in catalogue.FAMILY_SOURCES)


def test_every_family_string_is_in_the_compiled_catalogue(family_sources):
    # Pages read the compiled .mo (`make translations`, never committed), not the .po.
    compiled = catalogue.committed_catalogue().with_suffix(".mo")
    assert compiled.exists(), f"{compiled} is missing: run `make translations`"
    with compiled.open("rb") as file:
        messages = gettext.GNUTranslations(file)._catalog
    missing = []
    for entry in catalogue.parse_po(family_sources).values():
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if not messages.get((key, 0) if entry.msgid_plural else key):
            missing.append(entry)
    assert not missing, f"Not in {compiled} (run `make translations`): " + ", ".join(map(str, missing))


# Text never marked for translation -------------------------------------------------------------------
# The catalogue cannot see a string nobody wrapped in _(), and the page checks below see one only on
# the page states they render. So the places in the family's code where such text goes are read here.

ROOT = Path(settings.BASE_DIR)
# Staff modules: English only, and never extracted, so any _() there is missed by the catalogue.
STAFF_PACKAGES = sorted(
    path.parent.name
    for path in ROOT.glob("*/__init__.py")
    if path.parent.name not in {"intake", "tests", "bench"}
)
MESSAGE_ARGUMENT = {"success": 1, "error": 1, "info": 1, "warning": 1, "debug": 1, "add_message": 2}
TEXT_KEYWORDS = {"label", "help_text", "empty_label", "message", "error", "placeholder"}


def bare_text(node: ast.expr) -> str | None:
    """Words written straight into the code, not passed through _()."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if re.search(r"[A-Za-z]", node.value) else None
    if isinstance(node, ast.JoinedStr):
        return ast.unparse(node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return bare_text(node.left)
    if isinstance(node, ast.IfExp):
        return bare_text(node.body) or bare_text(node.orelse)
    return None


def _name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _shown_texts(tree: ast.AST):
    """The expressions whose value a family reads: errors, flash messages, form labels and help."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            # Model fields name things for staff and the admin; family forms declare their own labels.
            if isinstance(node.func, ast.Attribute) and _name(node.func.value) == "models":
                continue
            if name == "add_error" and len(node.args) > 1:
                yield node.args[1]
            if name == "ValidationError" and node.args:
                yield node.args[0]
            if name in MESSAGE_ARGUMENT and _name(getattr(node.func, "value", node.func)) == "messages":
                yield from node.args[MESSAGE_ARGUMENT[name] : MESSAGE_ARGUMENT[name] + 1]
            if name == "fromkeys":  # dict.fromkeys(codes, message) for error_messages
                yield from node.args[1:2]
            for keyword in node.keywords:
                if keyword.arg in TEXT_KEYWORDS:
                    yield keyword.value
                if keyword.arg == "error_messages" and isinstance(keyword.value, ast.Dict):
                    yield from keyword.value.values
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                name = _name(target)
                if name == "message" or name.endswith("_message"):
                    yield node.value
                if name == "error_messages" and isinstance(node.value, ast.Dict):
                    yield from node.value.values


def unmarked(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    return sorted((node.lineno, text) for node in _shown_texts(tree) if (text := bare_text(node)))


def python_files(*packages: str) -> list[Path]:
    return sorted(
        path
        for package in packages
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_the_family_code_shows_no_text_that_is_not_marked_for_translation():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in python_files("intake")
        for line, text in unmarked(path.read_text())
    ]
    assert not found, "Wrap these in _() and run `make messages`:\n" + "\n".join(found)


def test_the_check_finds_text_left_unmarked():
    # The three that got through before this check: an error added in a view, and two field messages.
    source = """
form.add_error(None, "This question was answered already.")
form.add_error("code", _("That code does not work."))
messages.success(request, f"Thank you, {name}.")
messages.info(request, _("Saved."))
class YearField(forms.IntegerField):
    message = "Please enter a year like 2025."
    def clean(self):
        raise forms.ValidationError(_("Too long: %(n)s") % {"n": 1})
month_message = "Please choose a month from the list."
months = forms.IntegerField(error_messages=dict.fromkeys(("invalid",), month_message), label="Month")
name = forms.CharField(label=_("Name"), error_messages={"required": "Please write a name."})
diagnosed_on = models.DateField("month of diagnosis", help_text="Stored as the first of the month.")
"""
    assert [line for line, text in unmarked(source)] == [2, 4, 7, 10, 11, 12]


def test_every_email_to_a_family_takes_its_subject_from_the_family_subjects():
    # An email in a family's language (language=...) is a family's: its subject must come from
    # intake/emails.py:FAMILY_SUBJECTS, which the catalogue reads, wherever the email is sent from.
    wrong = []
    for path in python_files("intake", *STAFF_PACKAGES):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and _name(node.func) == "queue_email"):
                continue
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            subject = keywords.get("subject")
            if "language" in keywords and not (
                isinstance(subject, ast.Call) and _name(subject.func) == "family_subject"
            ):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not wrong, "Use emails.family_subject(...) for the subject at: " + ", ".join(wrong)


def test_staff_modules_translate_nothing():
    # Text a family reads is written in intake (or the family templates), where the catalogue finds it.
    found = []
    for path in python_files(*STAFF_PACKAGES):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                names = [alias.name for alias in node.names if "gettext" in alias.name]
                found += [f"{path.relative_to(ROOT)}:{node.lineno}: {name}" for name in names]
    assert not found, "Move this family text into intake (FAMILY_SOURCES):\n" + "\n".join(found)


# No English left on a Spanish page -------------------------------------------------------------------

READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "data-confirm"}


class VisibleText(HTMLParser):
    """The words a person reads or hears: text nodes and the attributes read aloud."""

    def __init__(self):
        super().__init__()
        self.segments: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style") or (tag == "select" and ("name", "country") in attrs):
            self.skip += 1  # country names come translated from django-countries
        self.segments += [value for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "select") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.segments.append(data)


def segments(response) -> set[str]:
    parser = VisibleText()
    parser.feed(response.content.decode())
    cleaned = {clean(s) for s in parser.segments}
    return {s for s in cleaned if re.search(r"[A-Za-z]{2}", s)}


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" \t\n.,:;·()|*0123456789\u2013\u2014")


def same_in_both_languages() -> set[str]:
    """Words that are the same in Spanish (Melanoma, PDF, Error:), as the catalogue says."""
    entries = catalogue.parse_po(catalogue.committed_catalogue().read_text())
    return {e.msgid.strip(" .:") for e in entries.values() if e.msgstr and e.msgstr[0] == e.msgid}


def data_of(case: Case) -> set[str]:
    """What the family and the reviewer typed, and names that are the same in any language."""
    values = [
        case.reference,
        case.contact_name,
        case.contact_email,
        masked_email(case.contact_email),
        case.patient_name,
        case.region,
        case.postal_code,
        case.genetic_results,
        case.treating_center,
        case.urgency_in_own_words,
        settings.SITE_NAME,
        settings.ORGANISATION_NAME,
        settings.ORGANISATION_EMAIL,
        "English",
        "Español",
    ]
    values += [t.name for t in case.treatments.all()]
    values += [m.body for m in case.messages.all()]
    for report in case.reports.all():
        values += [report.understanding, report.questions, report.next_steps]
        for option in report.options.all():
            values += [option.title, option.what_it_is, option.why_it_may_fit, option.what_to_ask]
            values += [option.where, option.contact, option.identifier]
    # Cleaned as the page's text is: a reference ending in a digit loses it there too.
    return {v.strip(" .") for v in values if v} | {clean(v) for v in values if v}


def assert_no_english(page: str, english, spanish, allowed: set[str]) -> None:
    assert english.status_code == spanish.status_code, page
    left = segments(spanish) & segments(english)
    left -= allowed | same_in_both_languages()
    assert not left, f"English left on the Spanish {page}: {sorted(left)}"


def both(client, url, **extra):
    return client.get(url, **ENGLISH, **extra), client.get(url, **SPANISH, **extra)


@pytest.mark.django_db
def test_public_pages_have_no_english_left_in_spanish(client):
    allowed = {settings.SITE_NAME, settings.ORGANISATION_NAME, settings.ORGANISATION_EMAIL}
    allowed |= {"English", "Español"}
    for url in ["/", "/privacy/", "/start/", "/my-case/lost/", "/no-such-page/", "/my-case/not-a-link/code/"]:
        assert_no_english(url, *both(client, url), allowed)
    english = client.post("/my-case/lost/", {"reference": "", "email": "x"}, **ENGLISH)
    spanish = client.post("/my-case/lost/", {"reference": "", "email": "x"}, **SPANISH)
    assert_no_english("lost link form with errors", english, spanish, allowed | {"x"})


@pytest.mark.django_db
def test_every_step_of_the_form_has_no_english_left_in_spanish(client, settings):
    settings.INTAKE_MIN_FILL_SECONDS = 0
    client.post("/start/")
    allowed = {settings.SITE_NAME, settings.ORGANISATION_NAME, settings.ORGANISATION_EMAIL}
    allowed |= {"English", "Español"}
    answers = make_answers()
    allowed |= {v.strip(" .") for page in answers.values() for values in page.values() for v in values}
    for slug in [*ANSWERS, "check"]:
        url = f"/case/{slug}/"
        assert_no_english(f"{slug} page", *both(client, url), allowed)
        if slug == "check":
            break
        # The page with its errors, then the answers that let the next page open.
        empty = (
            {"treatments-TOTAL_FORMS": "1", "treatments-INITIAL_FORMS": "0"} if slug == "treatments" else {}
        )
        if slug != "documents":
            english, spanish = client.post(url, empty, **ENGLISH), client.post(url, empty, **SPANISH)
            assert_no_english(f"{slug} page with errors", english, spanish, allowed)
        response = client.post(url, answers[slug] | {"action": "continue"})
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
    english = client.post("/case/check/", {}, **ENGLISH)
    spanish = client.post("/case/check/", {}, **SPANISH)
    assert_no_english("check page with errors", english, spanish, allowed)
    client.post("/case/check/", {"privacy_notice": "on", "reviewers_may_read": "on"})
    case = Case.objects.get()
    assert_no_english("confirmation page", *both(client, "/case/submitted/"), allowed | data_of(case))


@pytest.mark.django_db
def test_the_private_case_page_has_no_english_left_in_spanish(client, alice):
    from assessments import actions
    from tests.intake.test_family_page import page_url, verified_client

    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    send_a_report(case, alice)
    actions.request_info(case=case, by=alice, question="¿Qué dosis?")
    english = client.get(page_url(case, "code/?lang=en"), follow=True)
    spanish = client.get(page_url(case, "code/?lang=es"), follow=True)
    assert_no_english("code page", english, spanish, data_of(case))

    family = verified_client(case)
    english = family.get(page_url(case, "?lang=en"), follow=True)
    spanish = family.get(page_url(case, "?lang=es"), follow=True)
    assert_no_english("private case page", english, spanish, data_of(case))
    for action in ("reply/", "answer/", "delete/", "documents/"):
        family.get(page_url(case, "?lang=en"))
        english = family.post(page_url(case, action))
        family.get(page_url(case, "?lang=es"))
        spanish = family.post(page_url(case, action))
        assert_no_english(f"private case page after {action} with errors", english, spanish, data_of(case))
    # An answer to a question answered already (in another tab, say) comes back to send as a message.
    answer = {"answer-body": "Cinco miligramos."}
    assert family.post(page_url(case, "answer/"), answer).status_code == 302
    family.get(page_url(case, "?lang=en"))
    english = family.post(page_url(case, "answer/"), answer)
    family.get(page_url(case, "?lang=es"))
    spanish = family.post(page_url(case, "answer/"), answer)
    assert spanish.status_code == 400 and "Cinco miligramos." in spanish.content.decode()
    assert_no_english("private case page after an answer given twice", english, spanish, data_of(case))


@pytest.mark.django_db
def test_every_family_email_has_no_english_left_in_spanish(alice, carol):
    from assessments import actions, duplicates
    from intake import emails, family

    english_case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    spanish_case = make_case(
        about_you={"preferred_language": "es"},
        ip="203.0.113.6",
        status=Case.Status.IN_REVIEW,
        assigned_to=alice,
    )
    assert (english_case.language, spanish_case.language) == ("en", "es")
    for case in (english_case, spanish_case):
        link = family.active_link(case)
        family.send_code(link, ip=None)
        emails.queue_family_email(case=case, link=link, kind="new_link", template="new_link")
        actions.send_message(case=case, by=alice, body="Hola")
        actions.request_info(case=case, by=alice, question="¿Dosis?")
        send_a_report(case, alice)
        emails.queue_family_email(
            case=case,
            link=link,
            kind="deletion_received",
            template="deletion_received",
            due_at=case.submitted_at,
        )
    kinds = ["case_received", "access_code", "new_link", "message", "question", "report", "deletion_received"]
    pairs = [
        (
            kind,
            OutboundEmail.objects.get(case=english_case, kind=kind),
            OutboundEmail.objects.get(case=spanish_case, kind=kind),
        )
        for kind in kinds
    ]
    # The same family writing a second time, once in each language: a coordinator (on an English page)
    # merges each into the first case, and the family hears about it in the language they wrote in.
    for language, ip in (("en", "203.0.113.7"), ("es", "203.0.113.8")):
        again = make_case(about_you={"preferred_language": language}, ip=ip)
        duplicates.merge_duplicate(flag=PossibleDuplicate.objects.get(case=again), by=carol, fields=[])
    merged = OutboundEmail.objects.filter(kind="cases_merged").order_by("pk")
    assert [email.subject.startswith("Please use reference") for email in merged] == [True, False]
    pairs.append(("cases_merged", *merged))
    allowed = data_of(spanish_case) | data_of(english_case) | {"https", "http"}
    for kind, english, spanish in pairs:
        for part in ("subject", "body_text", "body_html"):
            english_words = _email_segments(getattr(english, part))
            spanish_words = _email_segments(getattr(spanish, part))
            left = {s for s in spanish_words & english_words if not any(a in s for a in allowed)}
            assert not left, f"English left in the Spanish {kind} email ({part}): {sorted(left)}"


def send_a_report(case, reviewer) -> Report:
    from assessments import actions

    report = actions.start_report(case=case, by=reviewer)
    option = {
        "kind": "trial",
        "title": "Ensayo CAR-T",
        "what_it_is": "Un ensayo.",
        "link": "https://example.org",
    }
    fields = {"understanding": "Lo que entendimos del caso.", "next_steps": "Hablar con el médico."}
    actions.save_report(report=report, by=reviewer, fields=fields, options=[option])
    return actions.send_report(report=report, by=reviewer)


def _email_segments(text: str) -> set[str]:
    text = re.sub(r"<[^>]+>", "\n", text)
    parts = {re.sub(r"\s+", " ", p).strip(" .:,-") for p in re.split(r"\n|(?<=[.:?])\s", text)}
    return {p for p in parts if re.search(r"[A-Za-z]{3}", p) and "/my-case/" not in p}
