import re
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from config.client import client_ip, user_agent
from intake import family, submission, uploads
from intake.forms import ConsentForm, DocumentsForm, ResumeEmailForm, TreatmentFormSet
from intake.lifecycle import resume
from intake.models import Case, Document, Draft
from intake.submission import STEP_SLUGS, STEPS

DRAFT_SESSION_KEY = "intake_draft"
SUBMITTED_SESSION_KEY = "intake_submitted"
IN_PROGRESS = "treatments_in_progress"
# POST keys that are not answers.
NOT_ANSWERS = {"csrfmiddlewaretoken", "action", "add", "remove", "return_to", "page_seen"}
SAVE_LATER = "save_later"
RESUME_SENT_KEY = "intake_resume_sent_to"


def home(request):
    return render(request, "intake/home.html")


def _period(days: int) -> str:
    # Families read "2 years", not "730 days"; a period that is not whole years stays in days.
    if days % 365 == 0:
        years = days // 365
        return ngettext("%(count)s year", "%(count)s years", years) % {"count": years}
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}


def privacy(request):
    # The numbers come from the settings the housekeeping obeys, so the page cannot promise otherwise.
    context = {
        "closed_case_period": _period(settings.RETENTION_CLOSED_CASE_DAYS),
        "draft_days": settings.INTAKE_DRAFT_EXPIRY_DAYS,
        "deletion_days": settings.DELETION_GRACE_DAYS,
    }
    return render(request, "intake/privacy.html", context)


def _current_draft(request) -> Draft | None:
    draft_id = request.session.get(DRAFT_SESSION_KEY)
    if not draft_id:
        return None
    expired_before = timezone.now() - timedelta(days=settings.INTAKE_DRAFT_EXPIRY_DAYS)
    return Draft.objects.filter(id=draft_id, updated_at__gte=expired_before).first()


def _open_draft(request) -> Draft | None:
    """The draft being filled in, or None when there is none or it was already submitted."""
    draft = _current_draft(request)
    return draft if draft and draft.case_id is None else None


def _done_steps(draft: Draft) -> set[str]:
    return set(draft.answers) & set(STEP_SLUGS)


def _first_undone(draft: Draft) -> str:
    done = _done_steps(draft)
    return next(slug for slug in STEP_SLUGS if slug not in done or slug == "check")


def resume_url_for(draft: Draft) -> str:
    """Where someone picking the draft up again goes on: the first page still to do."""
    return _step_url(_first_undone(draft))


def _step_url(slug: str) -> str:
    return reverse("intake:step", args=[slug])


def _next_url(request, slug: str) -> str:
    if request.POST.get("return_to") == "check":
        return _step_url("check")
    return _step_url(STEP_SLUGS[STEP_SLUGS.index(slug) + 1])


def _raw_answers(post, keep=lambda key: True) -> dict[str, list[str]]:
    """The answers as posted, for the draft. Only the form's own inputs are kept (`keep`), and
    without NUL characters, which PostgreSQL cannot store (and no person types)."""
    return {
        key: [value.replace("\x00", "") for value in post.getlist(key)]
        for key in post
        if key not in NOT_ANSWERS and keep(key)
    }


def _input_names(form) -> set[str]:
    names = set()
    for field in form:
        widget = field.field.widget
        if isinstance(widget, forms.MultiWidget):
            names.update(field.html_name + suffix for suffix in widget.widgets_names)
        else:
            names.add(field.html_name)
    return names


def _save_answers(request, draft: Draft, slug: str, answers: dict, **options) -> Draft:
    draft, changed_elsewhere = resume.save_page(request, draft, slug, answers, **options)
    if changed_elsewhere:
        messages.warning(
            request,
            _(
                "This page had been changed in another browser while you had it open. "
                "Your answers from this page are the ones we kept."
            ),
        )
    return draft


