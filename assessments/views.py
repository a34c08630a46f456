import logging
from itertools import chain

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assessments import actions, options
from assessments.access import can_change, get_case_for_user
from assessments.actions import ActionRefused
from assessments.case_lifecycle import case_panel
from assessments.forms import (
    AssignForm,
    EraseForm,
    MessageForm,
    NoteForm,
    QuestionForm,
    ReportForm,
    ReportOptionFormSet,
    SnippetForm,
    StatusForm,
    TriageForm,
)
from assessments.models import AuditEvent, Snippet
from assessments.queue import (
    RESPONSE_STATES,
    TABS,
    QueueFilters,
    queue_cases,
    shows_assignee_filter,
    staff_who_work_cases,
    tab_counts,
)
from assessments.timeline import timeline
from intake import uploads
from intake.documents import vault

logger = logging.getLogger(__name__)

PAGE_SIZE = 50

reviewer_required = [login_required, permission_required("intake.work_queue", raise_exception=True)]


def reviewer_view(view):
    """Staff with a review role only: anonymous people go to the login page, other staff get 403."""
    for decorator in reversed(reviewer_required):
        view = decorator(view)
    return never_cache(view)


@reviewer_view
def queue(request):
    now = timezone.now()
    staff = list(staff_who_work_cases())
    filters = QueueFilters(request.GET, user=request.user, staff=staff)
    filters.is_valid()
    tab = filters.current_tab
    counts = tab_counts(filters.filtered(now), request.user, tab, narrowed=filters.narrows())
    paginator = Paginator(queue_cases(filters, now), PAGE_SIZE)
    # The tab's count is already known: spare the paginator a second COUNT over the same rows.
    paginator.__dict__["count"] = min(counts[tab].number, counts[tab].limit)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "tabs": [(key, label, counts.get(key)) for key, label in TABS],
        "tab": tab,
        "tally": counts[tab],
        "page": page,
        "response_labels": dict(RESPONSE_STATES),
        "show_assignee_filter": shows_assignee_filter(request.user),
        "now": now,
    }
    return render(request, "assessments/queue.html", context)


@require_POST
@reviewer_view
def claim_next(request):
    case = actions.claim_next_case(reviewer=request.user, request=request)
    if case is None:
        messages.info(request, "There are no triaged cases waiting. Well done.")
        return redirect("assessments:queue")
    messages.success(request, f"Case {case.reference} is yours now.")
    return redirect("assessments:case", reference=case.reference)


def _case_context(request, case, **forms):
    user = request.user
    staff = staff_who_work_cases()
    events = (
        AuditEvent.objects.filter(case=case)
        .exclude(action=AuditEvent.Action.VIEWED_CASE)
        .order_by("at", "id")
    )
    return {
        "case": case,
        "treatments": case.treatments.all(),
        "documents": case.documents.all(),
        "notes": case.notes.select_related("author"),
        "timeline": timeline(events),
        "response": case.clock_state,
        "can_change": can_change(user, case),
        "can_triage": user.has_perm("intake.triage_case") and case.status == case.Status.NEW,
        "can_assign": user.has_perm("intake.assign_case"),
        "can_claim": case.assigned_to_id is None
        and case.status != case.Status.NEW
        and case.status != case.Status.CLOSED,
        "triage_form": forms.get("triage_form")
        or TriageForm(initial={"urgency": case.suggested_urgency}, case=case),
        "assign_form": forms.get("assign_form") or AssignForm(staff=staff),
        "status_form": forms.get("status_form") or StatusForm(case=case),
        "note_form": forms.get("note_form") or NoteForm(),
        "message_form": forms.get("message_form") or MessageForm(),
        "question_form": forms.get("question_form") or QuestionForm(),
        "thread": case.messages.select_related("author").order_by("created_at", "pk"),
        "new_from_family": forms.get("new_from_family", []),
        "draft_report": actions.draft_report(case),
        "sent_reports": case.reports.filter(sent_at__isnull=False).order_by("-version"),
        "deletion": getattr(case, "deletion_request", None),
        "can_erase": user.has_perm("intake.erase_case"),
        **({} if case.purged_at else options.options_panel(case)),
        "compact_options": True,
        "erase_form": forms.get("erase_form") or EraseForm(case=case),
        **case_panel(user, case, **forms),
    }


