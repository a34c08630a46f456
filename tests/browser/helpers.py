"""Small helpers for the browser tests of the family's pages."""

from django.conf import settings

# Clears every answer on a page of the case form, so that sending it shows the page's errors.
EMPTY_THE_FORM = """() => {
  const form = document.querySelector("main form[novalidate]");
  form.querySelectorAll("input[type=text], input[type=email], input[type=tel], input[type=number], textarea")
    .forEach((e) => { e.value = ""; });
  form.querySelectorAll("input[type=radio], input[type=checkbox]").forEach((e) => { e.checked = false; });
  form.querySelectorAll("select").forEach((e) => { e.selectedIndex = 0; });
}"""


def with_session(context, live_server, **data) -> None:
    """Start the browser's visit with a session holding `data` (a draft, a granted case, a language)."""
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session.update(data)
    session.create()
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}
    context.add_cookies([cookie])