def _save_for_later(request, draft: Draft, slug: str, answers: dict, *, complete: bool):
    """For "Save and finish later": keep the page (finished or not), then offer the resume link."""
    if complete:
        _save_answers(request, draft, slug, answers)
    else:
        resume.save_partial(request, draft, slug, answers)
    return redirect("intake:save_later")


def _page_answers(draft: Draft, slug: str) -> dict:
    """The answers to show on a page: what was kept unfinished, if anything, else the saved ones."""
    partial = draft.answers.get(resume.PARTIAL, {}).get(slug)
    return {**draft.answers, slug: partial} if partial is not None else draft.answers


def _step_context(draft: Draft, slug: str, request, **extra) -> dict:
    index = STEP_SLUGS.index(slug)
    done = _done_steps(draft)
    if request.method == "GET":
        changed_at = resume.changed_elsewhere_since_seen(request, draft, slug)
        if changed_at:
            when = formats.date_format(timezone.localtime(changed_at), "j F, H:i")
            messages.warning(
                request,
                _("This page was changed in another browser (%(when)s). You are seeing the newest answers.")
                % {"when": when},
            )
    return {
        "page_seen": request.POST.get("page_seen") or resume.saves_of(draft, slug)["n"],
        "expires_at": resume.expires_at(draft),
        "steps": [
            {"slug": s, "title": title, "number": i + 1, "done": s in done, "current": s == slug}
            for i, (s, title, _) in enumerate(STEPS)
        ],
        "step_number": index + 1,
        "step_count": len(STEPS),
        "step_title": STEPS[index][1],
        "slug": slug,
        "previous_url": _step_url(STEP_SLUGS[index - 1]) if index else reverse("intake:start"),
        "return_to": request.GET.get("return_to") or request.POST.get("return_to") or "",
        **extra,
    }


@never_cache
def start(request):
    draft = _open_draft(request)
    if request.method == "POST":
        if request.POST.get("action") == "restart" and draft:
            documents = list(draft.documents.all())
            draft.delete()
            # Rows first, then their objects: a row never points to a missing object.
            uploads.delete_files(documents)
            draft = None
        if draft is None:
            draft = Draft.objects.create()
            request.session[DRAFT_SESSION_KEY] = str(draft.id)
        return redirect(_step_url(_first_undone(draft)))
    return render(request, "intake/start.html", {"draft": draft})


@never_cache
def step(request, slug):
    if slug not in STEP_SLUGS:
        raise Http404
    draft = _open_draft(request)
    if draft is None:
        if _current_draft(request):
            return redirect("intake:submitted")
        messages.info(request, _("Your answers are saved for 7 days in this browser. Let's begin."))
        return redirect("intake:start")
    # Pages are filled in order; jumping ahead lands on the first page still to do.
    first_undone = _first_undone(draft)
    if STEP_SLUGS.index(slug) > STEP_SLUGS.index(first_undone):
        return redirect(_step_url(first_undone))

    if slug == "treatments":
        return _treatments_step(request, draft)
    if slug == "documents":
        return _documents_step(request, draft)
    if slug == "check":
        return _check_step(request, draft)

    form_class = submission.CASE_FORMS[slug]
    if request.method == "POST":
        form = form_class(request.POST)
        if request.POST.get("action") == SAVE_LATER:
            return _save_for_later(request, draft, slug, _raw_answers(request.POST), complete=form.is_valid())
        if form.is_valid():
            _save_answers(request, draft, slug, _raw_answers(request.POST, _input_names(form).__contains__))
            return redirect(_next_url(request, slug))
    else:
        form = submission.bind_step(slug, _page_answers(draft, slug))
    return render(request, "intake/step.html", _step_context(draft, slug, request, form=form))


MAX_TREATMENTS = TreatmentFormSet.max_num


def _small_number(text: str, limit: int) -> int | None:
    """`text` as a whole number from 0 to `limit`, or None (for "abc", "-5", "²" or a million digits)."""
    return int(text) if text.isdecimal() and len(text) <= 4 and int(text) <= limit else None


