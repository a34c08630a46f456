"""Sending fuzzed answers the way a browser (or a bot) would, and judging the page that comes back.

A post is judged like this:
- never a 5xx, and never an exception inside the view;
- accepted (the spec's `accepted` statuses, usually a redirect): fine, but not with an error message
  flashed on the way, unless the spec says refusals come back that way (`flash_refusals`);
- otherwise the spec's `refused` status, and the page shows why: every field with an error has its
  message beside it (an element with the field's error id, named by the field's `aria-describedby`),
  every other error is in an alert, and every answer that was not changed is still in the page, exactly
  as a browser would send it again.
"""

import copy
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote_plus

from django.contrib.messages import ERROR, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.forms.formsets import ManagementForm
from django.test import Client

Data = dict[str, list[str]]


@dataclass
class Visit:
    """Where a fuzz test posts, as whom, and the answers of a valid post."""

    client: Client
    url: str
    answers: dict[str, str | list[str]]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # input -> (file name, content)


@dataclass(frozen=True)
class FuzzForm:
    """One row of the fuzz table: a form a person can send, and how its page answers."""

    name: str
    arrange: Callable  # (World) -> Visit: the rows and the signed-in client, made once per test
    hostile: dict = field(default_factory=dict)  # per-field strategies beyond the default `hostile()`
    plain: dict[str, int] = field(default_factory=dict)  # free-text fields (and their max length)
    method: str = "post"
    accepted: frozenset[int] = frozenset({302})
    refused: frozenset[int] = frozenset({200})
    not_echoed: frozenset[str] = frozenset()  # answers the page does not show again (buttons)
    untied: frozenset[str] = frozenset()  # fields hidden from people (a honeypot): no message beside them
    formsets: tuple[str, ...] = ()  # formset prefixes: rows of a tampered management form may go
    flash_refusals: bool = False  # a refusal may come back as a redirect with an error message
    kept: Callable | None = None  # (sent Data, mutated names) -> Data expected again in the page
    rerender: Callable[[Data], bool] = lambda sent: False  # posts that only show the page again


def as_lists(answers: dict) -> Data:
    return {k: list(v) if isinstance(v, list | tuple) else [v] for k, v in answers.items()}


def _wire(value: str) -> bytes:
    # A lone surrogate cannot be UTF-8; a broken or hostile client sends its bytes anyway.
    return value.encode("utf-8", "surrogatepass")


def arrived(value: str) -> str:
    """What the server reads for `value` once it went over the wire (invalid UTF-8 becomes U+FFFD)."""
    return _wire(value).decode("utf-8", "replace")


def urlencode(data: Data) -> str:
    return "&".join(f"{quote_plus(k)}={quote_plus(_wire(v))}" for k, values in data.items() for v in values)


def send(visit: Visit, method: str, data: Data):
    client = visit.client
    if method == "get":
        response = client.get(f"{visit.url}?{urlencode(data)}")
    elif visit.files:
        # The test client writes multipart bodies as strict UTF-8: send what the server would read.
        fields = {k: [arrived(v) for v in values] for k, values in data.items()}
        files = {key: SimpleUploadedFile(name, content) for key, (name, content) in visit.files.items()}
        response = client.post(visit.url, {**fields, **files})
    else:
        body = urlencode(data)
        response = client.generic("POST", visit.url, body, content_type="application/x-www-form-urlencoded")
    if response.streaming:
        # Downloads are written while they are sent: a failure there is a failure too.
        response.content_bytes = b"".join(response.streaming_content)
    return response


