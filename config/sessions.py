"""Sessions in the database, as Django keeps them, but honest about a database that is away.

Django's store turns any database error while saving a session into "the session was deleted in
a concurrent request" (a bare 400). When the database is restarting that is not what happened: the
error goes on, so the page answers with the calm 503 of config/views.server_error.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import OperationalError


class SessionNotSaved(OperationalError):
    """The view's work is done and committed; only the session could not be saved after it. So the
    503 page must not offer to send the form again: that would do the work twice."""


class SessionStore(db.SessionStore):
    def save(self, must_create=False):
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            if isinstance(error.__context__, OperationalError):
                raise SessionNotSaved(*error.__context__.args) from error.__context__
            raise