def _row_count(post, prefix: str) -> int:
    """How many rows were posted: every row that came, whatever TOTAL_FORMS says (a broken page or a
    forged post may say "abc", "-5" or "0"), so that nothing typed is lost. Never more than the most
    a case can list."""
    row = re.compile(rf"{re.escape(prefix)}-([0-9]{{1,4}})-")
    came = max((int(m.group(1)) + 1 for key in post if (m := row.match(key))), default=0)
    total = _small_number(post.get(f"{prefix}-TOTAL_FORMS", ""), MAX_TREATMENTS) or 0
    return min(max(came, total), MAX_TREATMENTS)


def _renumbered(post, prefix: str, *, drop: int | None = None, add: bool = False) -> dict:
    """Formset data with one entry dropped or one blank entry added, for the no-JavaScript buttons."""
    answers = _raw_answers(post, lambda key: key.startswith(f"{prefix}-"))
    data = {}
    new_index = 0
    for index in range(_row_count(post, prefix)):
        if index == drop:
            continue
        old, new = f"{prefix}-{index}-", f"{prefix}-{new_index}-"
        for key, values in answers.items():
            if key.startswith(old):
                data[new + key[len(old) :]] = values
        new_index += 1
    total = new_index + (1 if add and new_index < MAX_TREATMENTS else 0)
    data.update({f"{prefix}-TOTAL_FORMS": [str(total)], f"{prefix}-INITIAL_FORMS": ["0"]})
    data.update({f"{prefix}-MIN_NUM_FORMS": ["0"], f"{prefix}-MAX_NUM_FORMS": ["30"]})
    return data


def _treatments_step(request, draft: Draft):
    prefix = "treatments"
    if request.method == "POST":
        adding = "add" in request.POST
        drop = _small_number(request.POST.get("remove", ""), MAX_TREATMENTS)
        data = _renumbered(request.POST, prefix, drop=drop, add=adding)
        formset = TreatmentFormSet(MultiValueDict(data), prefix=prefix)
        if (
            adding
            or drop is not None
            or (request.POST.get("action") == SAVE_LATER and not formset.is_valid())
        ):
            # Keep what was typed so far, checked or not, then show the page again.
            draft = _save_answers(request, draft, prefix, data, key=IN_PROGRESS)
            if request.POST.get("action") == SAVE_LATER:
                return redirect("intake:save_later")
        elif formset.is_valid():
            draft = _save_answers(request, draft, "treatments", data, drop=(IN_PROGRESS,))
            if request.POST.get("action") == SAVE_LATER:
                return redirect("intake:save_later")
            return redirect(_next_url(request, "treatments"))
    else:
        saved = draft.answers.get(IN_PROGRESS) or draft.answers.get("treatments")
        formset = TreatmentFormSet(
            MultiValueDict(saved or _renumbered(MultiValueDict(), prefix, add=True)), prefix=prefix
        )
    return render(
        request, "intake/treatments.html", _step_context(draft, "treatments", request, formset=formset)
    )


def _documents_step(request, draft: Draft):
    documents = list(draft.documents.all())
    rejected: list[str] = []
    if request.method == "POST":
        form = DocumentsForm(request.POST, request.FILES)
        remove = request.POST.get("remove")
        if remove:
            document = next((d for d in documents if str(d.id) == remove), None)
            if document:
                document.delete()
                uploads.delete_files([document])
                messages.success(request, _("Removed “%(name)s”.") % {"name": document.original_name})
            return redirect(_step_url("documents"))
        kind = (
            request.POST.get("kind")
            if request.POST.get("kind") in Document.Kind.values
            else Document.Kind.OTHER
        )
        added = []
        for upload in request.FILES.getlist("files"):
            try:
                added.append(
                    uploads.store(
                        upload, kind=kind, existing=documents + added, draft=draft, ip=client_ip(request)
                    )
                )
            except uploads.UploadRejected as e:
                rejected.append(str(e))
        if added:
            names = ", ".join(f"“{d.original_name}”" for d in added)
            messages.success(request, _("Added %(names)s.") % {"names": names})
        if not rejected:
            if request.POST.get("action") == "continue":
                _save_answers(request, draft, "documents", {})
                return redirect(_next_url(request, "documents"))
            if request.POST.get("action") == SAVE_LATER:
                return redirect("intake:save_later")
            return redirect(_step_url("documents"))
        documents = list(draft.documents.all())
        form = DocumentsForm(initial={"kind": kind})
    else:
        form = DocumentsForm()
    context = _step_context(
        draft,
        "documents",
        request,
        form=form,
        documents=documents,
        rejected=rejected,
        limits=uploads.describe_limits(),
    )
    return render(request, "intake/documents.html", context)