@contextmanager
def rolled_back(client: Client):
    """Each example starts from the same rows and the same cookies (session, flash messages)."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies


# Reading the page back -----------------------------------------------------------------------------


class Page(HTMLParser):
    """The controls of a page with the values a browser would send, the ids, and what describes what."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.values: Data = {}
        self.ids: dict[str, str] = {}  # id -> text inside the element
        self.described: set[str] = set()  # every id named in an aria-describedby
        self.alerts: list[str] = []
        self._open: list[list] = []  # [tag, id, text parts, is alert]
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        self.described.update(a.get("aria-describedby", "").split())
        if tag not in ("input", "br", "img", "meta", "link", "hr", "source"):
            self._open.append([tag, a.get("id"), [], a.get("role") == "alert"])
        elif a.get("id"):
            self.ids[a["id"]] = ""
        if "disabled" in a:
            return
        name = a.get("name")
        if (
            tag == "input"
            and name
            and a.get("type", "text") not in ("submit", "button", "image", "file", "reset")
        ):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.setdefault(name, []).append(a.get("value", "on"))
            else:
                self.values.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = {"name": name, "selected": [], "first": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": [], "selected": "selected" in a}
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": []}

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            value = self._option["value"]
            value = value if value is not None else "".join(self._option["text"]).strip()
            if self._select["first"] is None:
                self._select["first"] = value
            if self._option["selected"]:
                self._select["selected"].append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["selected"] or (
                [self._select["first"]] if self._select["first"] is not None else []
            )
            if chosen:
                self.values.setdefault(self._select["name"], []).extend(chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea["text"])
            # The first new line after <textarea> is not part of the value.
            text = text[2:] if text.startswith("\r\n") else text[1:] if text.startswith("\n") else text
            self.values.setdefault(self._textarea["name"], []).append(text)
            self._textarea = None
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                for _tag, element_id, parts, is_alert in self._open[i:]:
                    text = " ".join("".join(parts).split())
                    if element_id:
                        self.ids[element_id] = text
                    if is_alert and text:
                        self.alerts.append(text)
                del self._open[i:]
                break

    def handle_data(self, data):
        for element in self._open:
            element[2].append(data)
        if self._option is not None:
            self._option["text"].append(data)
        if self._textarea is not None:
            self._textarea["text"].append(data)


def bound_forms(response) -> list[BaseForm]:
    """Every bound form (formsets opened up) the page was rendered with."""
    contexts = response.context if isinstance(response.context, list) else [response.context]
    found: dict[int, BaseForm] = {}
    for context in contexts:
        if context is None:
            continue
        for value in context.flatten().values():
            forms = []
            if isinstance(value, ManagementForm):
                continue  # its errors are the formset's own, shown at the top of the page
            if isinstance(value, BaseForm):
                forms = [value]
            elif isinstance(value, BaseFormSet):
                forms = [*value.forms, value] if value.is_bound else []
            for form in forms:
                if getattr(form, "is_bound", False):
                    found[id(form)] = form
    return list(found.values())


def judge(spec: FuzzForm, visit: Visit, sent: Data, mutated: set[str], response) -> None:
    status = response.status_code
    where = f"{spec.name}: {sorted(mutated)} -> {status}"
    assert status < 500, where
    if status in spec.accepted and not spec.rerender(sent):
        if not spec.flash_refusals:
            errors = [str(m) for m in get_messages(response.wsgi_request) if m.level >= ERROR]
            assert not errors, f"{where}: refused with a redirect and a flashed message {errors}"
        return
    assert status in spec.refused, f"{where}: expected one of {sorted(spec.refused)}"
    page = Page(response.content.decode())
    shown = 0
    for form in bound_forms(response):
        if isinstance(form, BaseFormSet):
            for error in form.non_form_errors():
                assert any(error in alert for alert in page.alerts), f"{where}: {error!r} not in an alert"
                shown += 1
            continue
        for error in form.non_field_errors():
            assert any(error in alert for alert in page.alerts), f"{where}: {error!r} not in an alert"
            shown += 1
        for name, errors in form.errors.items():
            if name == "__all__" or form.add_prefix(name) in spec.untied:
                continue
            error_id = f"{form[name].auto_id}_error"
            assert error_id in page.ids, f"{where}: no message beside {form.add_prefix(name)} ({errors})"
            assert all(" ".join(str(e).split()) in page.ids[error_id] for e in errors), where
            assert error_id in page.described, f"{where}: {error_id} is named by no aria-describedby"
            shown += 1
    if not spec.rerender(sent):
        assert shown or page.alerts, f"{where}: refused without saying why"
    expected = spec.kept(sent, mutated) if spec.kept else _kept(spec, visit, sent, mutated)
    for name, values in expected.items():
        assert page.values.get(name, []) == [arrived(v) for v in values], (
            f"{where}: the answer {name}={values!r} was lost (the page has {page.values.get(name)!r})"
        )


def _kept(spec: FuzzForm, visit: Visit, sent: Data, mutated: set[str]) -> Data:
    tampered = {
        p for p in spec.formsets if any(m.startswith(f"{p}-") and m.endswith("_FORMS") for m in mutated)
    }
    return {
        name: values
        for name, values in sent.items()
        if name in visit.answers
        and name not in mutated
        and name not in spec.not_echoed
        and not name.endswith("_FORMS")
        and not any(name.startswith(f"{p}-") for p in tampered)
    }