@reviewer_view
def case_detail(request, reference):
    case = get_case_for_user(request.user, reference)
    actions.record_case_view(case=case, user=request.user, request=request)
    new_from_family = []
    if can_change(request.user, case):
        new_from_family = actions.mark_family_messages_seen(case=case, by=request.user)
    return render(
        request, "assessments/case.html", _case_context(request, case, new_from_family=new_from_family)
    )


def _act(request, reference, *, needs_change=True):
    case = get_case_for_user(request.user, reference)
    if needs_change and not can_change(request.user, case):
        raise Http404("No such case")
    return case


def _done(request, case, message):
    messages.success(request, message)
    return redirect("assessments:case", reference=case.reference)


def _refused(request, case, error):
    messages.error(request, str(error))
    return redirect("assessments:case", reference=case.reference)


@require_POST
@reviewer_view
@permission_required("intake.triage_case", raise_exception=True)
def triage(request, reference):
    case = _act(request, reference, needs_change=False)
    form = TriageForm(request.POST, case=case)
    if not form.is_valid():
        return render(
            request, "assessments/case.html", _case_context(request, case, triage_form=form), status=400
        )
    try:
        case = actions.triage_case(case=case, by=request.user, request=request, **form.cleaned_data)
    except ActionRefused as e:
        return _refused(request, case, e)
    return _done(request, case, f"Triaged as {case.get_urgency_display().lower()}.")


@require_POST
@reviewer_view
def claim(request, reference):
    case = _act(request, reference, needs_change=False)
    try:
        case = actions.claim_case(case=case, reviewer=request.user, request=request)
    except ActionRefused as e:
        return _refused(request, case, e)
    return _done(request, case, "The case is yours now.")


@require_POST
@reviewer_view
@permission_required("intake.assign_case", raise_exception=True)
def assign(request, reference):
    case = _act(request, reference, needs_change=False)
    form = AssignForm(request.POST, staff=staff_who_work_cases())
    if not form.is_valid():
        return render(
            request, "assessments/case.html", _case_context(request, case, assign_form=form), status=400
        )
    try:
        case = actions.assign_case(
            case=case, assignee=form.cleaned_data["assignee"], by=request.user, request=request
        )
    except ActionRefused as e:
        return _refused(request, case, e)
    return _done(request, case, f"Assigned to {case.assigned_to.get_username()}.")


@require_POST
@reviewer_view
def release(request, reference):
    case = _act(request, reference)
    try:
        case = actions.release_case(case=case, by=request.user, request=request)
    except ActionRefused as e:
        return _refused(request, case, e)
    messages.success(request, f"Case {case.reference} is back in the queue.")
    return redirect("assessments:queue")


@require_POST
@reviewer_view
def change_status(request, reference):
    case = _act(request, reference)
    form = StatusForm(request.POST, case=case)
    if not form.is_valid():
        return render(
            request, "assessments/case.html", _case_context(request, case, status_form=form), status=400
        )
    try:
        case = actions.change_status(case=case, by=request.user, request=request, **form.cleaned_data)
    except ActionRefused as e:
        return _refused(request, case, e)
    return _done(request, case, f"The case is now “{case.get_status_display()}”.")


@require_POST
@reviewer_view
def add_note(request, reference):
    case = _act(request, reference)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return render(
            request, "assessments/case.html", _case_context(request, case, note_form=form), status=400
        )
    actions.add_note(case=case, author=request.user, body=form.cleaned_data["body"], request=request)
    return _done(request, case, "Note added.")