def _check_step(request, draft: Draft):
    try:
        built = submission.build_case(draft.answers)
    except submission.IncompleteAnswers as e:
        messages.error(request, _("Some answers on this page need another look before you send."))
        return redirect(_step_url(e.step))

    if request.method == "POST" and request.POST.get("action") == SAVE_LATER:
        return redirect("intake:save_later")
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            return _submit(request, draft, built, form)
    else:
        form = ConsentForm()
    return _check_page(request, draft, built, form)


def _check_page(request, draft: Draft, built, form, status: int = 200):
    context = _step_context(
        draft,
        "check",
        request,
        form=form,
        case=built.case,
        treatments=built.treatments,
        documents=draft.documents.all(),
    )
    return render(request, "intake/check.html", context, status=status)


def _submit(request, draft: Draft, built, form):
    ip = client_ip(request)
    with transaction.atomic():
        # Lock the draft: a double click or a retried POST waits here, then finds the case made.
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        if draft.case_id:
            request.session[SUBMITTED_SESSION_KEY] = draft.case.reference
            return redirect("intake:submitted")
        problem, status = None, 200
        if form.cleaned_data["website"]:
            problem = _("We could not send your case. Please try again, or email us.")
        elif submission.too_fast(draft):
            problem = _("That was very quick. Please check your answers once more, then send again.")
        elif submission.over_rate_limit(ip):
            status = 429
            problem = _(
                "We have received several cases from this internet connection in the last hour. "
                "To keep the service safe, please wait a little and try again. Your answers are saved. "
                "If it is urgent, email us at %(email)s."
            ) % {"email": settings.ORGANISATION_EMAIL}
        if problem is None:
            case = submission.submit(
                draft=draft,
                built=built,
                consent_data=form.cleaned_data,
                ip=ip,
                user_agent=user_agent(request),
            )
            request.session[SUBMITTED_SESSION_KEY] = case.reference
            return redirect("intake:submitted")
    form.add_error(None, problem)
    return _check_page(request, draft, built, form, status=status)


@never_cache
def submitted(request):
    reference = request.session.get(SUBMITTED_SESSION_KEY)
    case = Case.objects.filter(reference=reference).first() if reference else None
    if case is None:
        return redirect("intake:start")
    return render(request, "intake/submitted.html", {"case": case})


@never_cache
def save_later(request):
    """Where "Save and finish later" lands: the family says where to send a private resume link."""
    draft = _open_draft(request)
    if draft is None:
        return redirect("intake:start")
    data = request.POST if request.method == "POST" else None
    form = ResumeEmailForm(data, initial={"email": resume.known_email(draft)})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if resume.send_resume_link(draft=draft, email=email, ip=client_ip(request)):
            request.session[RESUME_SENT_KEY] = family.masked_email(email)
            return redirect("intake:save_later")
        form.add_error(
            None,
            _("We have sent several links in the last hour. Please use the newest one, or try again later."),
        )
    context = {
        "form": form,
        "sent_to": request.session.pop(RESUME_SENT_KEY, None) if request.method == "GET" else None,
        "expires_at": resume.expires_at(draft),
        "continue_url": _step_url(_first_undone(draft)),
    }
    return render(request, "intake/save_later.html", context, status=400 if form.errors else 200)
