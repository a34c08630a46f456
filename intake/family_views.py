"""The family's private case page, reached through the link in our emails."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from config.client import client_ip, user_agent
from config.pdf import render_pdf
from intake import emails, family, languages, uploads
from intake.forms import AnswerForm, CodeForm, DeletionForm, DocumentsForm, LostLinkForm, ReplyForm
from intake.lifecycle import consents
from intake.models import (
    Case,
    ConsentRecord,
    DeletionRequest,
    Document,
    FamilyLink,
    Message,
    PossibleDuplicate,
)
from intake.ratelimit import over_limit
from intake.signals import case_event

Purpose = ConsentRecord.Purpose
STATUS_WORDS = {
    Case.Status.NEW: gettext_lazy("We have your case. A coordinator will read it soon."),
    Case.Status.TRIAGED: gettext_lazy("We have read your case. A reviewer will start on it soon."),
    Case.Status.IN_REVIEW: gettext_lazy("A reviewer is working on your case now."),
    Case.Status.WAITING_ON_FAMILY: gettext_lazy(
        "We have a question for you. Please answer it below, so we can go on."
    ),
    Case.Status.REPORT_SENT: gettext_lazy(
        "Your report is ready. You can read it below, and reply with any questions."
    ),
    Case.Status.CLOSED: gettext_lazy(
        "This case is closed. If something changes, write to us below and we will look again."
    ),
}


def _link_or_404(request, token):
    link = FamilyLink.from_token(token)
    if link is None:
        return None, render(request, "intake/link_invalid.html", status=404)
    return link, None


def _event(link, action, request, **detail):
    case_event.send(sender=Case, case=link.case, action=action, ip=client_ip(request), detail=detail)


def family_page(view):
    """Resolve the link and require the one-time code before anything personal is shown."""

    def wrapper(request, token, *args, **kwargs):
        link, refusal = _link_or_404(request, token)
        if refusal:
            return refusal
        languages.use_case_language(request, link.case)
        if not family.has_access(request, link):
            return redirect("intake:family_verify", token=token)
        return view(request, link, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return never_cache(wrapper)


def _open_question(thread: list[Message]) -> Message | None:
    """The newest question from a reviewer that the family has not answered yet."""
    answered = {m.answers_id for m in thread if m.kind == Message.Kind.ANSWER}
    return next(
        (m for m in reversed(thread) if m.kind == Message.Kind.QUESTION and m.pk not in answered), None
    )


def _page(request, link, status=200, **forms):
    case = link.case
    sent_reports = list(
        case.reports.filter(sent_at__isnull=False).prefetch_related("options").order_by("-version")
    )
    thread = list(case.messages.order_by("created_at", "pk"))
    open_question = _open_question(thread)
    context = {
        "case": case,
        "token": link.token,
        "status_words": STATUS_WORDS[case.status],
        "report": sent_reports[0] if sent_reports else None,
        "earlier_reports": sent_reports[1:],
        "thread": thread,
        "open_question": open_question,
        "documents": case.documents.all(),
        "deletion": getattr(case, "deletion_request", None),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "documents_form": DocumentsForm(),
        "rejected": forms.get("rejected", []),
        "deletion_form": forms.get("deletion_form") or DeletionForm(),
        "limits": uploads.describe_limits(),
        **_consent_context(case),
        # The language switch leads back to the case page, also from a form's error page.
        "language_path": reverse("intake:family_case", kwargs={"token": link.token}),
    }
    return render(request, "intake/family_case.html", context, status=status)


def _consent_context(case) -> dict:
    current = {c.purpose: c for c in consents.current(case)}
    shares = [
        (share, consents.words(Purpose.SHARE_SUMMARY, share=share)) for share in case.share_requests.all()
    ]
    merged = (
        case.duplicate_flags.filter(state=PossibleDuplicate.State.MERGED).select_related("earlier").first()
    )
    return {
        "consent_storing": current[Purpose.STORE_CASE],
        "consent_reading": current[Purpose.REVIEWERS_READ],
        "consent_research": current[Purpose.RESEARCH_CONTACT],
        "research_words": consents.words(Purpose.RESEARCH_CONTACT),
        "shares": shares,
        "merged_into": merged.earlier.reference if merged else None,
    }


@family_page
def family_case(request, link):
    _event(link, "family_viewed", request)
    return _page(request, link)


def code_step(request, link, *, send, email: str) -> tuple[CodeForm, str | None]:
    """The one-time code, for the family's case page and for a resume link alike: a code asked for
    ("sent", whether or not the hourly limit let it go) or a right code typed ("granted"), after
    which the view redirects; otherwise the form to show, with its error if a code was wrong."""
    form = CodeForm()
    if request.method == "POST" and request.POST.get("action") == "send":
        if send():
            messages.success(
                request, _("We sent a code to %(email)s.") % {"email": family.masked_email(email)}
            )
        else:
            messages.error(
                request,
                _(
                    "We have sent several codes in the last hour. "
                    "Please use the newest one, or try again later."
                ),
            )
        return form, "sent"
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            if family.check_code(link, form.cleaned_data["code"]):
                family.grant(request, link)
                return form, "granted"
            form.add_error(
                "code",
                _(
                    "That code does not work. "
                    "It may be mistyped, used already, or older than %(minutes)s minutes."
                )
                % {"minutes": settings.FAMILY_CODE_MINUTES},
            )
    return form, None


@never_cache
def family_verify(request, token):
    link, refusal = _link_or_404(request, token)
    if refusal:
        return refusal
    languages.use_case_language(request, link.case)
    if family.has_access(request, link):
        return redirect("intake:family_case", token=token)

    def send():
        with transaction.atomic():
            return family.send_code(link, ip=client_ip(request))

    form, outcome = code_step(request, link, send=send, email=link.case.contact_email)
    if outcome == "sent":
        return redirect("intake:family_verify", token=token)
    if outcome == "granted":
        return redirect("intake:family_case", token=token)
    context = {
        "form": form,
        "email": family.masked_email(link.case.contact_email),
        "code_pending": family.code_pending(link),
        "token": token,
        "reference": link.case.reference,
    }
    return render(request, "intake/family_verify.html", context, status=400 if form.errors else 200)


def _back(token, anchor=""):
    return redirect(reverse("intake:family_case", kwargs={"token": token}) + anchor)


@require_POST
@family_page
def family_reply(request, link):
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _page(request, link, status=400, reply_form=form)
    with transaction.atomic():
        Message.objects.create(case=link.case, sender=Message.Sender.FAMILY, body=form.cleaned_data["body"])
        _event(link, "family_replied", request)
    messages.success(request, _("Thank you. Your message was sent to our reviewers."))
    return _back(link.token, "#messages")


@require_POST
@family_page
def family_answer(request, link):
    question = _open_question(list(link.case.messages.order_by("created_at", "pk")))
    form = AnswerForm(request.POST)
    if question is None:
        # Answered already (in another tab, say): keep what they wrote, ready to send as a message.
        reply_form = ReplyForm({"reply-body": request.POST.get("answer-body", "")})
        reply_form.is_valid()
        reply_form.add_error(
            None,
            _("This question was answered already. Your text is below: send it as a message if you like."),
        )
        return _page(request, link, status=400, reply_form=reply_form)
    if not form.is_valid():
        return _page(request, link, status=400, answer_form=form)
    with transaction.atomic():
        Message.objects.create(
            case=link.case,
            sender=Message.Sender.FAMILY,
            kind=Message.Kind.ANSWER,
            answers=question,
            body=form.cleaned_data["body"],
        )
        _event(link, "family_answered", request)
    messages.success(
        request, _("Thank you. Your answer was sent, and the reviewer will go on with your case.")
    )
    return _back(link.token, "#messages")


@require_POST
@family_page
def family_documents(request, link):
    case = link.case
    kind = (
        request.POST.get("kind") if request.POST.get("kind") in Document.Kind.values else Document.Kind.OTHER
    )
    existing = list(case.documents.all())
    added, rejected = [], []
    for upload in request.FILES.getlist("files"):
        try:
            added.append(
                uploads.store(
                    upload,
                    kind=kind,
                    existing=existing + added,
                    case=case,
                    source=Document.Source.FAMILY,
                    ip=client_ip(request),
                )
            )
        except uploads.UploadRejected as e:
            rejected.append(str(e))
    if added:
        # The receiver brings the case back to its reviewer, locking it: that needs a transaction.
        with transaction.atomic():
            _event(link, "family_uploaded", request, count=len(added))
        messages.success(
            request,
            ngettext(
                "Added %(count)s file. Our reviewers can see it now.",
                "Added %(count)s files. Our reviewers can see them now.",
                len(added),
            )
            % {"count": len(added)},
        )
    if rejected or not added:
        return _page(request, link, status=400, rejected=rejected or [_("Please choose at least one file.")])
    return _back(link.token, "#documents")


@require_POST
@family_page
def family_delete(request, link):
    form = DeletionForm(request.POST)
    case = link.case
    if not form.is_valid():
        return _page(request, link, status=400, deletion_form=form)
    with transaction.atomic():
        due = timezone.now() + timedelta(days=settings.DELETION_GRACE_DAYS)
        request_, created = DeletionRequest.objects.get_or_create(
            case=case, defaults={"case_reference": case.reference, "due_at": due}
        )
        if not created and request_.state == DeletionRequest.State.CANCELLED:
            request_.state, request_.requested_at, request_.due_at = (
                DeletionRequest.State.PENDING,
                timezone.now(),
                due,
            )
            request_.save()
            created = True
        if created:
            # Asking for deletion is how the required consents are taken back.
            consents.required_withdrawn_by_deletion(
                case=case, withdrawn=True, ip=client_ip(request), user_agent=user_agent(request)
            )
        emails.queue_family_email(
            case=case,
            link=link,
            kind="deletion_received",
            template="deletion_received",
            due_at=request_.due_at,
        )
        _event(link, "deletion_requested", request)
    messages.success(
        request, _("We received your request. We will delete your case and email you when it is done.")
    )
    return _back(link.token, "#delete")


@require_POST
@family_page
def family_cancel_deletion(request, link):
    with transaction.atomic():
        updated = DeletionRequest.objects.filter(case=link.case, state=DeletionRequest.State.PENDING).update(
            state=DeletionRequest.State.CANCELLED
        )
        if updated:
            consents.required_withdrawn_by_deletion(
                case=link.case, withdrawn=False, ip=client_ip(request), user_agent=user_agent(request)
            )
            _event(link, "deletion_cancelled", request)
    messages.success(request, _("Your case will not be deleted."))
    return _back(link.token, "#delete")


@family_page
def family_report_pdf(request, link, version):
    report = link.case.reports.filter(version=version, sent_at__isnull=False).first()
    if report is None:
        return render(request, "intake/link_invalid.html", status=404)
    pdf = render_pdf("intake/report_pdf.html", {"case": link.case, "report": report}, request=request)
    _event(link, "family_viewed_report", request, version=version)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{link.case.reference}-v{version}.pdf"'
    return response


@never_cache
def lost_link(request):
    form = LostLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request) or "unknown"
        with transaction.atomic():
            limited = over_limit(
                "lost_link", ip, limit=settings.LOST_LINK_REQUESTS_PER_HOUR, window=timedelta(hours=1)
            )
            case = Case.objects.filter(
                reference=form.cleaned_data["reference"], contact_email__iexact=form.cleaned_data["email"]
            ).first()
            if case and not limited:
                link = family.reissue_link(case)
                emails.queue_family_email(case=case, link=link, kind="new_link", template="new_link")
                case_event.send(sender=Case, case=case, action="link_reissued", ip=ip, detail={})
        # The same answer whether or not the code and email matched, so nobody can test guesses.
        return render(request, "intake/lost_link_sent.html")
    return render(request, "intake/lost_link.html", {"form": form}, status=400 if form.errors else 200)
