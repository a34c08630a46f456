"""Which language a family reads: English or Spanish. Staff pages are always in English.

On a family page (accounts.routes.is_for_families) the language is, first to last:
1. the one this visitor chose with the switch on every family page (`?lang=es`), kept in the session
   for the visit;
2. on a case's private pages, the case's language;
3. the first of ours that the browser asks for (Accept-Language);
4. English.

A case keeps the language we write to the family in (Case.language), decided when it is submitted:
their answer to "Which language do you prefer?" when it is one we write in, otherwise the language
they filled in the form in. Every later email, and their private page, uses it.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from accounts import routes

SESSION_KEY = "family_language"
QUERY_KEY = "lang"


def written_languages() -> set[str]:
    return {code for code, _ in settings.LANGUAGES}


def visitor_choice(request) -> str | None:
    """The language this visitor chose with the switch, if they did."""
    chosen = request.session.get(SESSION_KEY)
    return chosen if chosen in written_languages() else None


def visitor_language(request) -> str:
    return visitor_choice(request) or translation.get_language_from_request(request)


def use_case_language(request, case) -> None:
    """A case's private pages speak the case's language, unless this visitor chose another."""
    if visitor_choice(request) is None:
        translation.activate(case.language)


def written_language(preferred: str) -> str:
    """The language to write to a family in, from their answer and the language they used the form in."""
    if preferred in written_languages():
        return preferred
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in written_languages() else settings.LANGUAGE_CODE


class FamilyLanguageMiddleware:
    """Activates the family's language on family pages and English everywhere else, for the request
    only. `?lang=xx` on a family page remembers the choice for the visit and shows the same page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        request.is_family_page = routes.is_for_families(match)
        if not request.is_family_page:
            with translation.override(settings.LANGUAGE_CODE):
                return self.get_response(request)
        if request.method in ("GET", "HEAD") and QUERY_KEY in request.GET:
            return self._remember_choice(request)
        with translation.override(visitor_language(request)):
            response = self.get_response(request)
            # A view may have switched to the case's language: say what the page is really in.
            response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Accept-Language",))
        return response

    def _remember_choice(self, request):
        chosen = request.GET[QUERY_KEY]
        if chosen in written_languages():
            request.session[SESSION_KEY] = chosen
        query = request.GET.copy()
        del query[QUERY_KEY]
        response = HttpResponseRedirect(request.path + (f"?{query.urlencode()}" if query else ""))
        add_never_cache_headers(response)
        return response


def language_switch(request) -> dict:
    """The "English | Español" links on family pages: the same page, in the other language."""
    if not getattr(request, "is_family_page", False):
        return {}
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        query = request.GET.copy()
        query[QUERY_KEY] = code
        links.append({"code": code, "name": name, "query": query.urlencode(), "current": code == current})
    return {"language_links": links}