@reviewer_view
def document(request, reference, document_id):
    case = get_case_for_user(request.user, reference)
    document = get_object_or_404(case.documents, id=document_id)
    if not document.can_be_opened:
        actions.record_document_held_back(case=case, document=document, user=request.user, request=request)
        return _refused(
            request,
            case,
            f"“{document.original_name}” cannot be opened: {document.get_scan_state_display().lower()}.",
        )
    download = request.GET.get("download") == "1" or not document.is_viewable_inline
    try:
        # Decrypted here and nowhere else, a chunk at a time; the first chunk is read before the
        # response starts, so a missing or unreadable file is a message, not a broken download.
        chunks = vault.plaintext(document)
        first = next(chunks, b"")
    except (vault.ObjectMissing, vault.Unreadable) as e:
        logger.error("Document %s could not be opened: %s", document.id, e)
        return _refused(
            request,
            case,
            f"“{document.original_name}” could not be opened: the stored file is missing or damaged.",
        )
    actions.record_document_view(
        case=case, document=document, user=request.user, download=download, request=request
    )
    response = StreamingHttpResponse(chain([first], chunks), content_type=document.content_type)
    response["Content-Length"] = str(document.size)
    response["Content-Disposition"] = content_disposition_header(download, uploads.download_name(document))
    # Shown on its own, never inside another page, and with nothing it could run.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


@require_POST
@reviewer_view
def send_message(request, reference):
    case = _act(request, reference)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return render(
            request, "assessments/case.html", _case_context(request, case, message_form=form), status=400
        )
    actions.send_message(case=case, by=request.user, body=form.cleaned_data["body"], request=request)
    return _done(request, case, "Message sent. The family gets an email telling them to look.")


@require_POST
@reviewer_view
def ask_question(request, reference):
    case = _act(request, reference)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        return render(
            request, "assessments/case.html", _case_context(request, case, question_form=form), status=400
        )
    try:
        actions.request_info(
            case=case, by=request.user, question=form.cleaned_data["question"], request=request
        )
    except ActionRefused as e:
        return _refused(request, case, e)
    return _done(request, case, "Question sent. The case is waiting on the family and the clock is paused.")


@require_POST
@reviewer_view
@permission_required("intake.erase_case", raise_exception=True)
def erase(request, reference):
    case = _act(request, reference)
    form = EraseForm(request.POST, case=case)
    if not form.is_valid():
        return render(
            request, "assessments/case.html", _case_context(request, case, erase_form=form), status=400
        )
    try:
        reference = actions.erase_case(case=case, by=request.user, request=request)
    except ActionRefused as e:
        return _refused(request, case, e)
    messages.success(request, f"Case {reference} and its files were deleted. The family will get an email.")
    return redirect("assessments:queue")


# The report builder -------------------------------------------------------------------------------


def _report_context(request, case, report, form=None, formset=None):
    from assessments.readability import grade

    if form is None:
        form = ReportForm(instance=report)
        formset = ReportOptionFormSet(
            prefix="options",
            initial=[{f: getattr(o, f) for f in actions.OPTION_FIELDS} for o in report.options.all()],
        )
    text = "\n\n".join(
        [report.understanding, report.questions, report.next_steps]
        + [f"{o.what_it_is}\n\n{o.why_it_may_fit}\n\n{o.what_to_ask}" for o in report.options.all()]
    )
    return {
        "case": case,
        "report": report,
        "form": form,
        "formset": formset,
        "grade": grade(text),
        "snippets": Snippet.objects.filter(active=True),
        "problems": actions.report_problems(report),
        "blocker": actions.sending_blocker(case),
        "can_triage": request.user.has_perm("intake.triage_case"),
        "needs_approval": settings.REPORT_REQUIRES_APPROVAL,
        "can_approve": request.user.has_perm("intake.approve_report"),
        "sent_reports": case.reports.filter(sent_at__isnull=False).order_by("-version"),
    }


