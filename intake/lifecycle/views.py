"""The family's pages for the lifecycle of their data: opening an unfinished form with a resume link,
and their consents (on their private case page, beside intake/family_views.py)."""

import contextlib

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from config.client import client_ip, user_agent
from intake import family
from intake.family_views import code_step, family_page
from intake.forms import ResearchConsentForm, ShareAnswerForm
from intake.lifecycle import consents, resume
from intake.models import DraftLink
from intake.views import DRAFT_SESSION_KEY, resume_url_for


def _unavailable(request, why: str, status: int):
    context = {"why": why, "expiry_days": settings.INTAKE_DRAFT_EXPIRY_DAYS}
    return render(request, "intake/resume_unavailable.html", context, status=status)


@never_cache
def resume_draft(request, token):
    """A resume link: after the one-time code, this browser carries on with the same draft."""
    link = DraftLink.from_token(token)
    if link is None:
        return _unavailable(request, "unknown", 404)
    draft = link.draft
    if draft.case_id:
        return _unavailable(request, "sent", 410)
    if resume.is_expired(draft):
        return _unavailable(request, "expired", 410)
    if family.has_access(request, link):
        request.session[DRAFT_SESSION_KEY] = str(draft.id)
        resume.record_resumed(link, ip=client_ip(request))
        until = formats.date_format(resume.expires_at(draft), "j F Y")
        messages.success(request, _("Welcome back. Your answers are kept until %(date)s.") % {"date": until})
        return redirect(resume_url_for(draft))
    form, outcome = code_step(
        request, link, send=lambda: resume.send_code(link, ip=client_ip(request)), email=link.email
    )
    if outcome:
        # Sent: the code page again. Granted: the same address now takes the visitor to the draft.
        return redirect("intake:resume", token=token)
    context = {
        "form": form,
        "email": family.masked_email(link.email),
        "code_pending": family.code_pending(link),
        "expires_at": resume.expires_at(draft),
    }
    return render(request, "intake/resume_verify.html", context, status=400 if form.errors else 200)


# Consent on the family's private page -----------------------------------------------------------


def _to_consents(link):
    return redirect(reverse("intake:family_case", kwargs={"token": link.token}) + "#consent")


@require_POST
@family_page
def family_research_consent(request, link):
    form = ResearchConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose an answer."))
        return _to_consents(link)
    give = form.cleaned_data["choice"] == "give"
    with contextlib.suppress(consents.ConsentUnchanged):
        consents.change_research_contact(
            case=link.case, give=give, ip=client_ip(request), user_agent=user_agent(request)
        )
    if give:
        messages.success(request, _("Thank you. We may contact you about research studies."))
    else:
        messages.success(request, _("Done. We will not contact you about research studies."))
    return _to_consents(link)


@require_POST
@family_page
def family_share(request, link, share_id):
    share = link.case.share_requests.filter(id=share_id).first()
    if share is None:
        raise Http404("No such share")
    form = ShareAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose an answer."))
        return _to_consents(link)
    give = form.cleaned_data["answer"] == "yes"
    try:
        consents.answer_share(share=share, give=give, ip=client_ip(request), user_agent=user_agent(request))
    except consents.ConsentUnchanged:
        messages.info(request, _("Your answer was already noted."))
        return _to_consents(link)
    if give:
        messages.success(
            request, _("Thank you. We may share the summary with %(partner)s.") % {"partner": share.partner}
        )
    else:
        messages.success(
            request, _("Done. We will not share a summary with %(partner)s.") % {"partner": share.partner}
        )
    return _to_consents(link)