@reviewer_view
def report_edit(request, reference):
    case = _act(request, reference)
    report = actions.draft_report(case)
    if report is None:
        context = {
            "case": case,
            "sent_reports": case.reports.filter(sent_at__isnull=False).order_by("-version"),
            "blocker": actions.sending_blocker(case),
        }
        return render(request, "assessments/report_start.html", context)
    if request.method != "POST":
        actions.record_case_view(case=case, user=request.user, request=request, page="report editor")
        return render(request, "assessments/report_edit.html", _report_context(request, case, report))

    form = ReportForm(request.POST, instance=report)
    formset = ReportOptionFormSet(request.POST, prefix="options")
    if not (form.is_valid() and formset.is_valid()):
        context = _report_context(request, case, report, form=form, formset=formset)
        return render(request, "assessments/report_edit.html", context, status=400)
    fields = {name: form.cleaned_data[name] for name in actions.REPORT_FIELDS}
    options = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    action = request.POST.get("action", "save")
    if action == "add_option":
        options.append({"kind": "trial"})
    elif action == "insert_snippet":
        chosen = SnippetForm(request.POST)
        snippet = chosen.cleaned_data["snippet"] if chosen.is_valid() else None
        if snippet and snippet.kind == Snippet.Kind.PARAGRAPH:
            fields[snippet.section] = "\n\n".join(
                p for p in [fields[snippet.section].strip(), snippet.body] if p
            )
        elif snippet:
            options.append(snippet.as_option())
    actions.save_report(report=report, by=request.user, fields=fields, options=options, request=request)
    try:
        if action == "start_review":
            _start_review(request, case)
        if action == "send":
            actions.send_report(report=report, by=request.user, request=request)
            return _done(request, case, f"Report version {report.version} sent. The family gets an email.")
        if action == "submit_for_approval":
            actions.submit_report_for_approval(report=report, by=request.user, request=request)
            messages.success(request, "Sent to a supervisor for approval.")
    except ActionRefused as e:
        messages.error(request, str(e))
    if action == "preview":
        return redirect("assessments:report_preview", reference=case.reference)
    if action not in ("submit_for_approval", "send", "start_review"):
        messages.success(request, "Draft saved.")
    anchor = f"#option-{len(options)}" if action in ("add_option", "insert_snippet") and options else ""
    return redirect(reverse("assessments:report", kwargs={"reference": case.reference}) + anchor)


def _start_review(request, case) -> None:
    """From the report editor: the steps that let the case's report be sent. A new case is triaged
    first, at the suggested urgency, by someone who may triage."""
    if case.status == case.Status.NEW:
        if not request.user.has_perm("intake.triage_case"):
            raise ActionRefused("A coordinator needs to triage this case first.")
        case = actions.triage_case(
            case=case, by=request.user, urgency=case.suggested_urgency, request=request
        )
    if case.assigned_to_id is None and case.status == case.Status.TRIAGED:
        actions.claim_case(case=case, reviewer=request.user, request=request)
        messages.success(request, "Review started. The case is yours now.")
    else:
        case = actions.change_status(case=case, to=case.Status.IN_REVIEW, by=request.user, request=request)
        messages.success(request, f"The case is now “{case.get_status_display()}”.")


@require_POST
@reviewer_view
def report_start(request, reference):
    case = _act(request, reference)
    actions.start_report(case=case, by=request.user, request=request)
    return redirect("assessments:report", reference=case.reference)


@reviewer_view
def report_preview(request, reference):
    case = _act(request, reference)
    report = actions.draft_report(case)
    if report is None:
        return redirect("assessments:report", reference=case.reference)
    actions.record_case_view(case=case, user=request.user, request=request, page="report preview")
    return render(request, "assessments/report_preview.html", {"case": case, "report": report})


@require_POST
@reviewer_view
@permission_required("intake.approve_report", raise_exception=True)
def report_approve(request, reference):
    case = _act(request, reference, needs_change=False)
    report = actions.draft_report(case)
    if report is None:
        raise Http404("No draft report")
    try:
        actions.approve_report(report=report, by=request.user, request=request)
    except ActionRefused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"Report version {report.version} approved. The reviewer can send it now.")
    return redirect("assessments:report", reference=case.reference)
